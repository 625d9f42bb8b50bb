import pino from 'pino';
import { loadConfig } from '../src/config.js';
import type { Policy } from '../src/policy/schema.js';
import { startIncidentOfficer, type RunningApp } from '../src/server.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import { SlackDriver } from '../test/support/slack-requests.js';

export const BENCH_SECRET = 'bench-signing-secret-123';

/** The real app on a fresh database and a fake Slack, for benchmarks (logs off). */
export async function startBenchApp(databaseUrl: string, fake?: FakeSlack, extra: { env?: Record<string, string>; policy?: Policy } = {}): Promise<{ app: RunningApp; fake: FakeSlack; slack: SlackDriver; stop: () => Promise<void> }> {
  const f = fake ?? (await FakeSlack.start());
  const announce = f.channelByName('incidents') ?? f.addChannel({ name: 'incidents' });
  const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-bench-1', SLACK_SIGNING_SECRET: BENCH_SECRET, SLACK_API_URL: f.apiUrl, DATABASE_URL: databaseUrl, PORT: '0', INCIDENT_ANNOUNCE_CHANNEL: announce.id, ...extra.env }, process.cwd());
  if (extra.policy) config.policy = extra.policy;
  const app = await startIncidentOfficer(config, { logger: pino({ level: 'silent' }), scheduler: false, taskRunner: { pollMs: 50, backoffMs: 50 }, slackRetry: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 } });
  const slack = new SlackDriver({ appUrl: `http://127.0.0.1:${app.port}`, signingSecret: BENCH_SECRET, fake: f });
  return { app, fake: f, slack, stop: async () => { await app.stop(); if (!fake) await f.close(); } };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
