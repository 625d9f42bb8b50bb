import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, PagesTable, PageTargetsTable } from '../db/schema.js';

/** SQL for pages, their targets, PagerDuty mirroring and the incident's acknowledgement time. */

export type PageLevel = { rotation?: string; users?: string[]; after_minutes: number };

/** A page as the rest of the code sees it. */
export interface Page {
  id: string;
  incidentId: string | null;
  requestedBy: string | null;
  reason: string;
  levels: PageLevel[];
  level: number;
  status: 'open' | 'acknowledged' | 'unanswered' | 'cancelled';
  escalateAt: Date | null;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

/** One person asked to respond at one level of a page. */
export interface PageTarget {
  id: string;
  pageId: string;
  level: number;
  userId: string;
  rotation: string | null;
  dmChannelId: string | null;
  dmTs: string | null;
  response: 'acknowledged' | 'declined' | null;
  respondedAt: Date | null;
}

function toPage(r: Selectable<PagesTable>): Page {
  return {
    id: r.id,
    incidentId: r.incident_id,
    requestedBy: r.requested_by,
    reason: r.reason,
    levels: r.levels,
    level: r.level,
    status: r.status,
    escalateAt: r.escalate_at,
    createdAt: r.created_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
  };
}

function toTarget(r: Selectable<PageTargetsTable>): PageTarget {
  return { id: r.id, pageId: r.page_id, level: r.level, userId: r.user_id, rotation: r.rotation, dmChannelId: r.dm_channel_id, dmTs: r.dm_ts, response: r.response, respondedAt: r.responded_at };
}

/** Inserts a page; undefined when its source key was used before (the page exists already). */
export async function insertPage(db: Kysely<Database>, p: { incidentId: string | null; requestedBy: string | null; reason: string; levels: PageLevel[]; at: Date; sourceKey: string | null }): Promise<Page | undefined> {
  const row = await db
    .insertInto('pages')
    .values({ incident_id: p.incidentId, requested_by: p.requestedBy, reason: p.reason, levels: JSON.stringify(p.levels), status: 'open', created_at: p.at, source_key: p.sourceKey, escalate_at: null, acknowledged_at: null, acknowledged_by: null })
    .onConflict((oc) => oc.column('source_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toPage(row) : undefined;
}

export async function findPage(db: Kysely<Database>, id: string, opts: { forUpdate?: boolean; skipLocked?: boolean } = {}): Promise<Page | undefined> {
  if (!/^\d+$/.test(id)) return undefined;
  let q = db.selectFrom('pages').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = opts.skipLocked ? q.forUpdate().skipLocked() : q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toPage(row) : undefined;
}

export async function updatePage(db: Kysely<Database>, id: string, changes: Partial<Pick<Selectable<PagesTable>, 'level' | 'status' | 'escalate_at' | 'acknowledged_at' | 'acknowledged_by'>>): Promise<Page> {
  const row = await db.updateTable('pages').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toPage(row);
}

/** Open pages whose current level has waited long enough. */
export async function duePageIds(db: Kysely<Database>, now: Date, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('pages').select('id').where('status', '=', 'open').where('escalate_at', '<=', now).orderBy('escalate_at').limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function openPagesOfIncident(db: Kysely<Database>, incidentId: string): Promise<Page[]> {
  const rows = await db.selectFrom('pages').selectAll().where('incident_id', '=', incidentId).where('status', '=', 'open').forUpdate().execute();
  return rows.map(toPage);
}

/** Adds the level's targets; returns only those not already there (a retried escalation adds nobody twice). */
export async function insertTargets(db: Kysely<Database>, pageId: string, level: number, targets: { userId: string; rotation: string | null }[], at: Date): Promise<PageTarget[]> {
  if (!targets.length) return [];
  const rows = await db
    .insertInto('page_targets')
    .values(targets.map((t) => ({ page_id: pageId, level, user_id: t.userId, rotation: t.rotation, notified_at: at, dm_channel_id: null, dm_ts: null, response: null, responded_at: null })))
    .onConflict((oc) => oc.columns(['page_id', 'level', 'user_id']).doNothing())
    .returningAll()
    .execute();
  return rows.map(toTarget);
}

export async function targetsOf(db: Kysely<Database>, pageId: string): Promise<PageTarget[]> {
  const rows = await db.selectFrom('page_targets').selectAll().where('page_id', '=', pageId).orderBy('level').orderBy('id').execute();
  return rows.map(toTarget);
}

export async function findTarget(db: Kysely<Database>, id: string): Promise<PageTarget | undefined> {
  const row = await db.selectFrom('page_targets').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTarget(row) : undefined;
}

export async function respondTarget(db: Kysely<Database>, id: string, response: 'acknowledged' | 'declined', at: Date): Promise<void> {
  await db.updateTable('page_targets').set({ response, responded_at: at }).where('id', '=', id).execute();
}

export async function targetMessaged(db: Kysely<Database>, id: string, channelId: string, ts: string): Promise<void> {
  await db.updateTable('page_targets').set({ dm_channel_id: channelId, dm_ts: ts }).where('id', '=', id).execute();
}

/** Sets the incident's acknowledgement time (for MTTA) the first time an on-call acknowledges. */
export async function markIncidentAcknowledged(db: Kysely<Database>, incidentId: string, at: Date): Promise<void> {
  await db.updateTable('incidents').set({ acknowledged_at: at, updated_at: sql<Date>`now()` }).where('id', '=', incidentId).where('acknowledged_at', 'is', null).execute();
}

/** Records that the incident is mirrored to PagerDuty; false when it already was. */
export async function startPagerdutyAlert(db: Kysely<Database>, incidentId: string, dedupKey: string, at: Date): Promise<boolean> {
  const row = await db
    .insertInto('pagerduty_alerts')
    .values({ incident_id: incidentId, dedup_key: dedupKey, triggered_at: at, trigger_sent_at: null, acknowledged_at: null, resolved_at: null })
    .onConflict((oc) => oc.column('incident_id').doNothing())
    .returning('incident_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function findPagerdutyAlert(db: Kysely<Database>, incidentId: string) {
  return db.selectFrom('pagerduty_alerts').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
}

/** Marks the alert acknowledged or resolved once; false when it already was (or was never triggered). */
export async function closePagerdutyAlert(db: Kysely<Database>, incidentId: string, field: 'acknowledged_at' | 'resolved_at', at: Date): Promise<boolean> {
  const row = await db.updateTable('pagerduty_alerts').set({ [field]: at }).where('incident_id', '=', incidentId).where(field, 'is', null).returning('incident_id').executeTakeFirst();
  return row !== undefined;
}

export async function pagerdutyTriggerSent(db: Kysely<Database>, incidentId: string, at: Date): Promise<void> {
  await db.updateTable('pagerduty_alerts').set({ trigger_sent_at: at }).where('incident_id', '=', incidentId).execute();
}
