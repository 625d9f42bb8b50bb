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

function targetSql(policy: Policy, field: 'response_minutes' | 'resolution_minutes'): RawBuilder<number | null> {
  const cases = policy.priorities.filter((p) => p[field]).map((p) => sql`when ${p.id} then ${p[field]!}::int`);
  if (!cases.length) return sql<null>`null::int`;
  return sql<number | null>`case prio ${sql.join(cases, sql` `)} else null end`;
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

/** count/mean/p50/p90 of seconds from `from` (the declaration) to `col` (nulls, i.e. not reached or not known, are ignored). */
function durationColumns(prefix: string, col: 'acknowledged_at' | 'resolved_at' | 'mitigated_at' | 'detected_at', from: 'declared_at' | 'impact_started_at' = 'declared_at') {
  const d = `extract(epoch from (${col} - ${from}))`;
  return sql.raw(
    `count(${d}) as ${prefix}_n, avg(${d}) as ${prefix}_mean, ` +
      `percentile_cont(0.5) within group (order by ${d}) as ${prefix}_p50, percentile_cont(0.9) within group (order by ${d}) as ${prefix}_p90`,
  );
}

function tally(rows: { k: string | null; n: string | number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.k ?? 'unset'] = Number(r.n);
  return out;
}

/** Incident metrics for a period, computed in SQL from the stored timestamps (three queries). */
export async function computeStats(db: Db, policy: Policy, q: StatsQuery): Promise<Stats> {
  const base = countedIncidents(policy, q);
  const aggregate = sql<Record<string, unknown>>`
    with base as (${base})
    select count(*) as total,
      count(*) filter (where resolved_at is null) as open,
      count(*) filter (where caused_by_change_id is not null) as by_change,
      ${durationColumns('mtta', 'acknowledged_at')},
      ${durationColumns('mttr', 'resolved_at')},
      ${durationColumns('mttm', 'mitigated_at')},
      ${durationColumns('mttd', 'detected_at', 'impact_started_at')},
      coalesce(jsonb_agg(jsonb_build_object('number', number, 'keys', corrected_keys) order by number) filter (where cardinality(corrected_keys) > 0), '[]') as corrected
    from base`.execute(db);
  // Counts by priority, category and kind in one pass; SLA met/breached per priority alongside.
  const grouped = sql<{ prio: string | null; category: string | null; kind: string | null; g_prio: number; g_cat: number; n: string; r_met: string; r_breached: string; s_met: string; s_breached: string }>`
    with base as (${base}), t as (
      select prio, category, kind, declared_at, acknowledged_at, resolved_at,
        ${targetSql(policy, 'response_minutes')} as response_min,
        ${targetSql(policy, 'resolution_minutes')} as resolution_min
      from base)
    select prio, category, kind, grouping(prio) as g_prio, grouping(category) as g_cat, count(*) as n,
      count(*) filter (where response_min is not null and acknowledged_at <= declared_at + make_interval(mins => response_min)) as r_met,
      count(*) filter (where response_min is not null and coalesce(acknowledged_at, ${q.now}::timestamptz) > declared_at + make_interval(mins => response_min)) as r_breached,
      count(*) filter (where resolution_min is not null and resolved_at <= declared_at + make_interval(mins => resolution_min)) as s_met,
      count(*) filter (where resolution_min is not null and coalesce(resolved_at, ${q.now}::timestamptz) > declared_at + make_interval(mins => resolution_min)) as s_breached
    from t group by grouping sets ((prio), (category), (kind))
    order by n desc`.execute(db);
  const services = sql<{ k: string; n: string }>`with base as (${base}) select s as k, count(*) as n from base, unnest(services) s group by 1 order by 2 desc, 1 limit 50`.execute(db);
  const types = sql<{ k: string | null; n: string; open: string; mttr: string | null }>`
    with base as (${base})
    select incident_type as k, count(*) as n, count(*) filter (where resolved_at is null) as open, avg(extract(epoch from (resolved_at - declared_at))) as mttr
    from base group by 1 order by 2 desc, 1 nulls last`.execute(db);
  const [agg, groups, svc, byType] = await Promise.all([aggregate, grouped, services, types]);
  const row = agg.rows[0] ?? {};
  const rows = groups.rows;
  const byPrio = rows.filter((r) => r.g_prio === 0);
  const byCat = rows.filter((r) => r.g_prio === 1 && r.g_cat === 0);
  const byKind = rows.filter((r) => r.g_prio === 1 && r.g_cat === 1);
  const pct = (met: number, breached: number) => (met + breached ? Math.round((1000 * met) / (met + breached)) / 10 : null);
  const sla = policy.priorities
    .map((p) => {
      const r = byPrio.find((x) => x.prio === p.id);
      const rm = Number(r?.r_met ?? 0), rb = Number(r?.r_breached ?? 0), sm = Number(r?.s_met ?? 0), sb = Number(r?.s_breached ?? 0);
      return { priority: p.id, response: { met: rm, breached: rb, pct: pct(rm, rb) }, resolution: { met: sm, breached: sb, pct: pct(sm, sb) } };
    })
    .filter((x) => x.response.met + x.response.breached + x.resolution.met + x.resolution.breached > 0);
  const sortTally = (list: { k: string | null; n: string }[]) => tally([...list].sort((a, b) => Number(b.n) - Number(a.n) || String(a.k).localeCompare(String(b.k))));
  return {
    total: Number(row.total ?? 0),
    open: Number(row.open ?? 0),
    causedByChange: Number(row.by_change ?? 0),
    byPriority: sortTally(byPrio.map((r) => ({ k: r.prio, n: r.n }))),
    byCategory: sortTally(byCat.map((r) => ({ k: r.category, n: r.n }))),
    byService: tally(svc.rows),
    byKind: sortTally(byKind.map((r) => ({ k: r.kind, n: r.n }))),
    byType: byType.rows.map((r) => ({ type: r.k ?? 'none', count: Number(r.n), open: Number(r.open), mttrMean: r.mttr === null ? null : Math.round(Number(r.mttr)) })),
    mtta: durationStats(row, 'mtta'),
    mttr: durationStats(row, 'mttr'),
    mttm: durationStats(row, 'mttm'),
    mttd: durationStats(row, 'mttd'),
    sla,
    corrected: ((row.corrected ?? []) as { number: number; keys: string[] }[]).map((c) => ({ number: Number(c.number), keys: c.keys.filter(isTimeKey) })),
  };
}
