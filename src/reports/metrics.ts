import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { Policy } from '../policy/schema.js';
import { effectiveIncidentsSql } from '../timestamps/effective.js';
import { isTimeKey, type TimeKey } from '../timestamps/keys.js';

/** Durations in seconds over the incidents that have reached that point. */
export interface DurationStats {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
}

export interface SlaStats {
  priority: string;
  response: { met: number; breached: number; pct: number | null };
  resolution: { met: number; breached: number; pct: number | null };
}

export interface Stats {
  total: number;
  open: number;
  /** Incidents linked to a change as their cause. */
  causedByChange: number;
  byPriority: Record<string, number>;
  byCategory: Record<string, number>;
  byService: Record<string, number>;
  byKind: Record<string, number>;
  /** By incident type (policy incident_types; "none" for incidents without one), most incidents first. */
  byType: TypeStats[];
  mtta: DurationStats;
  mttr: DurationStats;
  mttm: DurationStats;
  /** Time to detect: impact started → detected, over the incidents whose impact start is known. */
  mttd: DurationStats;
  sla: SlaStats[];
  /** Incidents of the period whose key timestamps were corrected (the figures use the corrections), by number. */
  corrected: { number: number; keys: TimeKey[] }[];
}

export interface TypeStats {
  type: string;
  count: number;
  open: number;
  /** Mean seconds from declaration to resolution of those resolved. */
  mttrMean: number | null;
}

export interface StatsQuery {
  teamId?: string;
  from: Date;
  to: Date;
  /** "Now" for open incidents' SLA clocks. */
  now: Date;
}

/** The priority an incident counts as: its triaged priority, else the one its severity maps to. */
export function effectivePrioritySql(policy: Policy): RawBuilder<string> {
  const last = policy.priorities[policy.priorities.length - 1].id;
  const cases = policy.severities.map((s, i) => sql`when ${s.id} then ${policy.priorities[Math.min(i, policy.priorities.length - 1)].id}`);
  return sql<string>`coalesce(i.priority, case i.severity ${sql.join(cases, sql` `)} else ${last} end)`;
}

/** When the incident `w` (its priority `prio`) was due to be responded to or resolved; null without a target. */
function dueSql(policy: Policy, field: 'response_minutes' | 'resolution_minutes'): RawBuilder<Date | null> {
  const cases = policy.priorities.filter((p) => p[field]).map((p) => sql`when ${p.id} then ${p[field]!}::int * interval '1 minute'`);
  if (!cases.length) return sql<null>`null::timestamptz`;
  return sql<Date | null>`w.declared_at + case w.prio ${sql.join(cases, sql` `)} else null end`;
}

/**
 * Which incidents count: real incidents (not drills, nor security events classified as "no
 * incident"), declared in [from, to). Exported so reports, exports and the dashboard agree. Their
 * key timestamps are the corrected ones where corrected (src/timestamps/effective.ts).
 */
export function countedIncidents(policy: Policy, q: Pick<StatsQuery, 'teamId' | 'from' | 'to'>): RawBuilder<unknown> {
  const team = q.teamId ? sql`i.team_id = ${q.teamId}` : sql`true`;
  // Narrowed on the recorded declaration first (the index), keeping those whose declaration was corrected.
  const near = sql`((i.declared_at >= ${q.from} and i.declared_at < ${q.to})
    or i.id = any(array(select d.incident_id from incident_time_corrections d where d.key = 'declared')))`;
  return sql`
    select i.*, ${effectivePrioritySql(policy)} as prio
    from (${effectiveIncidentsSql(sql`${team} and i.classification = 'incident' and not i.is_drill and ${near}`)}) i
    where i.declared_at >= ${q.from} and i.declared_at < ${q.to}`;
}

function durationStats(row: Record<string, unknown>, prefix: string): DurationStats {
  // Rounded to the millisecond: percentile interpolation leaves float noise below that.
  const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);
  return { count: Number(row[`${prefix}_n`] ?? 0), mean: num(row[`${prefix}_mean`]), p50: num(row[`${prefix}_p50`]), p90: num(row[`${prefix}_p90`]) };
}

/**
 * count/mean/p50/p90 of the column `d` (seconds; nulls, i.e. not reached or not known, are ignored).
 * The percentiles (a sort each) only where they are shown: `detail`.
 */
