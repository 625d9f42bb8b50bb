import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** A chain head as it was recorded: in the anchors table, or posted in Slack (read back by the caller). */
export interface ChainHead {
  incidentId: string;
  seq: number;
  hash: string;
}

export type HeadSource = 'database' | 'slack';

export interface BrokenLink {
  incidentId: string;
  number: number;
  seq: number;
  /** The row at `seq`; null when it is gone. */
  rowId: string | null;
  reason:
    | 'hash does not match the row'
    | 'link to the previous row is broken'
    | 'rows are missing before this one'
    | 'missing, though a recorded chain head names it (entries were removed from the end)'
    | 'differs from a recorded chain head (entries up to it were rewritten)';
  /** For the last two: where the chain head it contradicts was recorded. */
  source?: HeadSource;
}

export interface ChainReport {
  incidents: number;
  rows: number;
  /** Recorded chain heads compared with the rows, by where they were recorded. */
  heads: Record<HeadSource, number>;
  /** The first broken row of each broken chain. */
  broken: BrokenLink[];
}

/**
 * Recomputes every row's hash from its content and its predecessor's hash, in the database (the
 * same function that wrote it), compares the rows with the chain heads recorded earlier (the
 * anchors table, and `posted`: heads read back from Slack), and names the first broken row of each
 * incident's chain.
 */
export async function verifyChains(db: Db, incidentId?: string, posted: ChainHead[] = []): Promise<ChainReport> {
  const [chains, heads] = await Promise.all([checkLinks(db, incidentId), checkHeads(db, incidentId, posted)]);
  const first = new Map<string, BrokenLink>();
  for (const b of [...chains.broken, ...heads.broken]) {
    const seen = first.get(b.incidentId);
    if (!seen || b.seq < seen.seq) first.set(b.incidentId, b);
  }
  return { incidents: chains.incidents, rows: chains.rows, heads: heads.counted, broken: [...first.values()].sort((a, b) => Number(a.incidentId) - Number(b.incidentId)) };
}

/** Each row against its own content and its predecessor. */
async function checkLinks(db: Db, incidentId?: string): Promise<{ incidents: number; rows: number; broken: BrokenLink[] }> {
  const only = incidentId ? sql`where t.incident_id = ${incidentId}` : sql``;
  const { rows } = await sql<{ incident_id: string; number: number; seq: number; id: string; reason: BrokenLink['reason'] | null; n: string; incidents: string }>`
    with checked as (
      select t.incident_id, t.id, t.seq,
        row_number() over w as expected_seq,
        t.prev_hash = coalesce(lag(t.hash) over w, '') as linked,
        t.hash = timeline_row_hash(t.prev_hash, timeline_row_content(t.incident_id, t.seq, t.at, t.actor_id, t.kind, t.payload, t.dedupe_key)) as intact
      from timeline_events t ${only}
      window w as (partition by t.incident_id order by t.seq)
    ), bad as (
      select distinct on (incident_id) incident_id, id, seq,
        case when not intact then 'hash does not match the row' when seq <> expected_seq then 'rows are missing before this one' else 'link to the previous row is broken' end as reason
      from checked where not intact or not linked or seq <> expected_seq
      order by incident_id, seq
    )
    select b.incident_id, i.number, b.seq, b.id, b.reason,
      (select count(*) from checked) as n, (select count(distinct incident_id) from checked) as incidents
    from (select 1) one
    left join bad b on true
    left join incidents i on i.id = b.incident_id`.execute(db);
  const first = rows[0];
  return {
    incidents: Number(first?.incidents ?? 0),
    rows: Number(first?.n ?? 0),
    broken: rows.filter((r) => r.reason).map((r) => ({ incidentId: r.incident_id, number: r.number, seq: r.seq, rowId: r.id, reason: r.reason! })),
  };
}

/** Each recorded chain head against the row it names: the row must still be there, with that hash. */
async function checkHeads(db: Db, incidentId: string | undefined, posted: ChainHead[]): Promise<{ counted: Record<HeadSource, number>; broken: BrokenLink[] }> {
  const only = incidentId ? sql`where a.incident_id = ${incidentId}` : sql``;
  const { rows } = await sql<{ incident_id: string; number: number; seq: number; source: HeadSource; row_id: string | null; same: boolean | null }>`
    with heads as (
      select a.incident_id, a.seq, a.hash, 'database' as source from timeline_anchors a ${only}
      union all
      select * from unnest(${posted.map((h) => h.incidentId)}::bigint[], ${posted.map((h) => h.seq)}::int[], ${posted.map((h) => h.hash)}::text[], ${posted.map(() => 'slack')}::text[])
    )
    select h.incident_id, i.number, h.seq, h.source, t.id as row_id, t.hash = h.hash as same
    from heads h
    left join timeline_events t on t.incident_id = h.incident_id and t.seq = h.seq
    left join incidents i on i.id = h.incident_id`.execute(db);
  const counted: Record<HeadSource, number> = { database: 0, slack: 0 };
  const broken: BrokenLink[] = [];
  for (const r of rows) {
    counted[r.source]++;
    if (r.row_id && r.same) continue;
    broken.push({
      incidentId: r.incident_id,
      number: r.number,
      seq: r.seq,
      rowId: r.row_id,
      reason: r.row_id ? 'differs from a recorded chain head (entries up to it were rewritten)' : 'missing, though a recorded chain head names it (entries were removed from the end)',
      source: r.source,
    });
  }
  return { counted, broken };
}

/** The newest link of an incident's chain: quoted in exports and reviews so readers can verify later. */
export async function chainHead(db: Db, incidentId: string): Promise<{ seq: number; hash: string } | undefined> {
  const row = await db.selectFrom('timeline_events').select(['seq', 'hash']).where('incident_id', '=', incidentId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { seq: row.seq, hash: row.hash } : undefined;
}

/** Records the current head as sealed (`resolved`, `closed`), with where it was posted in Slack. */
export async function recordChainHead(db: Db, head: ChainHead, reason: string, postedAt: { channelId: string; ts: string } | null): Promise<void> {
  await db
    .insertInto('timeline_anchors')
    .values({ incident_id: head.incidentId, seq: head.seq, hash: head.hash, reason, channel_id: postedAt?.channelId ?? null, message_ts: postedAt?.ts ?? null })
    .execute();
}
