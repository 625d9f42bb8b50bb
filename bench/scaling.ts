import { setTimeout as sleep } from 'node:timers/promises';
import { ALERTMANAGER_POLICY, delivery, pool, postAlerts } from './ingest.js';
import { PgRoundTripCounter, viaProxy } from './pg-count.js';
import { BENCH_SECRET, cpuMs, loadAverage, settle, startApp, type Proc, withRig } from './procs.js';
import type { BenchResult } from './run.js';
import { withDatabase } from './support.js';

const REQUESTS = 1_000;
const CONCURRENCY = 50;
const DELIVERIES = 50; // of 100 alerts, in 10 groups: each alert delivered 5 times
const IDLE_MS = 4_000;

interface Replica { url: string; pid: number; proc: Proc; counter: PgRoundTripCounter }
interface Cost { cpu: number; trips: number }

/**
 * What predicts scaling, per request and per alert: CPU time of the app processes and database round
 * trips (counted by a proxy in front of PostgreSQL, one per replica), with one replica and then with
 * two on one database taking the same load in turns. The replicas' background work (task polling…),
 * measured while idle, is subtracted. Per-request cost that grows with the second replica would mean
 * contention or duplicated work.
 */
export async function run(): Promise<BenchResult> {
  return withRig({ load: true }, async ({ fake, load, apiUrl, announce, procs }) => {
    return await withDatabase(async (databaseUrl) => {
      const u = new URL(databaseUrl);
      const replicas: Replica[] = [];
      const start = async () => {
        const counter = await PgRoundTripCounter.start({ host: u.hostname, port: Number(u.port || 5432) });
        const app = await startApp({ databaseUrl: viaProxy(databaseUrl, counter.port), slackApiUrl: apiUrl, announceChannel: announce, policy: ALERTMANAGER_POLICY });
        replicas.push({ url: app.url, pid: app.proc.pid, proc: app.proc, counter });
      };
      const cost = (): Cost => ({ cpu: replicas.reduce((n, r) => n + cpuMs(r.pid), 0), trips: replicas.reduce((n, r) => n + r.counter.roundTrips, 0) });
      /** Runs `work`, lets the replicas go quiet, and returns its cost less the background's over the same time. */
      const measure = async (work: () => Promise<void>, idle: { cpu: number; trips: number }): Promise<Cost> => {
        const c0 = cost();
        const t0 = Date.now();
        await work();
        await settle(replicas.map((r) => r.pid));
        const c1 = cost();
        const seconds = (Date.now() - t0) / 1000;
        return { cpu: c1.cpu - c0.cpu - idle.cpu * seconds, trips: c1.trips - c0.trips - idle.trips * seconds };
      };
      const idleRate = async () => {
        await settle(replicas.map((r) => r.pid));
        const c0 = cost();
        await sleep(IDLE_MS);
        const c1 = cost();
        return { cpu: (c1.cpu - c0.cpu) / (IDLE_MS / 1000), trips: (c1.trips - c0.trips) / (IDLE_MS / 1000) };
      };
      const commands = (text: string) => async () => {
        const { ids } = await fake.ask<{ ids: { triggerId: string; responseUrl: string }[] }>({ op: 'mint', user: 'UANA', n: REQUESTS });
        const res = await load.ask<{ failures: number }>({ urls: replicas.map((r) => r.url), secret: BENCH_SECRET, concurrency: CONCURRENCY, requests: ids.map((id) => ({ text, ...id })) });
        if (res.failures) throw new Error(`${res.failures} ${text} requests not answered 200`);
      };
      let round = 0;
      const alerts = async () => {
        round++;
        const bodies = Array.from({ length: DELIVERIES }, (_, i) => JSON.stringify(delivery(`S${round}G${i % 10}`)));
        let i = 0;
        await pool(bodies, 4, (b) => postAlerts(replicas[i++ % replicas.length].url, b));
      };
      const phase = async (n: number) => {
        while (replicas.length < n) await start();
        await commands('help')(); // warm-up of every replica
        await commands('list')();
        await alerts();
        const idle = await idleRate();
        const help = await measure(commands('help'), idle);
        const list = await measure(commands('list'), idle);
        const storm = await measure(alerts, idle);
        return { idle, help, list, storm };
      };
      try {
        const one = await phase(1);
        const two = await phase(2);
        const per = (c: Cost, n: number) => `${(c.cpu / n).toFixed(2)} ms CPU, ${(c.trips / n).toFixed(2)} round trips`;
        const alertsSent = DELIVERIES * 100;
        const rows: BenchResult['rows'] = [];
        for (const [label, p] of [['one replica', one], ['two replicas, one database', two]] as const) {
          rows.push([`${label}: /incident help`, per(p.help, REQUESTS), 'per request, work after the ack included']);
          rows.push([`${label}: /incident list`, per(p.list, REQUESTS), 'per request']);
          rows.push([`${label}: alerts`, per(p.storm, DELIVERIES), `per delivery of 100 alerts; ${(p.storm.trips / alertsSent).toFixed(3)} round trips an alert`]);
          rows.push([`${label}: idle background`, `${p.idle.cpu.toFixed(1)} ms CPU/s, ${p.idle.trips.toFixed(1)} round trips/s`, 'all replicas together']);
        }
        // Round trips as absolute values: a command's receipt is shared by the commands in flight on its
        // replica (src/outbox/receipts.ts), so with two replicas each shares it with fewer, a small
        // absolute change that a ratio of two near-zero figures would blow up.
        const growth = (a: Cost, b: Cost, n: number) => `CPU ${(b.cpu / a.cpu).toFixed(2)}×, round trips ${(a.trips / n).toFixed(2)} → ${(b.trips / n).toFixed(2)}`;
        rows.push([
          'second replica: per-request cost',
          `help ${growth(one.help, two.help, REQUESTS)}; list ${growth(one.list, two.list, REQUESTS)}; alerts ${growth(one.storm, two.storm, DELIVERIES)}`,
          `CPU 1.00× and the same round trips: no contention nor duplicated work; load average ${loadAverage()}`,
        ]);
        return { name: 'scaling', rows };
      } finally {
        for (const r of replicas) {
          await r.proc.stop();
          await r.counter.close();
        }
      }
    });
  });
}
