import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Route } from './routing.js';
import { toGroup, toSignal, type Signal, type SignalGroup } from './signal.js';
import type { AlertInput } from './sources.js';

/** SQL for signal groups, signals and rejected deliveries. */

export interface NewGroup {
  source: string;
  groupKey: string;
  title: string;
  description: string;
  severity: string;
  service: string | null;
  labels: Record<string, string>;
  link: string | null;
  status: 'firing' | 'resolved';
  route: Route;
  at: Date;
}

/** The columns a group takes from a delivery: its facts and its route. */
function factsOf(g: NewGroup) {
  const { action: _a, channel: _c, ...rest } = g.route;
  return {
    title: g.title,
    description: g.description,
    severity: g.severity,
    service: g.service,
    labels: JSON.stringify(g.labels),
    link: g.link,
    first_seen_at: g.at,
    route_action: g.route.action,
    route: JSON.stringify(rest),
    channel_id: g.route.channel,
  };
}

/** An episode starts unclassified, unlinked and unposted (its first post goes out at once). */
const FRESH = { classification: null, classification_reason: null, classified_by: null, classified_at: null, incident_id: null, post_channel_id: null, post_ts: null, posted_at: null, post_scheduled_for: null } as const;

/** The group's upsert: inserted, or touched (its version bumped); the row stays locked for the transaction. */
function groupUpsert(db: Kysely<Database>, g: NewGroup) {
  return db
    .insertInto('signal_groups')
    .values({ source: g.source, group_key: g.groupKey, ...factsOf(g), ...FRESH, status: g.status, last_seen_at: g.at, delivery_count: 0, resolved_at: null, posting_until: null })
    .onConflict((oc) => oc.columns(['source', 'group_key']).doUpdateSet({ last_seen_at: g.at, version: sql`signal_groups.version + 1` }))
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .returningAll();
}

function toUpserted(row: Record<string, any>): { group: SignalGroup; inserted: boolean } {
  const { inserted, ...rest } = row;
  return { group: toGroup(rest as never), inserted: inserted as boolean };
}

/** Inserts the group or touches it (bumping its version); the row stays locked for the transaction. */
export async function upsertGroup(db: Kysely<Database>, g: NewGroup): Promise<{ group: SignalGroup; inserted: boolean }> {
  return toUpserted(await groupUpsert(db, g).executeTakeFirstOrThrow());
}

/**
 * upsertGroup and upsertSignals in one statement (one database round trip for a delivery's group and
 * all its alerts); returns the group as upsertGroup does. Alerts must be unique by dedup key.
 */
export async function upsertGroupWithSignals(db: Kysely<Database>, g: NewGroup, alerts: (AlertInput & { count: number })[]): Promise<{ group: SignalGroup; inserted: boolean }> {
  if (!alerts.length) return upsertGroup(db, g);
  const row = await db
    .with('g', (qc) => groupUpsert(qc as unknown as Kysely<Database>, g))
    .with('s', (qc) => signalsUpsert(qc as unknown as Kysely<Database>, sql`(select id from g)`, g.source, alerts, g.at))
    .selectFrom('g')
    .selectAll()
    .executeTakeFirstOrThrow();
  return toUpserted(row);
}

/** Starts a new episode of a group that fired again long after resolving: fresh facts, route, classification and post. */
export async function restartGroup(db: Kysely<Database>, id: string, g: NewGroup): Promise<void> {
  await db
    .updateTable('signal_groups')
    .set({ episode: sql`episode + 1`, ...factsOf(g), ...FRESH })
    .where('id', '=', id)
    .execute();
}

/**
 * Upserts a batch of alerts in one statement: new ones are inserted, repeats raise their count and
 * update status and last-seen. Alerts must be unique by dedup key within the batch.
 */
export async function upsertSignals(db: Kysely<Database>, groupId: string, source: string, alerts: (AlertInput & { count: number })[], at: Date): Promise<void> {
  if (!alerts.length) return;
  await signalsUpsert(db, sql`${groupId}::bigint`, source, alerts, at).execute();
}

/** The alerts as one JSON array (one parameter, encoded natively) rather than nine arrays. */
function alertRows(alerts: (AlertInput & { count: number })[]): string {
  return JSON.stringify(alerts.map((a) => ({ k: a.dedupKey, t: a.title, d: a.description, v: a.severity, s: a.service, l: a.labels, u: a.link, st: a.status, n: a.count })));
}

/** SQLSTATE of a delivery the database function leaves to a transaction of the caller's (nothing was stored). */
const NEEDS_TRANSACTION = 'IOSLW';

/**
 * A delivery to one group in one round trip, in autocommit (`ingest_signal_delivery`, migration
 * 20261212_0001): upsertGroupWithSignals, restartGroup after the reopen window, refreshGroup, and
 * the post's outbox task, as separate statements of one call. Returns 'transaction' without storing
 * anything when the delivery needs more (an auto-declare, or an incident's signals all resolving).
 */
