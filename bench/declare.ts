import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH_SECRET, median, startApp, withRig } from './procs.js';
import type { BenchResult } from './run.js';
import { withDatabase } from './support.js';

const SLACK_LATENCY_MS = 100;
const RUNS = 5;
const GOAL_ROUND_TRIPS = 4;

interface Call { method: string; at: number }

/**
 * Sequential Slack round trips on a path: the longest chain of calls each made after the one before
 * it had answered. With every call taking `latency`, a call that starts at least (almost) a latency
 * after another may have waited for it; calls made together (in parallel) start within a few ms.
 */
export function sequentialRoundTrips(calls: Call[], latency: number): number {
  const sorted = [...calls].sort((a, b) => a.at - b.at);
  const depth: number[] = [];
  for (const [i, c] of sorted.entries()) {
    let d = 1;
    for (let j = 0; j < i; j++) if (sorted[j].at + latency * 0.9 <= c.at) d = Math.max(d, depth[j] + 1);
    depth.push(d);
  }
  return Math.max(0, ...depth);
}

/**
 * The declaration's critical path with Slack answering in 100 ms: submit → channel ready (created,
 * people invited, card posted and pinned, topic, bookmark, announcement: `provisioned_at` set), and
 * how many Slack round trips it makes one after the other. The app runs as production does; the fake
 * Slack, in its own process, plays the person (command, modal, signed submission).
 */
export async function run(): Promise<BenchResult> {
  return withRig({ load: false }, async ({ fake, apiUrl, announce }) => {
    return await withDatabase(async (databaseUrl) => {
      const app = await startApp({ databaseUrl, slackApiUrl: apiUrl, announceChannel: announce });
      const db = new pg.Client({ connectionString: databaseUrl });
      await db.connect();
      try {
        await fake.ask({ op: 'app', url: app.url, secret: BENCH_SECRET });
        const acks: number[] = [];
        const ready: number[] = [];
        const trips: number[] = [];
        let calls: Call[] = [];
        for (let i = 0; i < RUNS + 1; i++) {
          const title = `Bench ${i}`;
          await fake.ask({ op: 'delay', ms: SLACK_LATENCY_MS });
          const { mark, sent, ackMs } = await fake.ask<{ mark: number; sent: number; ackMs: number }>({ op: 'declare', title });
          for (;;) {
            const { rows } = await db.query<{ provisioned_at: Date | null }>('select provisioned_at from incidents where title = $1', [title]);
            if (rows[0]?.provisioned_at) break;
            await sleep(5);
          }
          const done = Date.now();
          calls = (await fake.ask<{ calls: Call[] }>({ op: 'callsSince', mark })).calls.filter((c) => c.at <= done);
          if (i === 0) continue; // the first one also resolves the bot's identity
          acks.push(ackMs);
          ready.push(done - sent);
          trips.push(sequentialRoundTrips(calls, SLACK_LATENCY_MS));
        }
        await fake.ask({ op: 'delay', ms: 0 });
        const depth = median(trips);
        const floor = depth * SLACK_LATENCY_MS;
        return {
          name: 'declare',
          rows: [
            ['Slack latency', `${SLACK_LATENCY_MS} ms per call (fake, own process)`],
            ['submit acknowledged', `median ${median(acks)} ms`],
            ['submit → channel ready', `median ${median(ready)} ms over ${RUNS} declarations`, `${(median(ready) / floor).toFixed(2)}× the floor of ${depth} × ${SLACK_LATENCY_MS} ms`],
            ['sequential Slack round trips', String(depth), `goal ≤ ${GOAL_ROUND_TRIPS}: ${depth <= GOAL_ROUND_TRIPS ? 'met' : 'not met'}; ${calls.length} calls: ${calls.map((c) => c.method).join(', ')}`],
          ],
        };
      } finally {
        await db.end();
        await app.proc.stop();
      }
    });
  });
}
