import { BENCH_SECRET, cpuMs, loadAverage, percentile, settle, startApp, startScript, withRig } from './procs.js';
import type { BenchResult } from './run.js';
import { withDatabase } from './support.js';

const REQUESTS = 2_000;
const CONCURRENCY = 50;
const ROUNDS = 3;

interface Target {
  label: string;
  url: string;
  pid: number;
  text: string;
  /** Other processes whose CPU the target's requests use (none for the bare app). */
  times: number[];
  seconds: number;
  cpu: number;
  failures: number;
}

/**
 * Ack latency of `/incident help` and `/incident list`, 50 at a time, against a bare Bolt app that
 * only acks. Four processes: the app (`node dist/src/main.js`), the bare Bolt app, the fake Slack
 * (which `list` answers through) and the load generator, which sends the same signed requests
 * (unique trigger_ids and response_urls) to each, in rounds that alternate between the targets.
 * Throughput counts until the last answer; the app's work after the ack is then let finish
 * (waiting for its CPU to go quiet) before the next round, and its CPU time counted to the round.
 */
export async function run(): Promise<BenchResult> {
  return withRig({ load: true }, async ({ fake, load, apiUrl, announce, procs }) => {
    const bare = startScript('bare.mjs', { SLACK_SIGNING_SECRET: BENCH_SECRET, SLACK_API_URL: apiUrl, PORT: '0' });
    procs.push(bare);
    const bareUrl = (await bare.next<{ url: string }>()).url;
    return await withDatabase(async (databaseUrl) => {
      const app = await startApp({ databaseUrl, slackApiUrl: apiUrl, announceChannel: announce });
      try {
      const target = (label: string, url: string, pid: number, text: string): Target => ({ label, url, pid, text, times: [], seconds: 0, cpu: 0, failures: 0 });
      const targets = [target('bare Bolt app that only acks (floor)', bareUrl, bare.pid, 'help'), target('/incident help', app.url, app.proc.pid, 'help'), target('/incident list', app.url, app.proc.pid, 'list')];
      const round = async (t: Target, n: number, record: boolean) => {
        const { ids } = await fake.ask<{ ids: { triggerId: string; responseUrl: string }[] }>({ op: 'mint', user: 'UANA', n });
        const cpu0 = cpuMs(t.pid);
        const res = await load.ask<{ times: number[]; seconds: number; failures: number }>({ urls: [t.url], secret: BENCH_SECRET, concurrency: CONCURRENCY, requests: ids.map((id) => ({ text: t.text, ...id })) });
        await settle([t.pid]);
        if (!record) return;
        t.times.push(...res.times);
        t.seconds += res.seconds;
        t.failures += res.failures;
        t.cpu += cpuMs(t.pid) - cpu0;
      };
      for (const t of targets) await round(t, 300, false); // warm-up: JIT, pool connections, first authorization
      for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < targets.length; i++) await round(targets[(i + r) % targets.length], REQUESTS, true);
      const stats = targets.map((t) => {
        const sorted = [...t.times].sort((a, b) => a - b);
        return { t, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), rps: t.times.length / t.seconds, cpuPerRequest: t.cpu / t.times.length };
      });
      const [floor, ...ours] = stats;
      const f = (v: number) => `${v.toFixed(1)} ms`;
      const rows: BenchResult['rows'] = [
        [floor.t.label, `p50 ${f(floor.p50)}, p99 ${f(floor.p99)}, ${floor.rps.toFixed(0)} req/s`, `CPU ${floor.cpuPerRequest.toFixed(2)} ms a request`],
      ];
      for (const s of ours) {
        const p99 = s.p99 / floor.p99;
        const tput = s.rps / floor.rps;
        rows.push([`${s.t.label}: p99`, `${f(s.p99)}, ${p99.toFixed(2)}× the floor`, `goal ≤ 1.5×: ${p99 <= 1.5 ? 'met' : 'not met'}; p50 ${f(s.p50)}, ${(s.p50 / floor.p50).toFixed(2)}×`]);
        rows.push([`${s.t.label}: throughput`, `${s.rps.toFixed(0)} req/s, ${(100 * tput).toFixed(0)} % of the floor`, `goal ≥ 50 %: ${tput >= 0.5 ? 'met' : 'not met'}; app CPU ${s.cpuPerRequest.toFixed(2)} ms a request incl. work after the ack${s.t.failures ? `; ${s.t.failures} not 200` : ''}`]);
      }
      rows.push(['load', `${ROUNDS} rounds of ${REQUESTS} requests per target, ${CONCURRENCY} at a time, alternating`, `load average ${loadAverage()}`]);
      return { name: 'ack', rows };
      } finally {
        await app.proc.stop();
      }
    });
  });
}
