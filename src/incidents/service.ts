import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { enqueueTask, type TaskFields } from '../outbox/tasks.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { Audience, Policy } from '../policy/schema.js';
import { appendTimeline, listTimeline, type NewTimelineEvent, type TimelineEntry, type TimelineEvent, type TimelineEventOf, type TimelineKind } from '../timeline/timeline.js';
import { DomainError, refuseInvalid } from './errors.js';
import { isClosed, isIncidentKind, isResolved, type DeclarationOrigin, type Incident } from './incident.js';
import * as repo from './repository.js';
import { IncidentTask } from './side-effects.js';
import type { ServiceContext } from '../context.js';
import { fieldProblems, fieldsOfType, findType, isEmpty, refuseMissingFields, type FieldValues } from './fields.js';

export const TITLE_MAX = 80;

/** Why a severity cannot be used, or undefined when it is one of the policy's. */
export function severityProblem(policy: Policy, severity: string | undefined): string | undefined {
  if (policy.severities.some((s) => s.id === severity)) return undefined;
  return severity ? `Unknown severity ${severity}.` : 'Choose a severity.';
}

export interface DeclareInput {
  teamId: string;
  title: string;
  description: string;
  severity: string;
  /** 'service' or 'security' (anything else is refused). */
  kind: string;
  services: string[];
  /** Null leaves the role open (and the channel is nagged until someone takes it). */
  commanderId: string | null;
  reporterId: string;
  /** Idempotency key: declaring twice with the same key returns the first incident. */
  sourceKey?: string;
  /** An exercise incident (`/incident drill`). */
  isDrill?: boolean;
  /** The alert group it was declared from, handed to the `declared` hooks. */
  origin?: DeclarationOrigin;
  /** Its type (policy `incident_types`, by name). */
  type?: string | null;
  /** Values of the type's custom fields, by key (others are ignored). */
  fields?: FieldValues;
}

export interface UpdateInput {
  incidentId: string;
  actorId: string;
  status: string;
  message: string;
  /** Minutes until the next update is due; null for none. */
  nextUpdateInMinutes?: number | null;
  /** Audiences besides the incident channel (policy `comms`), e.g. business, executive. */
  audiences?: Audience[];
}

class DuplicateDeclaration extends Error {}

/** Helpers handed to a change: its time, and timeline/outbox writes bound to its transaction and incident. */
export interface ChangeTools {
  now: Date;
  append<K extends TimelineKind>(e: TimelineEntry<K>): Promise<TimelineEventOf<K> | undefined>;
  enqueue<K extends TaskKind>(task: TaskFields<K>): Promise<void>;
}

/**
 * Extension points for other features (reviews, paging…). Each runs inside the transaction of the
 * change, so what it writes (rows, outbox tasks) commits or rolls back with it.
 */
export interface IncidentHooks {
  /** `origin`: the alert group it was declared from, if any. */
  declared?(trx: Kysely<Database>, incident: Incident, origin: DeclarationOrigin | undefined): Promise<void>;
  resolved?(trx: Kysely<Database>, incident: Incident): Promise<void>;
  closed?(trx: Kysely<Database>, incident: Incident): Promise<void>;
  /** Returns a reason to refuse closing (shown to the person), or undefined to allow it. */
  canClose?(trx: Kysely<Database>, incident: Incident): Promise<string | undefined>;
  priorityChanged?(trx: Kysely<Database>, incident: Incident, from: string | null, to: string): Promise<void>;
  /** After a triage that leaves the incident open; `before` is the incident as it was. */
  triaged?(trx: Kysely<Database>, incident: Incident, before: Incident, actorId: string): Promise<void>;
}

/** The incident lifecycle: declare, update, note, resolve, reopen, close. Each change is one transaction. */
export class IncidentService {
  constructor(private readonly ctx: ServiceContext) {}

  private readonly hooks: IncidentHooks[] = [];

  /** Registers hooks; called while the app is assembled. */
  addHooks(hooks: IncidentHooks): void {
    this.hooks.push(hooks);
  }

