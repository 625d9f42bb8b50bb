import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChecklistRunsTable, Database } from '../db/schema.js';

export interface ChecklistItemDef {
  text: string;
  role?: string;
}

/** A checklist posted in an incident channel (a playbook or a DR plan). */
export interface ChecklistRun {
  id: string;
  incidentId: string;
  source: 'playbook' | 'dr';
  name: string;
  title: string;
  items: ChecklistItemDef[];
  startedBy: string | null;
  channelId: string | null;
  /** Its messages in the channel, in order: a long checklist is split over several. */
  partsTs: string[];
  createdAt: Date;
}

export interface Tick {
  index: number;
  doneBy: string;
  doneAt: Date;
}

function toRun(r: Selectable<ChecklistRunsTable>): ChecklistRun {
  return { id: r.id, incidentId: r.incident_id, source: r.source, name: r.name, title: r.title, items: r.items, startedBy: r.started_by, channelId: r.channel_id, partsTs: r.parts_ts, createdAt: r.created_at };
}

/** Inserts a run; returns undefined when the incident already has one with this key. */
export async function insertRun(
  db: Kysely<Database>,
  r: { incidentId: string; source: 'playbook' | 'dr'; name: string; title: string; items: ChecklistItemDef[]; runKey: string; startedBy: string | null; at: Date },
): Promise<ChecklistRun | undefined> {
  const row = await db
    .insertInto('checklist_runs')
    .values({ incident_id: r.incidentId, source: r.source, name: r.name, title: r.title, items: JSON.stringify(r.items), run_key: r.runKey, started_by: r.startedBy, created_at: r.at, channel_id: null })
    .onConflict((oc) => oc.columns(['incident_id', 'run_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export async function findRun(db: Kysely<Database>, id: string, opts: { forUpdate?: boolean } = {}): Promise<ChecklistRun | undefined> {
  let q = db.selectFrom('checklist_runs').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export async function findRunByKey(db: Kysely<Database>, incidentId: string, runKey: string): Promise<ChecklistRun | undefined> {
  const row = await db.selectFrom('checklist_runs').selectAll().where('incident_id', '=', incidentId).where('run_key', '=', runKey).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export async function runKeysOf(db: Kysely<Database>, incidentId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('checklist_runs').select('run_key').where('incident_id', '=', incidentId).execute();
  return new Set(rows.map((r) => r.run_key));
}

export async function ticksOf(db: Kysely<Database>, runId: string): Promise<Tick[]> {
  const rows = await db.selectFrom('checklist_ticks').selectAll().where('run_id', '=', runId).orderBy('item_index').execute();
  return rows.map((r) => ({ index: r.item_index, doneBy: r.done_by, doneAt: r.done_at }));
}

export async function addTick(db: Kysely<Database>, runId: string, index: number, by: string, at: Date): Promise<void> {
  await db.insertInto('checklist_ticks').values({ run_id: runId, item_index: index, done_by: by, done_at: at }).execute();
}

export async function removeTick(db: Kysely<Database>, runId: string, index: number): Promise<void> {
  await db.deleteFrom('checklist_ticks').where('run_id', '=', runId).where('item_index', '=', index).execute();
}

/** Records the message of part `part` (0-based); only the next part in order is recorded, so a retry cannot add one twice. */
export async function addRunPart(db: Kysely<Database>, runId: string, channelId: string, part: number, ts: string): Promise<void> {
  await db
    .updateTable('checklist_runs')
    .set({ channel_id: channelId, parts_ts: sql<string[]>`array_append(parts_ts, ${ts})` })
    .where('id', '=', runId)
    .where(sql<number>`cardinality(parts_ts)`, '=', part)
    .execute();
}
