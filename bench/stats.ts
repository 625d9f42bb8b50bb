import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { defaultPolicy } from '../src/policy/schema.js';
import { ReportService } from '../src/reports/service.js';
import { ms, timeIt, withDatabase } from './support.js';
import { TaskQueue } from '../src/outbox/queue.js';
import { NO_SUBSCRIBERS } from '../src/timeline/publisher.js';

/** One generated incident `g` declared at `d`: its columns after (team_id, number, …). */
const INCIDENT_COLUMNS = `'T1', g, 'incident ' || g, '', 'SEV' || (1 + g % 4), case when g % 20 = 0 then 'security' else 'service' end,
  'resolved', array['svc-' || (g % 40), 'svc-' || (g % 7)], 'U1', 'U2',
  d, d + make_interval(mins => 1 + g % 45), d + make_interval(mins => 10 + g % 120), d + make_interval(mins => 30 + g % 900),
  'P' || (1 + g % 4), (array['network','database','application','security','hardware','third-party'])[1 + g % 6],
  case when g % 50 = 0 then 'security_event' else 'incident' end`;

/**
 * `/incident stats 90d` (all of its statements: this period, the previous one, recurring issues, open actions) against
 * the floor: one bare SQL aggregate (count, avg and percentiles of MTTA/MTTR) over the same rows.
 */
