/**
 * Alert intake throughput: alerts per second accepted through POST /webhooks/alertmanager of the app
 * process (auth, validation, grouping, de-duplication, routing, post scheduling) with 90 % duplicates,
 * against a plain `INSERT … ON CONFLICT DO UPDATE` of the same rows in the same batches and concurrency,
 * both sent from this process (never the app's), in rounds that alternate.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ALERT_TOKEN, cpuMs, loadAverage, startApp, withRig } from './procs.js';
import type { BenchResult } from './run.js';
import { withDatabase } from './support.js';

const GROUPS = 10;
const ALERTS_PER_GROUP = 100;
const REPEATS = 10; // each alert delivered 10 times: 90 % of deliveries are duplicates
const CONCURRENCY = 4;
const ROUNDS = 3;

export const ALERTMANAGER_POLICY = 'signals:\n  sources:\n    alertmanager:\n      type: alertmanager\n';

/** One Alertmanager delivery (webhook format version 4) of `size` alerts of one group. */
export function delivery(group: string, size = ALERTS_PER_GROUP): Record<string, any> {
  return {
    receiver: 'bench',
    status: 'firing',
    version: '4',
    groupKey: `{}:{alertname="${group}"}`,
    truncatedAlerts: 0,
    groupLabels: { alertname: group },
    commonLabels: { alertname: group, severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.org:9093',
    alerts: Array.from({ length: size }, (_, i) => ({
      status: 'firing',
      labels: { alertname: group, instance: `node-${i}:9100`, severity: 'warning' },
      annotations: { summary: `${group} on node-${i}` },
      startsAt: '2026-11-26T09:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.org:9090/graph',
      fingerprint: `${group}-${String(i).padStart(12, '0')}`,
    })),
  };
}

export async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

export async function postAlerts(appUrl: string, body: string): Promise<void> {
  const res = await fetch(`${appUrl}/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ALERT_TOKEN}` }, body });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
}

/** The deliveries of one round: every group's delivery, `REPEATS` times over. */
const roundBodies = (round: number) => Array.from({ length: REPEATS * GROUPS }, (_, i) => JSON.stringify(delivery(`R${round}G${i % GROUPS}`)));

export async function run(): Promise<BenchResult> {
  return withRig({ load: false }, async ({ fake, apiUrl, announce }) => {
    return await withDatabase(async (databaseUrl) => {
      const app = await startApp({ databaseUrl, slackApiUrl: apiUrl, announceChannel: announce, policy: ALERTMANAGER_POLICY });
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`create table bench_alerts (source text not null, dedup_key text not null, title text not null, labels jsonb not null, status text not null, count int not null default 1, last_seen_at timestamptz not null, primary key (source, dedup_key))`);
        const baseline = new pg.Pool({ connectionString: databaseUrl, max: CONCURRENCY });
        const plain = async (body: string) => {
          const alerts = JSON.parse(body).alerts as { fingerprint: string; status: string; labels: Record<string, string>; annotations: { summary: string } }[];
          await baseline.query(
            `insert into bench_alerts (source, dedup_key, title, labels, status, last_seen_at)
             select 'alertmanager', t.k, t.title, t.labels::jsonb, t.status, now()
             from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as t(k, title, labels, status)
             on conflict (source, dedup_key) do update set count = bench_alerts.count + 1, last_seen_at = excluded.last_seen_at, status = excluded.status`,
            [alerts.map((a) => a.fingerprint), alerts.map((a) => a.annotations.summary), alerts.map((a) => JSON.stringify(a.labels)), alerts.map((a) => a.status)],
          );
        };
        const webhook = (body: string) => postAlerts(app.url, body);
        await pool(roundBodies(99), CONCURRENCY, webhook); // warm-up (connections, JIT) of both
        await pool(roundBodies(99), CONCURRENCY, plain);
        let webhookMs = 0;
        let plainMs = 0;
        let appCpu = 0;
        for (let r = 0; r < ROUNDS; r++) {
          const bodies = roundBodies(r);
          for (const which of r % 2 ? ['plain', 'webhook'] : ['webhook', 'plain']) {
            const t0 = performance.now();
            const cpu0 = cpuMs(app.proc.pid);
            await pool(bodies, CONCURRENCY, which === 'webhook' ? webhook : plain);
            if (which === 'webhook') {
              webhookMs += performance.now() - t0;
              appCpu += cpuMs(app.proc.pid) - cpu0;
            } else plainMs += performance.now() - t0;
          }
        }
        await baseline.end();
        const total = ROUNDS * REPEATS * GROUPS * ALERTS_PER_GROUP;
        const { rows } = await client.query<{ n: string; c: string }>(`select count(*) as n, sum(count) as c from signals where source = 'alertmanager' and dedup_key not like 'R99%'`);
        if (Number(rows[0].n) !== total / REPEATS || Number(rows[0].c) !== total) throw new Error(`the webhook stored ${rows[0].n} signals / ${rows[0].c} deliveries, not ${total / REPEATS} / ${total}`);
        const rate = total / (webhookMs / 1000);
        const floor = total / (plainMs / 1000);
        return {
          name: 'ingest',
          rows: [
            ['load', `${ROUNDS} rounds of ${REPEATS * GROUPS} Alertmanager deliveries of ${ALERTS_PER_GROUP} alerts (${GROUPS} groups, 90 % duplicates), ${CONCURRENCY} at a time`, `load average ${loadAverage()}`],
            ['plain INSERT … ON CONFLICT (floor)', `${Math.round(floor).toLocaleString('en')} alerts/s`],
            ['webhook intake (app process)', `${Math.round(rate).toLocaleString('en')} alerts/s, ${(rate / floor).toFixed(2)}× the floor`, `goal ≥ 0.5×: ${rate / floor >= 0.5 ? 'met' : 'not met'}; app CPU ${(appCpu / (total / ALERTS_PER_GROUP)).toFixed(2)} ms a delivery`],
          ],
        };
      } finally {
        await client.end();
        await app.proc.stop();
      }
    });
  });
}
