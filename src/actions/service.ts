import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError, refuseInvalid, type FieldProblems } from '../incidents/errors.js';
import { findIncidentById } from '../incidents/repository.js';
import { enqueueTask } from '../outbox/tasks.js';
import { addDays, isDateOnly, localTime, UTC_ZONE } from '../calendar/calendar.js';
import { appendTimeline, type TimelineEntry, type TimelineKind, type TimelinePayloads } from '../timeline/timeline.js';

type ActionChangeKind = 'action_done' | 'action_reopened' | 'action_snoozed' | 'action_reassigned';
/** What a change to an action records, besides the action's id and title. */
type ActionChange = { [K in ActionChangeKind]: { kind: K; payload: Omit<TimelinePayloads[K], 'action_id' | 'title'> } }[ActionChangeKind];
import { ACTION_PRIORITIES, ACTION_TITLE_MAX, actionRef, type ActionPriority, type FollowUpAction } from './action.js';
import * as repo from './repository.js';
import { ActionTask } from './side-effects.js';
import type { ServiceContext } from '../context.js';

/** A new follow-up action, as the form or the one-liner gives it. */
export interface AddActionInput {
  incidentId: string;
  actorId: string;
  title: string;
  ownerId: string;
  /** YYYY-MM-DD; the policy's default when omitted. */
  dueDate?: string | null;
  /** One of ACTION_PRIORITIES; medium when omitted. */
  priority?: string;
  trackerUrl?: string | null;
  /** Idempotency key: adding twice with the same key returns the first action. */
  sourceKey?: string;
}

/** Problems with an action's fields, keyed by field, in words a person can act on. */
export type ActionProblems = FieldProblems<'title' | 'ownerId' | 'dueDate' | 'priority' | 'trackerUrl'>;

/**
 * Extension points for other features (reminders…). Each runs inside the transaction of the change,
 * so what it writes (rows, outbox tasks) commits or rolls back with it.
 */
export interface ActionHooks {
  /** An action was completed, reopened, snoozed or reassigned. */
  changed?(trx: Kysely<Database>, actionId: string, at: Date): Promise<void>;
}

/** Follow-up actions: add, complete, reopen, snooze, reassign, list. Every change is on the timeline. */
export class ActionService {
  constructor(private readonly ctx: ServiceContext) {}

  private readonly hooks: ActionHooks[] = [];

  /** Registers hooks; called while the app is assembled. */
  addHooks(hooks: ActionHooks): void {
    this.hooks.push(hooks);
  }

  /** Today's date in UTC: the reference for "overdue" when no owner timezone is at hand. */
  today(): string {
    return localTime(this.ctx.clock.now(), UTC_ZONE).date;
  }

  /** The team an owner belongs to (the first team in policy that lists them). */
  teamOf(ownerId: string): string | null {
    return this.ctx.policy.actions.teams.find((t) => t.members.includes(ownerId))?.id ?? null;
  }

  /** Checks an action's fields; an empty result means they are fine. */
  check(input: Pick<AddActionInput, 'title' | 'ownerId' | 'dueDate' | 'priority' | 'trackerUrl'>): ActionProblems {
    const problems: ActionProblems = {};
    const title = input.title.trim();
    if (!title) problems.title = 'Say what needs doing.';
    else if (title.length > ACTION_TITLE_MAX) problems.title = `Keep it to ${ACTION_TITLE_MAX} characters (it has ${title.length}).`;
    if (!/^[UW][A-Z0-9]+$/.test(input.ownerId)) problems.ownerId = 'Choose who owns it.';
    if (input.dueDate) {
      if (!isDateOnly(input.dueDate)) problems.dueDate = 'Give the due date as YYYY-MM-DD.';
      // One day of slack: "today" somewhere in the world may still be yesterday in UTC.
      else if (input.dueDate < addDays(this.today(), -1)) problems.dueDate = 'The due date is in the past.';
    }
    if (input.priority && !ACTION_PRIORITIES.includes(input.priority as ActionPriority)) problems.priority = 'Choose high, medium or low.';
    if (input.trackerUrl && !/^https?:\/\/\S+$/i.test(input.trackerUrl)) problems.trackerUrl = 'The tracker link must start with http:// or https://.';
    return problems;
  }