function durationColumns(prefix: string, detail: boolean) {
  const d = `${prefix}_d`;
  const percentiles = detail
    ? `percentile_cont(0.5) within group (order by ${d}) as ${prefix}_p50, percentile_cont(0.9) within group (order by ${d}) as ${prefix}_p90`
    : `null as ${prefix}_p50, null as ${prefix}_p90`;
  return sql.raw(`count(${d}) as ${prefix}_n, avg(${d}) as ${prefix}_mean, ${percentiles}`);
}

/**
 * Seconds from `from` (the declaration) to `col`, as the column `<prefix>_d`: a double, not the
 * numeric `extract` returns (sorting and averaging numerics is what made percentiles slow; the
 * figures are rounded to the millisecond anyway).
 */
function durationSql(prefix: string, col: 'acknowledged_at' | 'resolved_at' | 'mitigated_at' | 'detected_at', from: 'declared_at' | 'impact_started_at' = 'declared_at') {
  return sql.raw(`date_part('epoch', w.${col} - w.${from}) as ${prefix}_d`);
}

function tally(rows: { k: string | null; n: string | number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.k ?? 'unset'] = Number(r.n);
  return out;
}

/** Reviews required and published for a period's counted incidents (follow-up health). */
export interface ReviewCounts {
  required: number;
  published: number;
}

type GroupRow = {
  prio: string | null;
  category: string | null;
  kind: string | null;
  incident_type: string | null;
  g_prio: number;
  g_cat: number;
  g_kind: number;
  n: number;
  r_met: number;
  r_breached: number;
  s_met: number;
  s_breached: number;
  open: number;
  mttr: number | null;
};
type Figures = Record<string, unknown> & {
  groups: GroupRow[];
  services: { k: string; n: number }[];
  reviews: ReviewCounts;
};

/**
 * Incident metrics for a period in one statement and one pass over its counted incidents
 * (corrections applied, src/timestamps/effective.ts): they are read once, and every figure is an
 * aggregate over that one set. Also the period's review counts (follow-up health).
 */
export async function periodFigures(db: Db, policy: Policy, q: StatsQuery): Promise<{ stats: Stats; reviews: ReviewCounts }> {
  const { rows } = await periodFiguresSql(policy, q, true).execute(db);
  const row = rows[0];
  return { stats: statsOf(policy, row), reviews: { required: Number(row.reviews.required), published: Number(row.reviews.published) } };
}

/** Incident metrics for a period, computed in SQL from the stored timestamps (one statement). */
export async function computeStats(db: Db, policy: Policy, q: StatsQuery): Promise<Stats> {
  return (await periodFigures(db, policy, q)).stats;
}

/**
 * What a period contributes as the one before a report's: the figures its trend arrows compare
 * (totals, mean durations, SLA per priority), without the percentiles and breakdowns nobody reads
 * for it. The same statement as `periodFigures`, so the two agree on every figure they share.
 */
export async function periodTrend(db: Db, policy: Policy, q: StatsQuery): Promise<Trend> {
  const { rows } = await periodFiguresSql(policy, q, false).execute(db);
  const { total, mtta, mttr, mttm, mttd, sla } = statsOf(policy, rows[0]);
  return { total, mtta, mttr, mttm, mttd, sla };
}

/** The figures of a period that trends compare against (see `periodTrend`). */
export type Trend = Pick<Stats, 'total' | 'mtta' | 'mttr' | 'mttm' | 'mttd' | 'sla'>;

