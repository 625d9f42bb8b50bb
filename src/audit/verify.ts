import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface BrokenLink {
  incidentId: string;
  number: number;
  seq: number;
  rowId: string;
  reason: 'hash does not match the row' | 'link to the previous row is broken' | 'rows are missing before this one';
}

export interface ChainReport {
  incidents: number;
  rows: number;
  /** The first broken row of each broken chain. */
  broken: BrokenLink[];
}

/**
 * Recomputes every row's hash from its content and its predecessor's hash, in the database (the
 * same function that wrote it), and names the first broken row of each incident's chain.
 */
export async function verifyChains(db: Db, incidentId?: string): Promise<ChainReport> {
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

/** The newest link of an incident's chain: quoted in exports and reviews so readers can verify later. */
export async function chainHead(db: Db, incidentId: string): Promise<{ seq: number; hash: string } | undefined> {
  const row = await db.selectFrom('timeline_events').select(['seq', 'hash']).where('incident_id', '=', incidentId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { seq: row.seq, hash: row.hash } : undefined;
}