  /** Runs one kind of hook for every registered feature, in order. */
  async runHooks<K extends keyof IncidentHooks>(name: K, ...args: Parameters<NonNullable<IncidentHooks[K]>>): Promise<unknown[]> {
    const results: unknown[] = [];
    for (const h of this.hooks) {
      const fn = h[name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      if (fn) results.push(await fn.apply(h, args));
    }
    return results;
  }

  /** Appends a timeline row stamped with this service's clock. */
  private append<K extends TimelineKind>(db: Kysely<Database>, e: TimelineEntry<K> & { incidentId: string }) {
    return this.appendAt(db, { ...e, at: this.ctx.clock.now() });
  }

  /** Appends a timeline row and queues its integration events, in the same transaction. */
  private async appendAt<K extends TimelineKind>(db: Kysely<Database>, e: NewTimelineEvent<K>): Promise<TimelineEventOf<K> | undefined> {
    const row = await appendTimeline(db, e);
    await this.ctx.events.publish(db, row);
    return row;
  }

  /** `within` runs in the declaring transaction, before the hooks (e.g. to record a drill's script). */
  async declare(input: DeclareInput, opts: { within?: (trx: Kysely<Database>, incident: Incident) => Promise<void> } = {}): Promise<{ incident: Incident; created: boolean }> {
    const title = input.title.trim();
    const kind = isIncidentKind(input.kind) ? input.kind : undefined;
    const type = findType(this.ctx.policy, input.type);
    const fields = Object.fromEntries(fieldsOfType(this.ctx.policy, type?.name).flatMap((f) => (isEmpty(input.fields?.[f.key]) ? [] : [[f.key, input.fields![f.key]!]])));
    refuseInvalid<string>({
      title: !title ? 'An incident needs a title.' : title.length > TITLE_MAX ? `The title can be at most ${TITLE_MAX} characters.` : undefined,
      severity: severityProblem(this.ctx.policy, input.severity),
      kind: kind ? undefined : 'Choose service or security.',
      type: input.type && !type ? `Unknown incident type ${input.type}.` : undefined,
      ...fieldProblems(this.ctx.policy, type?.name ?? null, fields, 'declare'),
    });
    if (input.sourceKey) {
      const existing = await repo.findIncidentBySourceKey(this.ctx.db, input.sourceKey);
      if (existing) return { incident: existing, created: false };
    }
    try {
      const incident = await this.ctx.db.transaction().execute(async (trx) => {
        const number = await repo.nextIncidentNumber(trx, input.teamId);
        const incident = await repo.insertIncident(trx, {
          ...input,
          number,
          title,
          kind: kind!,
          description: input.description.trim(),
          status: this.ctx.policy.statuses[0].id,
          services: input.services.map((s) => s.trim()).filter(Boolean),
          sourceKey: input.sourceKey ?? null,
          declaredAt: this.ctx.clock.now(),
          type: type?.name ?? null,
          fields,
        });
        // A concurrent delivery of the same request won the race: undo our number and return theirs.
        if (!incident) throw new DuplicateDeclaration();
        if (input.commanderId) {
          await trx.insertInto('incident_roles').values({ incident_id: incident.id, role: 'commander', user_id: input.commanderId, assigned_by: input.reporterId, assigned_at: incident.declaredAt }).execute();
        }
        await this.append(trx, {
          incidentId: incident.id,
          actorId: input.reporterId,
          kind: 'declared',
          payload: { title, severity: input.severity, kind: kind!, status: incident.status, commander: input.commanderId, services: incident.services, description: incident.description, ...(input.isDrill ? { drill: true } : {}), ...(type ? { type: type.name } : {}) },
        });
        await enqueueTask(trx, { kind: IncidentTask.provision, incidentId: incident.id });
        await opts.within?.(trx, incident);
        await this.runHooks('declared', trx, incident, input.origin);
        return incident;
      });
      this.ctx.tasks.kick();
      return { incident, created: true };
    } catch (err) {
      if (err instanceof DuplicateDeclaration && input.sourceKey) {
        const existing = await repo.findIncidentBySourceKey(this.ctx.db, input.sourceKey);
        if (existing) return { incident: existing, created: false };
      }
      throw err;
    }
  }

  /**
   * Posts an update to the channel and the chosen audiences. With status "resolved" it resolves the
   * incident, and the audiences get the resolution. `within` runs in the same transaction.
   */
  async postUpdate(input: UpdateInput, opts: { within?: (trx: Kysely<Database>) => Promise<void> } = {}): Promise<{ incident: Incident; event: TimelineEvent }> {
    this.checkUpdate(input);
    const message = input.message.trim();
    const audiences = [...new Set(input.audiences ?? [])].filter((a) => a !== 'technical');
    if (input.status === 'resolved') return this.resolve({ incidentId: input.incidentId, actorId: input.actorId, summary: message, audiences }, opts);
    return this.change(input.incidentId, async (trx, current) => {
      if (isResolved(current)) throw new DomainError('invalid_state', 'This incident is resolved. Reopen it first with `/incident reopen <reason>`.');
      const statusChanged = current.status !== input.status;
      const now = this.ctx.clock.now();
      const nextUpdateAt = input.nextUpdateInMinutes ? new Date(now.getTime() + input.nextUpdateInMinutes * 60_000) : null;
      const incident = await repo.updateIncident(trx, current.id, {
        status: input.status,
        next_update_at: nextUpdateAt,
        last_update_at: now,
        mitigated_at: current.mitigatedAt ?? (input.status === 'monitoring' ? now : null),
      });
      if (statusChanged) {
        await this.append(trx, { incidentId: current.id, actorId: input.actorId, kind: 'status_changed', payload: { from: current.status, to: input.status } });
      }
      const event = await this.append(trx, {
        incidentId: current.id,
        actorId: input.actorId,
        kind: 'update',
        payload: { status: input.status, message, next_update_at: nextUpdateAt?.toISOString() ?? null, audiences },
      });
      await this.deliverTo(trx, event!, audiences);
      await opts.within?.(trx);
      return { incident, event: event! };
    });
  }

  /** Refuses an update (or one waiting behind its preview) that could not be posted: no message, an unknown status or audience. */
  checkUpdate(input: Pick<UpdateInput, 'status' | 'message' | 'audiences'>): void {
    const unconfigured = (input.audiences ?? []).filter((a) => a !== 'technical' && !this.ctx.policy.comms[a].channel && !this.ctx.policy.comms[a].users?.length);
    refuseInvalid<keyof UpdateInput>({
      message: input.message.trim() ? undefined : 'Say what changed.',
      status: this.ctx.policy.statuses.some((s) => s.id === input.status) ? undefined : input.status ? `Unknown status ${input.status}.` : 'Choose a status.',
      audiences: unconfigured.length ? `No ${unconfigured[0]} audience is configured in the policy (comms.${unconfigured[0]}).` : undefined,
    });
  }

  async addNote(incidentId: string, actorId: string, text: string): Promise<TimelineEvent> {
    const note = text.trim();
    if (!note) throw new DomainError('invalid_input', 'Write the note.', 'text');
    const incident = await repo.findIncidentById(this.ctx.db, incidentId);
    if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
    const event = await this.ctx.db.transaction().execute((trx) => this.append(trx, { incidentId, actorId, kind: 'note', payload: { text: note } }));
    this.ctx.tasks.kick();
    return event!;
  }

  /** Resolves the incident; `audiences` (policy `comms`) are sent the resolution. `within` runs in the same transaction. */
  async resolve(
    input: { incidentId: string; actorId: string; summary: string; audiences?: Audience[] },
    opts: { within?: (trx: Kysely<Database>) => Promise<void> } = {},
  ): Promise<{ incident: Incident; event: TimelineEvent }> {
    const summary = input.summary.trim();
    if (!summary) throw new DomainError('invalid_input', 'Describe how it was resolved.', 'summary');
    return this.change(input.incidentId, async (trx, current) => {
      if (isResolved(current)) throw new DomainError('invalid_state', 'This incident is already resolved.');
      refuseMissingFields(this.ctx.policy, current, 'resolve');
      const now = this.ctx.clock.now();
      const incident = await repo.updateIncident(trx, current.id, {
        status: 'resolved',
        resolution_summary: summary,
        resolved_at: now,
        mitigated_at: current.mitigatedAt ?? now,
        next_update_at: null,
      });
      if (current.status !== 'resolved') {
        await this.append(trx, { incidentId: current.id, actorId: input.actorId, kind: 'status_changed', payload: { from: current.status, to: 'resolved' } });
      }
      const audiences = input.audiences ?? [];
      const event = await this.append(trx, { incidentId: current.id, actorId: input.actorId, kind: 'resolved', payload: { summary, ...(audiences.length ? { audiences } : {}) } });
      await this.deliverTo(trx, event!, audiences);
      await opts.within?.(trx);
      await this.runHooks('resolved', trx, incident);
      return { incident, event: event! };
    });
  }

  /** Queues an update or resolution for each audience's destinations: one task per destination, so a retry never repeats a post that already went out. */
  private async deliverTo(trx: Kysely<Database>, event: TimelineEvent, audiences: Audience[]): Promise<void> {
    for (const audience of audiences) {
      const target = this.ctx.policy.comms[audience];
      const destinations = [...(target.channel ? [{ channel: target.channel }] : []), ...(target.users ?? []).map((u) => ({ user: u }))];
      for (const to of destinations) {
        await enqueueTask(trx, { kind: IncidentTask.deliver, incidentId: event.incidentId, payload: { eventId: event.id, audience, ...to } });
      }
    }
  }

  async reopen(input: { incidentId: string; actorId: string; reason: string }): Promise<{ incident: Incident; event: TimelineEvent }> {
    const reason = input.reason.trim();
    if (!reason) throw new DomainError('invalid_input', 'Say why it is reopened: `/incident reopen <reason>`.', 'reason');
    return this.change(input.incidentId, async (trx, current) => {
      if (!isResolved(current)) throw new DomainError('invalid_state', 'This incident is not resolved, so there is nothing to reopen.');
      const status = this.ctx.policy.statuses[0].id;
      const incident = await repo.updateIncident(trx, current.id, { status, resolved_at: null, closed_at: null, resolution_summary: null });
      await this.append(trx, { incidentId: current.id, actorId: input.actorId, kind: 'status_changed', payload: { from: current.status, to: status } });
      const event = await this.append(trx, { incidentId: current.id, actorId: input.actorId, kind: 'reopened', payload: { reason, was_closed: isClosed(current) } });
      return { incident, event: event! };
    });
  }

  async close(input: { incidentId: string; actorId: string }): Promise<{ incident: Incident; event: TimelineEvent }> {
    return this.change(input.incidentId, async (trx, current) => {
      if (isClosed(current)) throw new DomainError('invalid_state', 'This incident is already closed.');
      if (!isResolved(current)) throw new DomainError('invalid_state', 'Resolve the incident before closing it: `/incident resolve`.');
      refuseMissingFields(this.ctx.policy, current, 'close');
      const refusals = (await this.runHooks('canClose', trx, current)).filter((r): r is string => typeof r === 'string');
      if (refusals.length) throw new DomainError('invalid_state', refusals.join(' '));
      const incident = await repo.updateIncident(trx, current.id, { closed_at: this.ctx.clock.now() });
      const event = await this.append(trx, { incidentId: current.id, actorId: input.actorId, kind: 'closed', payload: {} });
      await this.runHooks('closed', trx, incident);
      return { incident, event: event! };
    });
  }

  findByChannel(channelId: string): Promise<Incident | undefined> {
    return repo.findIncidentByChannel(this.ctx.db, channelId);
  }

  findById(id: string): Promise<Incident | undefined> {
    return repo.findIncidentById(this.ctx.db, id);
  }

  list(teamId: string, opts: { includeClosed: boolean; limit: number; offset?: number; type?: string }) {
    return repo.listIncidents(this.ctx.db, { teamId, ...opts });
  }

  timeline(incidentId: string): Promise<TimelineEvent[]> {
    return listTimeline(this.ctx.db, incidentId, this.ctx.timelineLog);
  }

  /**
   * Runs a change to one incident under a row lock, in one transaction, then queues its Slack side
   * effects: the returned timeline event (if any) is broadcast to the channel and the announcement
   * thread, and the card/topic are re-synced. Other features (triage, roles…) change incidents this way.
   */
  async applyChange<T extends object>(
    incidentId: string,
    fn: (trx: Kysely<Database>, current: Incident, tools: ChangeTools) => Promise<T>,
    opts: { sync?: boolean } = {},
  ): Promise<T> {
    const result = await this.ctx.db.transaction().execute(async (trx) => {
      const current = await repo.findIncidentById(trx, incidentId, { forUpdate: true });
      if (!current) throw new DomainError('not_found', 'That incident no longer exists.');
      const now = this.ctx.clock.now();
      const tools: ChangeTools = {
        now,
        append: (e) => this.appendAt(trx, { ...e, incidentId, at: now }),
        enqueue: (task) => enqueueTask(trx, { ...task, incidentId }),
      };
      const out = await fn(trx, current, tools);
      const event = (out as { event?: TimelineEvent }).event;
      if (event) {
        for (const target of ['channel', 'announcement'] as const) {
          await enqueueTask(trx, { kind: IncidentTask.broadcast, incidentId, payload: { eventId: event.id, target } });
        }
      }
      if (opts.sync !== false) await enqueueTask(trx, { kind: IncidentTask.sync, incidentId, dedupeKey: `sync:${incidentId}` });
      return out;
    });
    this.ctx.tasks.kick();
    return result;
  }

  private change(
    incidentId: string,
    fn: (trx: Kysely<Database>, current: Incident) => Promise<{ incident: Incident; event: TimelineEvent }>,
  ): Promise<{ incident: Incident; event: TimelineEvent }> {
    return this.applyChange(incidentId, (trx, current) => fn(trx, current));
  }
}
