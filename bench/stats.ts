import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { defaultPolicy } from '../src/policy/schema.js';
import { ReportService } from '../src/reports/service.js';
import { ms, timeIt, withDatabase } from './support.js';
import { TaskQueue } from '../src/outbox/queue.js';
import { NO_SUBSCRIBERS } from '../src/timeline/publisher.js';


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
      // Two years of incidents (about 137 a day), each with 20 timeline rows.
      await sql`
        insert into incidents (team_id, number, title, description, severity, kind, status, services, commander_id, reporter_id,
          declared_at, acknowledged_at, mitigated_at, resolved_at, priority, category, classification)
        select 'T1', g, 'incident ' || g, '', 'SEV' || (1 + g % 4), case when g % 20 = 0 then 'security' else 'service' end,
          'resolved', array['svc-' || (g % 40), 'svc-' || (g % 7)], 'U1', 'U2',
          d, d + make_interval(mins => 1 + g % 45), d + make_interval(mins => 10 + g % 120), d + make_interval(mins => 30 + g % 900),
          'P' || (1 + g % 4), (array['network','database','application','security','hardware','third-party'])[1 + g % 6],
          case when g % 50 = 0 then 'security_event' else 'incident' end
        from generate_series(1, 100000) g, lateral (select ${now}::timestamptz - make_interval(mins => g * 10) as d) x`.execute(h.db);
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
      // In turns, so that a busy moment of the machine falls on both.
      const floorTimes: number[] = [];
      const statsTimes: number[] = [];
      for (let i = 0; i < 15; i++) {
        floorTimes.push((await timeIt(bare, 1, i === 0 ? 3 : 0)).median);
        statsTimes.push((await timeIt(() => reports.summary('90d', 'T1'), 1, i === 0 ? 3 : 0)).median);
      }
      const summary = (times: number[]) => {
        const sorted = [...times].sort((a, b) => a - b);
        return { median: sorted[Math.floor(sorted.length / 2)], p90: sorted[Math.floor(sorted.length * 0.9)] };
      };
      const floor = summary(floorTimes);
      const stats = summary(statsTimes);
      const plan = await sql<{ 'QUERY PLAN': string }>`explain select count(*) from incidents where team_id = 'T1' and declared_at >= ${from} and declared_at < ${now}`.execute(h.db);
      const counts = await sql<{ i: string; t: string }>`select (select count(*) from incidents) as i, (select count(*) from timeline_events) as t`.execute(h.db);
      return {
        rows: `${counts.rows[0].i} incidents, ${counts.rows[0].t} timeline rows`,
        'bare SQL aggregate (floor)': `median ${ms(floor.median)}, p90 ${ms(floor.p90)}`,
        '/incident stats 90d': `median ${ms(stats.median)}, p90 ${ms(stats.p90)}`,
        ratio: `${(stats.median / floor.median).toFixed(2)}× the floor (goal ≤ 1.5×: ${stats.median / floor.median <= 1.5 ? 'met' : 'not met'}; one statement per period (each a single pass over its incidents), recurring issues and open actions: four statements side by side)`,
        'index used': plan.rows.map((r) => r['QUERY PLAN']).find((l) => /Index|Bitmap/.test(l))?.trim() ?? 'sequential scan',
      };
    } finally {
      await h.close();
    }
  });
}
