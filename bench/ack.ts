import { performance } from 'node:perf_hooks';
import { App, HTTPReceiver } from '@slack/bolt';
import type { AddressInfo, Server } from 'node:net';
import { FakeSlack } from '../test/support/fake-slack.js';
import { SlackDriver } from '../test/support/slack-requests.js';
import { BENCH_SECRET, percentile, startBenchApp } from './app.js';
import { withDatabase } from './support.js';

const REQUESTS = 2_000;
const CONCURRENCY = 100;

async function measure(driver: SlackDriver, texts: string[], channelId: string): Promise<{ p50: number; p99: number; rps: number }> {
  // Warm up (first-request authorization, JIT, pool connections) before measuring.
  for (let i = 0; i < 50; i++) await driver.command({ text: texts[i % texts.length], userId: 'UANA', channelId });
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const res = await driver.command({ text: texts[i % texts.length], userId: 'UANA', channelId });
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        times.push(res.elapsedMs);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), rps: REQUESTS / seconds };
}

/** Ack latency of `/incident` commands at 100 concurrent requests, against a bare Bolt app that only acks. */
export async function run(): Promise<Record<string, string>> {
  const fake = await FakeSlack.start();
  fake.addUser({ id: 'UANA', name: 'ana' });
  try {
    // The floor: Bolt's own HTTP receiver and signature check, a listener that acks and nothing else.
    const receiver = new HTTPReceiver({ signingSecret: BENCH_SECRET, endpoints: '/slack/events' });
    const bare = new App({ token: 'xoxb-bare', receiver, clientOptions: { slackApiUrl: fake.apiUrl } });
    bare.command('/incident', async ({ ack }) => ack());
    const server = (await bare.start(0)) as unknown as Server;
    const bareDriver = new SlackDriver({ appUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, signingSecret: BENCH_SECRET, fake });
    const floor = await measure(bareDriver, ['help'], 'CGENERAL');
    await bare.stop();

    return await withDatabase(async (url) => {
      const b = await startBenchApp(url, fake);
      try {
        const help = await measure(b.slack, ['help', 'frobnicate'], 'CGENERAL');
        const list = await measure(b.slack, ['list', 'stats 7d', 'oncall'], 'CGENERAL');
        return {
          'bare Bolt ack (floor)': `p50 ${floor.p50} ms, p99 ${floor.p99} ms, ${floor.rps.toFixed(0)} req/s`,
          '/incident help (answered in the ack)': `p50 ${help.p50} ms, p99 ${help.p99} ms, ${help.rps.toFixed(0)} req/s · p99 ratio ${(help.p99 / Math.max(1, floor.p99)).toFixed(2)}×`,
          '/incident list|stats|oncall (ack, then database work)': `p50 ${list.p50} ms, p99 ${list.p99} ms, ${list.rps.toFixed(0)} req/s · p99 ratio ${(list.p99 / Math.max(1, floor.p99)).toFixed(2)}×`,
          load: `${REQUESTS} requests per run, ${CONCURRENCY} at a time, on loopback`,
        };
      } finally {
        await b.stop();
      }
    });
  } finally {
    await fake.close();
  }
}
