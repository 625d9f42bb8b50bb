import { sql, type RawBuilder } from 'kysely';
import { RECORDED_COLUMN, TIME_KEYS, type TimeKey } from './keys.js';

/*
 * The one place that decides which time counts. Every report (stats, SLA, exports, the dashboard,
 * the review) reads incidents through `effectiveIncidentsSql`, so a correction changes them all in
 * the same single pass.
 */

const RECORDED = TIME_KEYS.filter((k): k is Exclude<TimeKey, 'impact_started'> => RECORDED_COLUMN[k] !== null);

/** Each key's applicable correction for the incident row `i`: the latest one made to the value recorded now. */
function correctionsLateral(): RawBuilder<unknown> {
  const pick = (key: TimeKey) => {
    const column = RECORDED_COLUMN[key];
    const applies = column ? sql`and c.recorded is not distinct from ${sql.ref(`i.${column}`)}` : sql``;
    return sql`(array_agg(c.corrected order by c.id desc) filter (where c.key = ${key} ${applies}))[1] as ${sql.ref(`${key}_at`)}`;
  };
  return sql`left join lateral (
    select ${sql.join(TIME_KEYS.map(pick), sql`, `)}
    from incident_time_corrections c where c.incident_id = i.id) t on true`;
}

/**
 * Every incident (those matching `filter`, an expression over `i`) with its key timestamps as they
 * count: the columns of `incidents`, each recorded time replaced by its correction where there is
 * one, plus `impact_started_at`, `corrected_keys` (text[]) and the recorded values as
 * `recorded_<column>` (exports show both).
 */
export function effectiveIncidentsSql(filter: RawBuilder<unknown> = sql`true`): RawBuilder<unknown> {
  const overrides = RECORDED.flatMap((k) => [sql.lit(RECORDED_COLUMN[k]), sql.ref(`t.${k}_at`)]);
  const corrected = TIME_KEYS.map((k) => sql`case when ${sql.ref(`t.${k}_at`)} is not null then ${k} end`);
  const recorded = sql.join(
    RECORDED.map((k) => sql`${sql.ref(`i.${RECORDED_COLUMN[k]}`)} as ${sql.ref(`recorded_${RECORDED_COLUMN[k]}`)}`),
    sql`, `,
  );
  // Most incidents were never corrected: they are read as they are, and only the few others go
  // through the corrections (keeping a report over a quarter one quick pass).
  return sql`
    select i.*, null::timestamptz as impact_started_at, '{}'::text[] as corrected_keys, ${recorded}
    from incidents i
    where ${filter} and i.id <> all(array(select distinct c.incident_id from incident_time_corrections c))
    union all
    select e.*, t.impact_started_at,
      array_remove(array[${sql.join(corrected, sql`, `)}]::text[], null) as corrected_keys,
      ${recorded}
    from incidents i
    ${correctionsLateral()}
    cross join lateral jsonb_populate_record(i, jsonb_strip_nulls(jsonb_build_object(${sql.join(overrides, sql`, `)}))) e
    where ${filter} and i.id in (select c.incident_id from incident_time_corrections c)`;
}