export async function ingestDelivery(
  db: Kysely<Database>,
  g: NewGroup,
  alerts: (AlertInput & { count: number })[],
  d: DeliveryCounts,
  o: { reopenWindowMs: number; postIntervalSeconds: number; lane: string },
): Promise<{ isNew: boolean; queued: boolean } | 'transaction'> {
  const { action, channel, ...route } = g.route;
  const f = { title: g.title, description: g.description, severity: g.severity, service: g.service, labels: g.labels, link: g.link, route_action: action, route, channel_id: channel, status: g.status };
  const factsJson = JSON.stringify(f);
  try {
    const { rows } = await sql<{ is_new: boolean; queued: boolean }>`
      select is_new, queued from ingest_signal_delivery(${g.source}, ${g.groupKey}, ${factsJson}::jsonb, ${alertRows(alerts)}::jsonb, ${g.at}::timestamptz,
        ${o.reopenWindowMs}::bigint, ${o.postIntervalSeconds}::int, ${d.listed}::int, ${d.listedFiring}::int, ${d.unlisted}::int, ${o.lane})`.execute(db);
    return { isNew: rows[0].is_new, queued: rows[0].queued };
  } catch (err) {
    if ((err as { code?: unknown })?.code === NEEDS_TRANSACTION) return 'transaction';
    throw err;
  }
}

function signalsUpsert(db: Kysely<Database>, groupId: RawBuilder<unknown>, source: string, alerts: (AlertInput & { count: number })[], at: Date) {
  const rows = alertRows(alerts);
  return db
    .insertInto('signals')
    .columns(['group_id', 'source', 'dedup_key', 'title', 'description', 'severity', 'service', 'labels', 'link', 'status', 'count', 'first_seen_at', 'last_seen_at', 'resolved_at'])
    .expression(
      sql`select ${groupId}, ${source}, t.k, t.t, t.d, t.v, t.s, t.l, t.u, t.st, t.n, ${at}::timestamptz, ${at}::timestamptz,
           case when t.st = 'resolved' then ${at}::timestamptz end
    from jsonb_to_recordset(${rows}::jsonb) as t(k text, t text, d text, v text, s text, l jsonb, u text, st text, n int)`,
    )
    .onConflict((oc) =>
      oc.columns(['source', 'dedup_key']).doUpdateSet({
        count: sql`signals.count + excluded.count`,
        last_seen_at: (eb) => eb.ref('excluded.last_seen_at'),
        status: (eb) => eb.ref('excluded.status'),
        resolved_at: sql`case when excluded.status = 'resolved' then coalesce(signals.resolved_at, excluded.last_seen_at) end`,
        title: (eb) => eb.ref('excluded.title'),
        description: (eb) => eb.ref('excluded.description'),
        severity: (eb) => eb.ref('excluded.severity'),
        service: (eb) => eb.ref('excluded.service'),
        labels: (eb) => eb.ref('excluded.labels'),
        link: (eb) => eb.ref('excluded.link'),
      }),
    );
}

/** What one delivery said about its group: the distinct alerts it listed, and those it left out. */
export interface DeliveryCounts {
  listed: number;
  listedFiring: number;
  unlisted: number;
}

/**
 * Recounts a group from its signals after one delivery and sets its status; returns the group as
 * it now is. Alerts the sender left out are counted too (as firing while any listed one fires),
 * since the table holds only the alerts that were listed. In the same statement, unless the group
 * is dropped, its post is scheduled as schedulePost would (`scheduledFor`: set only when this
 * scheduled it); the old schedule is read from the row the transaction already holds locked.
 */
export async function refreshGroup(db: Kysely<Database>, id: string, d: DeliveryCounts, at: Date, postIntervalSeconds: number): Promise<{ group: SignalGroup; scheduledFor?: Date }> {
  const reportedFiring = d.listedFiring > 0 ? d.listedFiring + d.unlisted : 0;
  const { rows } = await sql<Record<string, any>>`
    update signal_groups g set
      signal_count = greatest(a.n, ${d.listed + d.unlisted}::int),
      firing_count = greatest(a.f, ${reportedFiring}::int),
      unlisted_count = ${d.unlisted}::int,
      delivery_count = g.delivery_count + 1,
      status = case when a.f > 0 then 'firing' else 'resolved' end,
      resolved_at = case when a.f > 0 then null else coalesce(g.resolved_at, ${at}::timestamptz) end,
      post_scheduled_for = case when g.route_action <> 'drop' and g.post_scheduled_for is null and g.channel_id is not null
        then greatest(now(), coalesce(g.posted_at + make_interval(secs => ${postIntervalSeconds}), now())) else g.post_scheduled_for end
    from (select count(*)::int as n, (count(*) filter (where status = 'firing'))::int as f from signals where group_id = ${id}) a,
         (select post_scheduled_for as scheduled_before from signal_groups where id = ${id}) o
    where g.id = ${id}
    returning g.*, case when o.scheduled_before is null then g.post_scheduled_for end as newly_scheduled_for`.execute(db);
  const { newly_scheduled_for: scheduledFor, ...row } = rows[0] as Record<string, any>;
  return { group: toGroup(row as never), ...(scheduledFor ? { scheduledFor: scheduledFor as Date } : {}) };
}

