import type { Kysely, Selectable } from 'kysely';
import type { Database, TimelineEventsTable } from '../db/schema.js';

/** Kinds of timeline rows. Rows are only ever appended. */
export type TimelineKind =
  | 'declared'
  | 'update'
  | 'status_changed'
  | 'severity_changed'
  | 'note'
  | 'role_assigned'
  | 'resolved'
  | 'reopened'
  | 'closed'
  | 'channel_created'
  | 'channel_failed'
  | 'triaged'
  | 'priority_changed'
  | 'classified'
  | 'escalated'
  | 'paged'
  | 'bridge_set'
  | 'vendor_engaged'
  | 'vendor_responded'
  | 'vendor_overdue'
  | 'message_captured'
  | 'message_withdrawn'
  | 'sla_breached'
  | 'signal_linked'
  | 'signals_resolved'
  | 'page_acknowledged'
  | 'page_declined'
  | 'page_escalated'
  | 'page_unanswered'
  | 'review_required'
  | 'review_saved'
  | 'review_state_changed'
  | 'review_document'
  | 'action_added'
  | 'action_done'
  | 'action_reopened'
  | 'action_snoozed'
  | 'action_reassigned'
  | 'action_escalated'
  | 'problem_linked'
  | 'owners_paged'
  | 'checklist_posted'
  | 'checklist_ticked'
  | 'checklist_unticked'
  | 'drill_inject'
  | 'drill_scored'
  | 'dr_activated'
  | 'dr_deactivated'
  | 'changes_shown'
  | 'cause_linked'
  | 'cause_cleared';

export interface TimelineEvent {
  id: string;
  incidentId: string;
  at: Date;
  actorId: string | null;
  kind: TimelineKind;
  payload: Record<string, unknown>;
}

export interface NewTimelineEvent {
  incidentId: string;
  actorId: string | null;
  kind: TimelineKind;
  payload?: Record<string, unknown>;
  dedupeKey?: string;
  /** Defaults to the database's now(). */
  at?: Date;
}

function toEvent(row: Selectable<TimelineEventsTable>): TimelineEvent {
  return { id: row.id, incidentId: row.incident_id, at: row.at, actorId: row.actor_id, kind: row.kind as TimelineKind, payload: row.payload };
}

/** Appends a row; with a dedupe key, a second append of the same key returns undefined. */
export async function appendTimeline(db: Kysely<Database>, e: NewTimelineEvent): Promise<TimelineEvent | undefined> {
  const row = await db
    .insertInto('timeline_events')
    .values({ incident_id: e.incidentId, actor_id: e.actorId, kind: e.kind, payload: JSON.stringify(e.payload ?? {}), dedupe_key: e.dedupeKey ?? null, ...(e.at ? { at: e.at } : {}) })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toEvent(row) : undefined;
}

/** Appends many rows in one statement (rows whose dedupe key was already used are skipped). */
export async function appendTimelineMany(db: Kysely<Database>, events: NewTimelineEvent[]): Promise<void> {
  if (!events.length) return;
  await db
    .insertInto('timeline_events')
    .values(events.map((e) => ({ incident_id: e.incidentId, actor_id: e.actorId, kind: e.kind, payload: JSON.stringify(e.payload ?? {}), dedupe_key: e.dedupeKey ?? null, ...(e.at ? { at: e.at } : {}) })))
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

/** The timeline in the order it was recorded. */
export async function listTimeline(db: Kysely<Database>, incidentId: string): Promise<TimelineEvent[]> {
  const rows = await db.selectFrom('timeline_events').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
  return rows.map(toEvent);
}

export async function findTimelineEvent(db: Kysely<Database>, id: string): Promise<TimelineEvent | undefined> {
  const row = await db.selectFrom('timeline_events').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEvent(row) : undefined;
}
