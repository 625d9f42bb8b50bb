import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { EscalationTask } from '../escalation/service.js';
import { DomainError } from '../incidents/errors.js';
import type { Incident } from '../incidents/incident.js';
import { updateIncident } from '../incidents/repository.js';
import type { IncidentService } from '../incidents/service.js';
import type { ChecklistService } from '../playbooks/service.js';
import type { DrPlan } from '../policy/preparedness.js';
import { currentRoles } from '../roles/repository.js';
import type { TimelineEvent } from '../timeline/timeline.js';
import { effectivePriority } from '../triage/priority.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { ServiceContext } from '../context.js';

export type { DrPlan };

/** Outbox task: tell the announcement channel that a DR plan became active (or no longer is). */
export const DrTask = { announce: 'dr.announce' } as const satisfies Record<string, TaskKind>;

/** The roles that may activate or deactivate a DR plan. */
const DR_ROLES = ['commander', 'deputy'];

/**
 * Disaster recovery / business continuity: activating a plan from the policy on a P1 incident
 * (commander or deputy only) posts its checklist, pages the crisis team and announces it; each step
 * and the deactivation are on the timeline.
 */
export class DrService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
    private readonly checklists: ChecklistService,
  ) {}

  /** The plans, those covering the incident's services first. */
  plansFor(incident: Pick<Incident, 'services'>): DrPlan[] {
    const services = new Set(incident.services.map((s) => s.toLowerCase()));
    const covers = (p: DrPlan) => p.services.some((s) => services.has(s.toLowerCase()));
    return [...this.ctx.policy.dr.plans].sort((a, b) => Number(covers(b)) - Number(covers(a)));
  }

  findPlan(name: string): DrPlan | undefined {
    const n = name.trim().toLowerCase();
    return this.ctx.policy.dr.plans.find((p) => p.name === n || p.title.toLowerCase() === n);
  }

  /** Why `actorId` may not activate a plan on this incident now (asked before the confirmation opens). */
  refusalFor(incident: Incident, actorId: string): Promise<string | undefined> {
    return this.refusal(this.ctx.db, incident, actorId);
  }

  /** Why `actorId` may not activate a plan on this incident now, or undefined when they may. */
  private async refusal(db: Kysely<Database>, incident: Incident, actorId: string): Promise<string | undefined> {
    if (!this.ctx.policy.dr.plans.length) return 'No DR plan is configured (policy `dr.plans`).';
    if (incident.resolvedAt || incident.closedAt) return 'This incident is resolved; a DR plan is activated on an open P1 incident.';
    const top = this.ctx.policy.priorities[0].id;
    const priority = effectivePriority(this.ctx.policy, incident);
    if (priority !== top) return `A DR plan is activated on ${top} incidents only; this one is ${priority}. Escalate it first (\`/incident escalate\`).`;
    return this.roleRefusal(db, incident, actorId, 'activate');
  }

  private async roleRefusal(db: Kysely<Database>, incident: Incident, actorId: string, what: string): Promise<string | undefined> {
    // The policy's `permissions.dr` may name other roles or people; by default the commander or deputy.
    const rule = this.ctx.policy.permissions.dr;
    if (rule?.users.includes(actorId)) return undefined;
    const roles = rule?.roles.length ? rule.roles : DR_ROLES;
    const holders = (await currentRoles(db, incident.id)).filter((r) => roles.includes(r.role));
    if (holders.some((h) => h.userId === actorId)) return undefined;
    const who = holders.map((h) => `<@${h.userId}> (${h.role})`).join(' or ');
    const names = roles.map((r) => this.ctx.policy.roles.find((x) => x.id === r)?.label.toLowerCase() ?? r).join(' or ');
    return `Only the ${names === 'incident commander or deputy commander' ? 'incident commander or deputy' : names} can ${what} a DR plan${who ? `: ask ${who}` : '; nobody holds the role yet'}.`;
  }

  async activate(input: { incidentId: string; actorId: string; plan?: string; reason?: string }): Promise<{ event?: TimelineEvent; plan: DrPlan }> {
    if (!input.plan) throw new DomainError('invalid_input', 'Choose a plan.', 'plan');
    const plan = this.findPlan(input.plan);
    if (!plan) throw new DomainError('invalid_input', `Unknown DR plan "${input.plan}".`, 'plan');
    const crisisTeam = this.ctx.policy.dr.crisis_team!;
    return this.incidents.applyChange(input.incidentId, async (trx, incident, t) => {
      const refusal = await this.refusal(trx, incident, input.actorId);
      if (refusal) throw new DomainError('forbidden', refusal);
      if (incident.drPlan) throw new DomainError('invalid_state', `DR plan "${this.findPlan(incident.drPlan)?.title ?? incident.drPlan}" is already active. \`/incident dr deactivate\` first to switch plans.`);
      const updated = await updateIncident(trx, incident.id, { dr_plan: plan.name, dr_activated_at: t.now });
      const priority = effectivePriority(this.ctx.policy, updated);
      const event = await t.append({
        actorId: input.actorId,
        kind: 'dr_activated',
        // `to` and `note` are what the paging message shows.
        payload: { plan: plan.name, title: plan.title, reason: input.reason?.trim() ?? '', crisis_team: crisisTeam, to: priority, note: `DR plan "${plan.title}" is active.` },
      });
      await t.enqueue({ kind: EscalationTask.page, payload: { eventId: event!.id, usergroups: [crisisTeam] } });
      await this.checklists.start(trx, updated, { source: 'dr', name: plan.name, title: plan.title, items: plan.checklist, runKey: `dr:${plan.name}:${event!.id}`, startedBy: input.actorId }, t.now);
      await t.enqueue({ kind: DrTask.announce, payload: { eventId: event!.id } });
      return { event, plan };
    });
  }

  async deactivate(input: { incidentId: string; actorId: string; reason?: string }): Promise<{ event?: TimelineEvent; plan: string }> {
    return this.incidents.applyChange(input.incidentId, async (trx, incident, t) => {
      if (!incident.drPlan) throw new DomainError('invalid_state', 'No DR plan is active on this incident.');
      const refusal = await this.roleRefusal(trx, incident, input.actorId, 'deactivate');
      if (refusal) throw new DomainError('forbidden', refusal);
      await updateIncident(trx, incident.id, { dr_plan: null, dr_activated_at: null });
      const title = this.findPlan(incident.drPlan)?.title ?? incident.drPlan;
      const activeMinutes = incident.drActivatedAt ? Math.round((t.now.getTime() - incident.drActivatedAt.getTime()) / 60_000) : null;
      const event = await t.append({ actorId: input.actorId, kind: 'dr_deactivated', payload: { plan: incident.drPlan, title, active_minutes: activeMinutes, reason: input.reason?.trim() ?? '' } });
      await t.enqueue({ kind: DrTask.announce, payload: { eventId: event!.id } });
      return { event, plan: title };
    });
  }
}
