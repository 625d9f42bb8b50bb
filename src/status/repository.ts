import { sql, type Kysely } from 'kysely';
import { effectiveIncidentsSql } from '../timestamps/effective.js';
import type { Database } from '../db/schema.js';
import { toMaintenance, toPost, type ComponentChange, type Maintenance, type StatusPost } from './post.js';

type Db = Kysely<Database>;

export interface NewPost {
  incidentId: string;
  authorId: string;
  status: StatusPost['status'];
  title: string;
  body: string;
  components: ComponentChange[];
  notify: boolean;
  createdAt: Date;
}

export async function insertPost(db: Db, p: NewPost): Promise<StatusPost> {
  const row = await db
    .insertInto('status_posts')
    .values({ incident_id: p.incidentId, author_id: p.authorId, status: p.status, title: p.title, body: p.body, components: JSON.stringify(p.components), notify: p.notify, state: 'draft', created_at: p.createdAt })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPost(row);
}

export async function findPost(db: Db, id: string, opts: { forUpdate?: boolean } = {}): Promise<StatusPost | undefined> {
  let q = db.selectFrom('status_posts').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toPost(row) : undefined;
}

export async function markPending(db: Db, id: string): Promise<void> {
  await db.updateTable('status_posts').set({ state: 'pending' }).where('id', '=', id).execute();
}

export async function markPublished(db: Db, id: string, at: Date, approvedBy: string | null): Promise<StatusPost> {
  const row = await db.updateTable('status_posts').set({ state: 'published', published_at: at, approved_by: approvedBy }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toPost(row);
}

export async function setRequestMessage(db: Db, id: string, channel: string, ts: string): Promise<void> {
  await db.updateTable('status_posts').set({ request_channel: channel, request_ts: ts }).where('id', '=', id).execute();
}

/** An incident's published posts, oldest first. */
export async function publishedPostsOf(db: Db, incidentId: string): Promise<StatusPost[]> {
  const rows = await db.selectFrom('status_posts').selectAll().where('incident_id', '=', incidentId).where('state', '=', 'published').orderBy('published_at').orderBy('id').execute();
  return rows.map(toPost);
}

/** Published posts of every incident that had one published since `since`, oldest first. */
export async function publishedPostsSince(db: Db, since: Date): Promise<StatusPost[]> {
  const incidents = db.selectFrom('status_posts').select('incident_id').where('state', '=', 'published').where('published_at', '>=', since);
  const rows = await db.selectFrom('status_posts').selectAll().where('state', '=', 'published').where('incident_id', 'in', incidents).orderBy('published_at').orderBy('id').execute();
  return rows.map(toPost);
}

/**
 * Incidents that had a post published since `since`, with their checked impact timestamps as they
 * count (corrections applied): impact began when it started (else was detected, else declared) and
 * ended when it was mitigated (else resolved).
 */
export async function publicIncidentTimes(db: Db, since: Date): Promise<{ id: string; impactFrom: Date; impactTo: Date | null }[]> {
  const published = sql`i.id in (select incident_id from status_posts where state = 'published' and published_at >= ${since})`;
  const { rows } = await sql<{ id: string; started: Date; ended: Date | null }>`
    select e.id, coalesce(e.impact_started_at, e.detected_at, e.declared_at) as started, coalesce(e.mitigated_at, e.resolved_at) as ended
    from (${effectiveIncidentsSql(published)}) e`.execute(db);
  return rows.map((r) => ({ id: r.id, impactFrom: r.started, impactTo: r.ended }));
}

export async function insertMaintenance(db: Db, m: { changeId: string; title: string; body: string; components: string[]; createdBy: string; createdAt: Date }): Promise<void> {
  await db
    .insertInto('status_maintenances')
    .values({ change_id: m.changeId, title: m.title, body: m.body, components: m.components, created_by: m.createdBy, created_at: m.createdAt, published_status: null })
    .execute();
}

/** Published maintenance whose window ends after `since`; a change the CAB rejected is left out. */
export async function maintenancesSince(db: Db, since: Date, opts: { forUpdate?: boolean } = {}): Promise<Maintenance[]> {
  let q = db
    .selectFrom('status_maintenances as m')
    .innerJoin('changes as c', 'c.id', 'm.change_id')
    .selectAll('m')
    .select(['c.starts_at', 'c.ends_at'])
    .where('c.status', '!=', 'rejected')
    .where('c.ends_at', '>=', since)
    .orderBy('c.starts_at')
    .orderBy('m.change_id');
  if (opts.forUpdate) q = q.forUpdate();
  return (await q.execute()).map(toMaintenance);
}

export async function findMaintenance(db: Db, changeId: string): Promise<Maintenance | undefined> {
  const row = await db
    .selectFrom('status_maintenances as m')
    .innerJoin('changes as c', 'c.id', 'm.change_id')
    .selectAll('m')
    .select(['c.starts_at', 'c.ends_at'])
    .where('m.change_id', '=', changeId)
    .where('c.status', '!=', 'rejected')
    .executeTakeFirst();
  return row ? toMaintenance(row) : undefined;
}

/** Marks the maintenance of changes the CAB rejected as withdrawn; returns their change ids (once each). */
export async function withdrawRejected(db: Db): Promise<string[]> {
  const rows = await db
    .updateTable('status_maintenances')
    .set({ published_status: 'withdrawn' })
    .where('change_id', 'in', db.selectFrom('changes').select('id').where('status', '=', 'rejected'))
    .where((eb) => eb.or([eb('published_status', 'is', null), eb('published_status', '!=', 'withdrawn')]))
    .returning('change_id')
    .execute();
  return rows.map((r) => r.change_id);
}

export async function recordMaintenanceStatus(db: Db, changeId: string, status: string): Promise<number> {
  const row = await db
    .updateTable('status_maintenances')
    .set((eb) => ({ published_status: status, revision: eb('revision', '+', 1) }))
    .where('change_id', '=', changeId)
    .returning('revision')
    .executeTakeFirstOrThrow();
  return row.revision;
}