  async add(input: AddActionInput): Promise<{ action: FollowUpAction; created: boolean }> {
    refuseInvalid(this.check(input));
    const priority = (input.priority ?? 'medium') as ActionPriority;
    if (input.sourceKey) {
      const existing = await repo.findActionBySourceKey(this.ctx.db, input.sourceKey);
      if (existing) return { action: existing, created: false };
    }
    const id = await this.ctx.db.transaction().execute(async (trx) => {
      const incident = await findIncidentById(trx, input.incidentId);
      if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
      const title = input.title.trim();
      const dueDate = input.dueDate || addDays(this.today(), this.ctx.policy.actions.default_due_days);
      const id = await repo.insertAction(trx, {
        incidentId: incident.id,
        title,
        ownerId: input.ownerId,
        team: this.teamOf(input.ownerId),
        dueDate,
        priority,
        trackerUrl: input.trackerUrl?.trim() || null,
        createdBy: input.actorId,
        at: this.ctx.clock.now(),
        sourceKey: input.sourceKey ?? null,
      });
      if (!id) return undefined;
      await this.append(trx, { incidentId: incident.id, actorId: input.actorId, kind: 'action_added', payload: { action_id: id, title, owner: input.ownerId, due: dueDate, priority } });
      if (input.ownerId !== input.actorId) await enqueueTask(trx, { kind: ActionTask.notifyOwner, payload: { actionId: id, by: input.actorId } });
      return id;
    });
    if (!id) {
      const existing = await repo.findActionBySourceKey(this.ctx.db, input.sourceKey!);
      return { action: existing!, created: false };
    }
    this.ctx.tasks.kick();
    return { action: (await repo.findAction(this.ctx.db, id))!, created: true };
  }

  /** Marks an action done; `changed` is false when it already was. */
  complete(actionId: string, actorId: string) {
    return this.change(actionId, async (trx, current) => {
      if (current.status === 'done') return false;
      await repo.updateAction(trx, actionId, { status: 'done', done_at: this.ctx.clock.now(), done_by: actorId, updated_at: this.ctx.clock.now() });
      return { kind: 'action_done', payload: {} };
    }, actorId);
  }

  reopen(actionId: string, actorId: string) {
    return this.change(actionId, async (trx, current) => {
      if (current.status === 'open') return false;
      await repo.updateAction(trx, actionId, { status: 'open', done_at: null, done_by: null, snoozed_until: null, updated_at: this.ctx.clock.now() });
      return { kind: 'action_reopened', payload: {} };
    }, actorId);
  }

  /** Pauses reminders (and escalation) of an open action for `days` (the policy's snooze when omitted). */
  snooze(actionId: string, actorId: string, days = this.ctx.policy.reminders.snooze_days) {
    return this.change(actionId, async (trx, current) => {
      if (current.status === 'done') throw new DomainError('invalid_state', 'That action is already done.');
      const until = addDays(this.today(), days);
      await repo.updateAction(trx, actionId, { snoozed_until: until, updated_at: this.ctx.clock.now() });
      return { kind: 'action_snoozed', payload: { until } };
    }, actorId);
  }

  reassign(actionId: string, actorId: string, ownerId: string) {
    if (!/^[UW][A-Z0-9]+$/.test(ownerId)) throw new DomainError('invalid_input', 'Choose who should own it.', 'ownerId');
    return this.change(actionId, async (trx, current) => {
      if (current.owner_id === ownerId) return false;
      await repo.updateAction(trx, actionId, { owner_id: ownerId, team: this.teamOf(ownerId), snoozed_until: null, updated_at: this.ctx.clock.now() });
      if (ownerId !== actorId) await enqueueTask(trx, { kind: ActionTask.notifyOwner, payload: { actionId, by: actorId } });
      return { kind: 'action_reassigned', payload: { from: current.owner_id, to: ownerId } };
    }, actorId);
  }

  get(actionId: string): Promise<FollowUpAction | undefined> {
    return repo.findAction(this.ctx.db, actionId);
  }

  list(filter: repo.ActionFilter) {
    return repo.listActions(this.ctx.db, filter);
  }

  /** Every action of an incident, open ones first. */
  async forIncident(incidentId: string, db: Kysely<Database> = this.ctx.db): Promise<FollowUpAction[]> {
    return (await repo.listActions(db, { incidentId, limit: 1000 })).actions;
  }

  private async append<K extends TimelineKind>(db: Kysely<Database>, e: TimelineEntry<K> & { incidentId: string }) {
    const row = await appendTimeline(db, { ...e, at: this.ctx.clock.now() });
    await this.ctx.events.publish(db, row);
    return row;
  }

  /**
   * Runs one change under a row lock: the timeline records it, and the `changed` hooks run (reminders
   * queue an in-place refresh of the DMs that list the action). `apply` returns false when there was nothing to change.
   */
  private async change(
    actionId: string,
    apply: (trx: Kysely<Database>, current: NonNullable<Awaited<ReturnType<typeof repo.lockAction>>>) => Promise<false | ActionChange>,
    actorId: string,
  ): Promise<{ action: FollowUpAction; changed: boolean }> {
    const changed = await this.ctx.db.transaction().execute(async (trx) => {
      const current = await repo.lockAction(trx, actionId);
      if (!current) throw new DomainError('not_found', `There is no action ${actionRef({ id: actionId })}.`);
      const result = await apply(trx, current);
      if (!result) return false;
      const action = (await repo.findAction(trx, actionId))!;
      await this.append(trx, { incidentId: current.incident_id, actorId, kind: result.kind, payload: { action_id: actionId, title: action.title, ...result.payload } });
      for (const h of this.hooks) await h.changed?.(trx, actionId, this.ctx.clock.now());
      return true;
    });
    if (changed) this.ctx.tasks.kick();
    return { action: (await repo.findAction(this.ctx.db, actionId))!, changed };
  }
}