export async function run(): Promise<Record<string, string>> {
  return withDatabase(async (url) => {
    const h = openDatabase(url, { max: 4 });
    try {
      await migrateToLatest(h.db);
      const now = new Date('2026-11-26T12:00:00Z');
      // Incidents 10 minutes apart, going back from now (number g declared g × 10 minutes ago), in slices
      // of 50k (each statement stays inside the query time limit).
      const insertIncidents = async (first: number, last: number) => {
        for (let lo = first; lo <= last; lo += 50_000) {
          await sql`
            insert into incidents (team_id, number, title, description, severity, kind, status, services, commander_id, reporter_id,
              declared_at, acknowledged_at, mitigated_at, resolved_at, priority, category, classification)
            select ${sql.raw(INCIDENT_COLUMNS)}
            from generate_series(${lo}::int, ${Math.min(lo + 49_999, last)}::int) g, lateral (select ${now}::timestamptz - make_interval(mins => g * 10) as d) x`.execute(h.db);
        }
      };
      // Two years of incidents (about 137 a day), each with 20 timeline rows.
      await insertIncidents(1, 100_000);
      // In slices: each append takes its incident's chain lock until the statement's transaction ends.
      for (let from = 1; from <= 100_000; from += 2_000) {
        await sql`
          insert into timeline_events (incident_id, at, actor_id, kind, payload)
          select i.id, i.declared_at + make_interval(mins => k), 'U1', 'note', jsonb_build_object('text', 'note ' || k)
          from incidents i, generate_series(1, 20) k
          where i.number >= ${from} and i.number < ${from + 2_000}
          order by i.id, k`.execute(h.db);
      }
      await sql`analyze`.execute(h.db);
      const reports = new ReportService({ db: h.db, policy: defaultPolicy(), clock: { now: () => now }, tasks: new TaskQueue(), events: NO_SUBSCRIBERS });
      const from = new Date(now.getTime() - 90 * 86_400_000);
      const bare = () =>
        sql`select count(*), avg(extract(epoch from acknowledged_at - declared_at)), percentile_cont(0.5) within group (order by extract(epoch from acknowledged_at - declared_at)),
              avg(extract(epoch from resolved_at - declared_at)), percentile_cont(0.9) within group (order by extract(epoch from resolved_at - declared_at))
            from incidents where team_id = 'T1' and declared_at >= ${from} and declared_at < ${now}`.execute(h.db);
      // The same aggregate over doubles (date_part) instead of the numerics extract returns, as the
      // app computes its durations: shown beside the floor, so the ratio's share of that choice is seen.
      const bareDouble = () =>
        sql`select count(*), avg(date_part('epoch', acknowledged_at - declared_at)), percentile_cont(0.5) within group (order by date_part('epoch', acknowledged_at - declared_at)),
              avg(date_part('epoch', resolved_at - declared_at)), percentile_cont(0.9) within group (order by date_part('epoch', resolved_at - declared_at))
            from incidents where team_id = 'T1' and declared_at >= ${from} and declared_at < ${now}`.execute(h.db);
      // In turns, so that a busy moment of the machine falls on all three.
      const measure = async (turns: number) => {
        const floorTimes: number[] = [];
        const doubleTimes: number[] = [];
        const statsTimes: number[] = [];
        for (let i = 0; i < turns; i++) {
          floorTimes.push((await timeIt(bare, 1, i === 0 ? 3 : 0)).median);
          doubleTimes.push((await timeIt(bareDouble, 1, i === 0 ? 3 : 0)).median);
          statsTimes.push((await timeIt(() => reports.summary('90d', 'T1'), 1, i === 0 ? 3 : 0)).median);
        }
        const summary = (times: number[]) => {
          const sorted = [...times].sort((a, b) => a - b);
          return { median: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)] };
        };
        return { floor: summary(floorTimes), double: summary(doubleTimes), stats: summary(statsTimes) };
      };
      const at100k = await measure(15);
      const plan = await sql<{ 'QUERY PLAN': string }>`explain select count(*) from incidents where team_id = 'T1' and declared_at >= ${from} and declared_at < ${now}`.execute(h.db);
      const counts = await sql<{ i: string; t: string }>`select (select count(*) from incidents) as i, (select count(*) from timeline_events) as t`.execute(h.db);
      // 1M incidents: 900k older ones added at the same rate (stats read no timeline rows, so these get none).
      await insertIncidents(100_001, 1_000_000);
      await sql`analyze incidents`.execute(h.db);
      const million = await sql<{ i: string }>`select count(*) as i from incidents`.execute(h.db);
      const at1m = await measure(9);
      const ratio = (m: typeof at100k) => m.stats.median / m.floor.median;
      const note =
        'four statements side by side: this period (one pass), the previous one (one pass, only what its trends need), recurring issues, open actions';
      return {
        rows: `${counts.rows[0].i} incidents, ${counts.rows[0].t} timeline rows; then ${million.rows[0].i} incidents (the older ones without timeline rows)`,
        'bare SQL aggregate (floor), 100k': `median ${ms(at100k.floor.median)}, p90 ${ms(at100k.floor.p90)}`,
        '/incident stats 90d, 100k': `median ${ms(at100k.stats.median)}, p90 ${ms(at100k.stats.p90)}`,
        'ratio, 100k': `${ratio(at100k).toFixed(2)}× the floor (goal ≤ 1.5×: ${ratio(at100k) <= 1.5 ? 'met' : 'not met'}; ${note})`,
        'floor over doubles, 100k': `median ${ms(at100k.double.median)} (stats ${(at100k.stats.median / at100k.double.median).toFixed(2)}× that)`,
        'bare SQL aggregate (floor), 1M': `median ${ms(at1m.floor.median)}, p90 ${ms(at1m.floor.p90)}`,
        '/incident stats 90d, 1M': `median ${ms(at1m.stats.median)}, p90 ${ms(at1m.stats.p90)} (goal < 50 ms: ${at1m.stats.median < 50 ? 'met' : 'not met'})`,
        'ratio, 1M': `${ratio(at1m).toFixed(2)}× the floor (goal ≤ 1.5×: ${ratio(at1m) <= 1.5 ? 'met' : 'not met'})`,
        'floor over doubles, 1M': `median ${ms(at1m.double.median)} (stats ${(at1m.stats.median / at1m.double.median).toFixed(2)}× that)`,
        'index used': plan.rows.map((r) => r['QUERY PLAN']).find((l) => /Index|Bitmap/.test(l))?.trim() ?? 'sequential scan',
      };
    } finally {
      await h.close();
    }
  });
}
