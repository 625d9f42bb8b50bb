import { z } from 'zod';
import type { Kysely, Selectable } from 'kysely';
import type { Database, TimelineEventsTable } from '../db/schema.js';
import { isTimelineKind, timelinePayloadSchema, type TimelineKind, type TimelinePayloads } from './kinds.js';

export { isTimelineKind, type TimelineKind, type TimelinePayloads } from './kinds.js';

interface TimelineRow {
  id: string;
  incidentId: string;
  at: Date;
  actorId: string | null;
}

/** A row of one kind (of each, for a union of kinds), its payload as that kind declares it. */
export type TimelineEventOf<K extends TimelineKind> = K extends TimelineKind ? TimelineRow & { kind: K; payload: TimelinePayloads[K] } : never;

/** Any readable row; `switch (e.kind)` narrows its payload. */
export type KnownTimelineEvent = TimelineEventOf<TimelineKind>;

/**
 * A stored row whose payload does not match its kind's schema, or whose kind this version does not
 * know (a row is permanent; the code that reads it changes). It is still shown, from what it holds.
 */
export interface UnreadableTimelineEvent extends TimelineRow {
  kind: 'unreadable';
  storedKind: string;
  payload: Record<string, unknown>;
  problem: string;
}

export type TimelineEvent = KnownTimelineEvent | UnreadableTimelineEvent;

/** What a change records: the row's kind, its payload and who did it. */
export interface TimelineEntry<K extends TimelineKind> {
  kind: K;
  payload: TimelinePayloads[K];
  actorId: string | null;
  /** A second append with the same key is skipped. */
  dedupeKey?: string;
}

export type NewTimelineEvent<K extends TimelineKind> = TimelineEntry<K> & {
  incidentId: string;
  /** Defaults to the database's now(). */
  at?: Date;
};

/** Where unreadable rows are reported (the process logger). */
export interface TimelineLog {
  warn(obj: object, msg: string): void;
}

/** The kind a row was stored with. */
export function storedKind(e: TimelineEvent): string {
  return e.kind === 'unreadable' ? e.storedKind : e.kind;
}

/** Parses a stored payload with its kind's schema. */
function parsePayload<K extends TimelineKind>(kind: K, payload: unknown): { ok: true; payload: TimelinePayloads[K] } | { ok: false; problem: string } {
  const parsed = timelinePayloadSchema(kind).safeParse(payload);
  if (parsed.success) return { ok: true, payload: parsed.data };
  return { ok: false, problem: z.prettifyError(parsed.error) };
}

/** A stored row as an event: parsed once here, so every reader sees the declared payload (or an unreadable row). */
function toEvent(row: Selectable<TimelineEventsTable>, log?: TimelineLog): TimelineEvent {
  const base = { id: row.id, incidentId: row.incident_id, at: row.at, actorId: row.actor_id };
  const parsed = isTimelineKind(row.kind) ? parsePayload(row.kind, row.payload) : { ok: false as const, problem: `unknown kind ${row.kind}` };
  if (parsed.ok) return { ...base, kind: row.kind, payload: parsed.payload } as KnownTimelineEvent;
  log?.warn({ event: row.id, incident: row.incident_id, kind: row.kind, problem: parsed.problem }, 'timeline row does not match its kind; shown as stored');
  return { ...base, kind: 'unreadable', storedKind: row.kind, payload: isRecord(row.payload) ? row.payload : {}, problem: parsed.problem };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The row to insert; the payload is checked against its kind's schema, so no row is stored that its readers cannot read. */
function toRow<K extends TimelineKind>(e: NewTimelineEvent<K>) {
  const payload = timelinePayloadSchema(e.kind).parse(e.payload);
  return { payload, row: { incident_id: e.incidentId, actor_id: e.actorId, kind: e.kind, payload: JSON.stringify(payload), dedupe_key: e.dedupeKey ?? null, ...(e.at ? { at: e.at } : {}) } };
}

/** Appends a row; with a dedupe key, a second append of the same key returns undefined. */
export async function appendTimeline<K extends TimelineKind>(db: Kysely<Database>, e: NewTimelineEvent<K>): Promise<TimelineEventOf<K> | undefined> {
  const { payload, row: values } = toRow(e);
  const row = await db
    .insertInto('timeline_events')
    .values(values)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning(['id', 'incident_id', 'at', 'actor_id'])
    .executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, incidentId: row.incident_id, at: row.at, actorId: row.actor_id, kind: e.kind, payload } as TimelineEventOf<K>;
}

/** Appends many rows in one statement (rows whose dedupe key was already used are skipped). */
export async function appendTimelineMany<K extends TimelineKind>(db: Kysely<Database>, events: NewTimelineEvent<K>[]): Promise<void> {
  if (!events.length) return;
  await db
    .insertInto('timeline_events')
    .values(events.map((e) => toRow(e).row))
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

/** The timeline in the order it was recorded; rows that do not parse are logged and kept as unreadable. */
export async function listTimeline(db: Kysely<Database>, incidentId: string, log?: TimelineLog): Promise<TimelineEvent[]> {
  const rows = await db.selectFrom('timeline_events').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
  return rows.map((r) => toEvent(r, log));
}

/** The latest rows of these kinds, newest first (an index walk from the end, however long the timeline). */
export async function latestTimeline(db: Kysely<Database>, incidentId: string, kinds: readonly TimelineKind[], limit: number, log?: TimelineLog): Promise<TimelineEvent[]> {
  if (!kinds.length) return [];
  const rows = await db.selectFrom('timeline_events').selectAll().where('incident_id', '=', incidentId).where('kind', 'in', kinds).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => toEvent(r, log));
}

export async function findTimelineEvent(db: Kysely<Database>, id: string, log?: TimelineLog): Promise<TimelineEvent | undefined> {
  const row = await db.selectFrom('timeline_events').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEvent(row, log) : undefined;
}

/** The payloads of an incident's rows of one kind, oldest first; rows that do not parse are left out. */
export async function timelinePayloads<K extends TimelineKind>(db: Kysely<Database>, incidentId: string, kind: K): Promise<TimelinePayloads[K][]> {
  const rows = await db.selectFrom('timeline_events').select('payload').where('incident_id', '=', incidentId).where('kind', '=', kind).orderBy('id').execute();
  return rows.flatMap((r) => {
    const parsed = parsePayload(kind, r.payload);
    return parsed.ok ? [parsed.payload] : [];
  });
}