/** `detail`: everything a report shows; without it, only what `Trend` needs. */
function periodFiguresSql(policy: Policy, q: StatsQuery, detail: boolean): RawBuilder<Figures> {
  const durations = (['mtta', 'mttr', 'mttm', 'mttd'] as const).map((d) => durationColumns(d, detail));
  // Counts by priority (SLA met/breached alongside), category, kind and type (MTTR alongside).
  const groupBy = detail
    ? sql`grouping(prio) as g_prio, grouping(category) as g_cat, grouping(kind) as g_kind from base group by grouping sets ((prio), (category), (kind), (incident_type))`
    : sql`0 as g_prio, 0 as g_cat, 0 as g_kind from base group by prio`;
  const detailed = detail
    ? sql`coalesce(jsonb_agg(jsonb_build_object('number', number, 'keys', corrected_keys) order by number) filter (where cardinality(corrected_keys) > 0), '[]') as corrected,
      (select coalesce(jsonb_agg(s order by n desc, k), '[]') from (
        select k, count(*) as n from (select unnest(services) as k from base) u group by 1 order by 2 desc, 1 limit 50) s) as services,
      (select jsonb_build_object('required', count(r.id), 'published', count(r.id) filter (where r.state = 'published'))
        from base b join reviews r on r.incident_id = b.id) as reviews`
    : sql`'[]'::jsonb as corrected, '[]'::jsonb as services, null as reviews`;
  return sql<Figures>`
    with base as materialized (
      select w.id, w.number, w.prio, w.category, w.kind, w.incident_type, w.caused_by_change_id, w.acknowledged_at, w.resolved_at,
        ${detail ? sql`w.services, w.corrected_keys,` : sql``}
        ${durationSql('mtta', 'acknowledged_at')}, ${durationSql('mttr', 'resolved_at')},
        ${durationSql('mttm', 'mitigated_at')}, ${durationSql('mttd', 'detected_at', 'impact_started_at')},
        ${dueSql(policy, 'response_minutes')} as response_due,
        ${dueSql(policy, 'resolution_minutes')} as resolution_due
      from (${countedIncidents(policy, q)}) w)
    select count(*) as total,
      count(*) filter (where resolved_at is null) as open,
      count(*) filter (where caused_by_change_id is not null) as by_change,
      ${sql.join(durations, sql`, `)},
      (select coalesce(jsonb_agg(g order by n desc), '[]') from (
        select ${detail ? sql`prio, category, kind, incident_type` : sql`prio, null as category, null as kind, null as incident_type`}, count(*) as n,
          count(*) filter (where acknowledged_at <= response_due) as r_met,
          count(*) filter (where coalesce(acknowledged_at, ${q.now}::timestamptz) > response_due) as r_breached,
          count(*) filter (where resolved_at <= resolution_due) as s_met,
          count(*) filter (where coalesce(resolved_at, ${q.now}::timestamptz) > resolution_due) as s_breached,
          count(*) filter (where resolved_at is null) as open, avg(mttr_d) as mttr,
          ${groupBy}) g) as groups,
      ${detailed}
    from base`;
}

function statsOf(policy: Policy, row: Figures): Stats {
  const rows = row.groups;
  const byPrio = rows.filter((r) => r.g_prio === 0);
  const byCat = rows.filter((r) => r.g_prio === 1 && r.g_cat === 0);
  const byKind = rows.filter((r) => r.g_prio === 1 && r.g_cat === 1 && r.g_kind === 0);
  // Most incidents first, then by name, incidents without a type last among equals.
  const byType = rows
    .filter((r) => r.g_prio === 1 && r.g_cat === 1 && r.g_kind === 1)
    .sort((a, b) => Number(b.n) - Number(a.n) || (a.incident_type === null ? 1 : b.incident_type === null ? -1 : a.incident_type < b.incident_type ? -1 : 1));
  const pct = (met: number, breached: number) => (met + breached ? Math.round((1000 * met) / (met + breached)) / 10 : null);
  const sla = policy.priorities
    .map((p) => {
      const r = byPrio.find((x) => x.prio === p.id);
      const rm = Number(r?.r_met ?? 0), rb = Number(r?.r_breached ?? 0), sm = Number(r?.s_met ?? 0), sb = Number(r?.s_breached ?? 0);
      return { priority: p.id, response: { met: rm, breached: rb, pct: pct(rm, rb) }, resolution: { met: sm, breached: sb, pct: pct(sm, sb) } };
    })
    .filter((x) => x.response.met + x.response.breached + x.resolution.met + x.resolution.breached > 0);
  const sortTally = (list: { k: string | null; n: number }[]) => tally([...list].sort((a, b) => b.n - a.n || String(a.k).localeCompare(String(b.k))));
  return {
    total: Number(row.total ?? 0),
    open: Number(row.open ?? 0),
    causedByChange: Number(row.by_change ?? 0),
    byPriority: sortTally(byPrio.map((r) => ({ k: r.prio, n: Number(r.n) }))),
    byCategory: sortTally(byCat.map((r) => ({ k: r.category, n: Number(r.n) }))),
    byService: tally(row.services),
    byKind: sortTally(byKind.map((r) => ({ k: r.kind, n: Number(r.n) }))),
    byType: byType.map((r) => ({ type: r.incident_type ?? 'none', count: Number(r.n), open: Number(r.open), mttrMean: r.mttr === null ? null : Math.round(Number(r.mttr)) })),
    mtta: durationStats(row, 'mtta'),
    mttr: durationStats(row, 'mttr'),
    mttm: durationStats(row, 'mttm'),
    mttd: durationStats(row, 'mttd'),
    sla,
    corrected: ((row.corrected ?? []) as { number: number; keys: string[] }[]).map((c) => ({ number: Number(c.number), keys: c.keys.filter(isTimeKey) })),
  };
}
