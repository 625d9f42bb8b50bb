import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError } from '../incidents/errors.js';
import { incidentRef, type Incident } from '../incidents/incident.js';
import { updateIncident } from '../incidents/repository.js';
import type { IncidentService } from '../incidents/service.js';
import type { Policy } from '../policy/schema.js';
import { appendTimeline, type TimelineEvent } from '../timeline/timeline.js';
import { effectivePriority, priorityRank } from '../triage/priority.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { ServiceContext } from '../context.js';

/** Outbox tasks: page user groups (invite their members, announce); bookmark the bridge. */
export const EscalationTask = { page: 'escalation.page', bridge: 'escalation.bridge' } as const satisfies Record<string, TaskKind>;

/** The user groups the policy says to page for an incident's priority and services. */
export function escalationGroupsFor(policy: Policy, incident: Pick<Incident, 'priority' | 'severity' | 'services'>): string[] {
  const priority = effectivePriority(policy, incident);
  const groups = policy.escalation
    .filter((rule) => !rule.priorities || rule.priorities.includes(priority))
    .filter((rule) => !rule.services || rule.services.some((s) => incident.services.includes(s)))
    .flatMap((rule) => rule.usergroups);
  return [...new Set(groups)];
}

/** Escalation (raise priority, page teams) and the bridge call. */
export class EscalationService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  async escalate(input: { incidentId: string; actorId: string; priority?: string; usergroups: string[]; note?: string }): Promise<{ event?: TimelineEvent }> {
    const groups = [...new Set(input.usergroups.map((g) => g.trim().replace(/^@/, '')).filter(Boolean))];
    if (input.priority && !this.ctx.policy.priorities.some((p) => p.id === input.priority)) throw new DomainError('invalid_input', `Unknown priority ${input.priority}.`, 'priority');
    return this.incidents.applyChange(input.incidentId, async (trx, current, t) => {
      if (current.resolvedAt) throw new DomainError('invalid_state', 'This incident is resolved; reopen it before escalating.');
      const from = effectivePriority(this.ctx.policy, current);
      const raise = input.priority && priorityRank(this.ctx.policy, input.priority) < priorityRank(this.ctx.policy, from) ? input.priority : undefined;
      if (input.priority && !raise && input.priority !== from) throw new DomainError('invalid_input', `Escalation raises priority: ${input.priority} is not above ${from}. Use \`/incident triage\` to lower it.`, 'priority');
      if (!raise && !groups.length) throw new DomainError('invalid_input', 'Choose a higher priority or at least one team to page.', 'priority');
      if (raise) {
        const incident = await updateIncident(trx, current.id, { priority: raise });
        await t.append({ actorId: input.actorId, kind: 'priority_changed', payload: { from: current.priority, to: raise } });
        await this.incidents.runHooks('priorityChanged', trx, incident, current.priority, raise);
      }
      const event = await t.append({ actorId: input.actorId, kind: 'escalated', payload: { from, to: raise ?? from, usergroups: groups, note: input.note?.trim() ?? '' } });
      if (groups.length) await t.enqueue({ kind: EscalationTask.page, payload: { eventId: event!.id, usergroups: groups } });
      return { event };
    });
  }

  /** Records who a page reached, once per escalation and group. */
  async recordPaged(db: Kysely<Database>, incidentId: string, escalationEventId: string, usergroup: string, users: string[]): Promise<void> {
    await appendTimeline(db, {
      incidentId,
      actorId: null,
      kind: 'paged',
      payload: { usergroup, users, escalation: escalationEventId },
      dedupeKey: `paged:${escalationEventId}:${usergroup}`,
      at: this.ctx.clock.now(),
    });
  }

  pagedRecorder() {
    return (incidentId: string, eventId: string, group: string, users: string[]) => this.recordPaged(this.ctx.db, incidentId, eventId, group, users);
  }

  /** Sets the bridge-call link, or generates it from the policy template. */
  async setBridge(input: { incidentId: string; actorId: string; url?: string }): Promise<{ event?: TimelineEvent; url: string }> {
    return this.incidents.applyChange(input.incidentId, async (trx, current, t) => {
      const url = input.url?.trim() || this.generate(current);
      if (!/^https?:\/\/\S+$/i.test(url) || url.length > 2000) throw new DomainError('invalid_input', 'That does not look like a link: `/incident bridge https://…`.', 'url');
      await updateIncident(trx, current.id, { bridge_url: url });
      const event = await t.append({ actorId: input.actorId, kind: 'bridge_set', payload: { url } });
      await t.enqueue({ kind: EscalationTask.bridge, payload: { url }, dedupeKey: `bridge:${current.id}` });
      return { event, url };
    });
  }

  private generate(incident: Incident): string {
    const template = this.ctx.policy.bridge.url_template;
    if (!template) throw new DomainError('invalid_input', 'Give the link: `/incident bridge https://…` (no bridge URL template is configured).', 'url');
    const ref = incidentRef(this.ctx.policy.number_prefix, incident);
    return template.replaceAll('{number}', String(incident.number)).replaceAll('{ref}', ref).replaceAll('{slug}', ref.toLowerCase());
  }
}