/**
 * Makes sure the group's post is scheduled: at once for a first post, else no sooner than the
 * interval after the last one. A post already scheduled will show this change too.
 */
export async function schedulePost(db: Kysely<Database>, id: string, intervalSeconds: number): Promise<Date | undefined> {
  const { rows } = await sql<{ post_scheduled_for: Date }>`
    update signal_groups set post_scheduled_for = greatest(now(), coalesce(posted_at + make_interval(secs => ${intervalSeconds}), now()))
    where id = ${id} and post_scheduled_for is null and channel_id is not null
    returning post_scheduled_for`.execute(db);
  return rows[0]?.post_scheduled_for;
}

/** For a person's action (classify, link): the post is updated now rather than at the next interval. */
export async function schedulePostNow(db: Kysely<Database>, id: string): Promise<Date | undefined> {
  const { rows } = await sql<{ post_scheduled_for: Date }>`
    update signal_groups set post_scheduled_for = now()
    where id = ${id} and channel_id is not null and (post_scheduled_for is null or post_scheduled_for > now())
    returning post_scheduled_for`.execute(db);
  return rows[0]?.post_scheduled_for;
}

/** A run's right to post a group: the group as it was when claimed, and the claim's number. */
export interface PostClaim {
  group: SignalGroup;
  claim: number;
}

/**
 * Takes the right to post now: clears the schedule (so later changes schedule a new post), stamps
 * the post time, numbers the claim and takes a short lease so two runs never post the same group at
 * once. Returns 'busy' while another run holds the lease.
 */
export async function claimPost(db: Kysely<Database>, id: string): Promise<PostClaim | 'busy' | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('signal_groups').select(sql<boolean>`coalesce(posting_until > now(), false)`.as('busy')).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) return undefined;
    if (row.busy) return 'busy';
    const updated = await trx
      .updateTable('signal_groups')
      .set({ post_scheduled_for: null, posted_at: sql`now()`, posting_until: sql`now() + interval '2 minutes'`, post_claim: sql`post_claim + 1` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { group: toGroup(updated), claim: updated.post_claim };
  });
}

/**
 * Ends a run: records where the post is and releases the lease. The run rendered the group as it
 * was when claimed, so it returns a time for one more post when that may be out of date: a refresh
 * became due meanwhile (a person linked or classified the group while it rendered; the run that
 * asked for it found the post busy), or the lease ran out and another run posted since (this run's
 * Slack write may have landed after the newer one).
 */
export async function finishPost(db: Kysely<Database>, id: string, claim: number, post?: { channelId: string; ts: string }): Promise<Date | undefined> {
  const row = await db
    .selectFrom('signal_groups')
    .select(['post_claim', 'post_ts', sql<boolean>`coalesce(post_scheduled_for <= now(), false)`.as('due')])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const mine = row.post_claim === claim;
  const again = !mine || row.due;
  const { rows } = await sql<{ post_scheduled_for: Date | null }>`
    update signal_groups set
      posting_until = ${mine ? null : sql`posting_until`},
      post_channel_id = ${post && (mine || !row.post_ts) ? post.channelId : sql`post_channel_id`},
      post_ts = ${post && (mine || !row.post_ts) ? post.ts : sql`post_ts`},
      post_scheduled_for = ${again ? sql`now()` : sql`post_scheduled_for`}
    where id = ${id}
    returning post_scheduled_for`.execute(db);
  return again ? (rows[0]?.post_scheduled_for ?? undefined) : undefined;
}

export async function findGroup(db: Kysely<Database>, id: string, opts: { forUpdate?: boolean } = {}): Promise<SignalGroup | undefined> {
  if (!/^\d+$/.test(id)) return undefined;
  let q = db.selectFrom('signal_groups').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toGroup(row) : undefined;
}

/** The group's alerts, firing first, most recent first. */
export async function listSignals(db: Kysely<Database>, groupId: string, limit: number): Promise<Signal[]> {
  const rows = await db
    .selectFrom('signals')
    .selectAll()
    .where('group_id', '=', groupId)
    .orderBy(sql`status = 'firing'`, 'desc')
    .orderBy('last_seen_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toSignal);
}

export async function setClassification(
  db: Kysely<Database>,
  id: string,
  c: { classification: 'incident' | 'not_incident' | 'security_event'; reason: string | null; by: string | null; at: Date; incidentId?: string },
): Promise<SignalGroup> {
  const row = await db
    .updateTable('signal_groups')
    .set({
      classification: c.classification,
      classification_reason: c.reason,
      classified_by: c.by,
      classified_at: c.at,
      version: sql`version + 1`,
      ...(c.incidentId ? { incident_id: c.incidentId } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toGroup(row);
}

/** How many groups linked to the incident are still firing. */
export async function countFiringForIncident(db: Kysely<Database>, incidentId: string): Promise<number> {
  const row = await db
    .selectFrom('signal_groups')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'firing')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertRejection(db: Kysely<Database>, r: { source: string; at: Date; reason: string; contentType: string | null; body: string }): Promise<string> {
  const row = await db
    .insertInto('webhook_rejections')
    .values({ source: r.source, received_at: r.at, reason: r.reason, content_type: r.contentType, body: r.body })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
