import { setTimeout as sleep } from 'node:timers/promises';
import { ALERTMANAGER_POLICY, delivery, postAlerts } from './ingest.js';
import { memoryOf, settle, startApp, withRig } from './procs.js';
import type { BenchResult } from './run.js';
import { withDatabase } from './support.js';

const IDLE_MS = 5_000;

/**
 * Resident memory of the production process alone (`node dist/src/main.js`, read from /proc): idle
 * 5 s after it is ready, and at its peak (sampled every 20 ms, and the kernel's high-water mark)
 * during a storm of 5,000 alerts, 50 deliveries of 100 in 20 groups, 4 at a time, posted to a
 * triage channel through the fake Slack in its own process.
 */
export async function run(): Promise<BenchResult> {
  return withRig({ load: false }, async ({ fake, apiUrl, announce }) => {
    return await withDatabase(async (databaseUrl) => {
      const app = await startApp({ databaseUrl, slackApiUrl: apiUrl, announceChannel: announce, policy: `${ALERTMANAGER_POLICY}  triage_channel: ${announce}\n` });
      try {
        await sleep(IDLE_MS);
        const idle = memoryOf(app.proc.pid);
        let peak = idle.rss;
        const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(app.proc.pid).rss)), 20);
        const t0 = Date.now();
        const bodies = Array.from({ length: 50 }, (_, d) => JSON.stringify(delivery(`Storm${d % 20}`)));
        for (let i = 0; i < bodies.length; i += 4) await Promise.all(bodies.slice(i, i + 4).map((b) => postAlerts(app.url, b)));
        const seconds = (Date.now() - t0) / 1000;
        await settle([app.proc.pid]);
        clearInterval(sampler);
        const after = memoryOf(app.proc.pid);
        peak = Math.max(peak, after.peak);
        const mib = (v: number) => `${v.toFixed(0)} MiB`;
        return {
          name: 'memory',
          rows: [
            ['app process idle', mib(idle.rss), `goal ≤ 150 MiB: ${idle.rss <= 150 ? 'met' : 'not met'}; ${IDLE_MS / 1000} s after /readyz`],
            ['app process peak during a 5,000-alert storm', mib(peak), `goal ≤ 250 MiB: ${peak <= 250 ? 'met' : 'not met'}; ${mib(peak - idle.rss)} above idle; storm sent in ${seconds.toFixed(1)} s, ${mib(after.rss)} once settled`],
          ],
        };
      } finally {
        await app.proc.stop();
      }
    });
  });
}
