import { performance } from 'node:perf_hooks';
import { declareValues, lastModal } from '../test/support/flows.js';
import { startBenchApp } from './app.js';
import { withDatabase } from './support.js';

const SLACK_LATENCY_MS = 100;
const RUNS = 5;

/**
 * The declaration's critical path with Slack answering in 100 ms: submit → channel ready (created,
 * people invited, card posted and pinned, topic, bookmark, announcement), and how many Slack round
 * trips it makes one after the other. The floor is those round trips' latency alone.
 */
export async function run(): Promise<Record<string, string>> {
  return withDatabase(async (url) => {
    const b = await startBenchApp(url);
    b.fake.addUser({ id: 'UANA', name: 'ana' });
    try {
      const acks: number[] = [];
      const ready: number[] = [];
      let calls = 0;
      for (let i = 0; i < RUNS; i++) {
        await b.slack.command({ text: `declare Bench ${i}`, userId: 'UANA', channelId: 'CGENERAL' });
        let view;
        for (let tries = 0; !view; tries++) {
          try {
            view = lastModal({ fake: b.fake } as never, 'UANA', 'incident_declare');
          } catch (err) {
            if (tries > 200) throw err;
            await new Promise((r) => setTimeout(r, 10));
          }
        }
        b.fake.delayMs = SLACK_LATENCY_MS;
        const before = b.fake.calls.length;
        const t0 = performance.now();
        const res = await b.slack.viewSubmission({ userId: 'UANA', view, values: declareValues({ userId: 'UANA', title: `Bench ${i}` }) });
        acks.push(res.elapsedMs);
        for (;;) {
          const row = await b.app.db.selectFrom('incidents').select('provisioned_at').where('title', '=', `Bench ${i}`).executeTakeFirst();
          if (row?.provisioned_at) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        ready.push(performance.now() - t0);
        calls = b.fake.calls.length - before;
        b.fake.delayMs = 0;
        await b.app.runner.drain();
      }
      ready.sort((a, b2) => a - b2);
      const median = ready[Math.floor(RUNS / 2)];
      const floor = calls * SLACK_LATENCY_MS;
      return {
        'Slack latency': `${SLACK_LATENCY_MS} ms per call (fake)`,
        'submit acknowledged': `median ${acks.sort((a, b2) => a - b2)[Math.floor(RUNS / 2)]} ms`,
        'submit → channel ready': `median ${median.toFixed(0)} ms over ${RUNS} declarations`,
        'sequential Slack round trips': `${calls} (auth.test is cached after the first)`,
        ratio: `${(median / floor).toFixed(2)}× the floor of ${calls} × ${SLACK_LATENCY_MS} ms = ${floor} ms`,
      };
    } finally {
      await b.stop();
    }
  });
}
