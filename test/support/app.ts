import { Writable } from 'node:stream';
import type { Clock } from '../../src/clock.js';
import { configSecrets, loadConfig, servicenowConfig, jiraConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { statuspageConfig } from '../../src/statuspage/config.js';
import type { IntegrationSubscriber } from '../../src/integrations/registry.js';
import type { Policy } from '../../src/policy/schema.js';
import { startIncidentOfficer, type RunningApp } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { FakeSlack } from './fake-slack.js';
import { SlackDriver } from './slack-requests.js';

export const SIGNING_SECRET = 'test-signing-secret-8f7422';
export const BOT_TOKEN = 'xoxb-test-0000-bot-token';

export interface TestApp {
  app: RunningApp;
  fake: FakeSlack;
  slack: SlackDriver;
  database: TestDatabase;
  config: Config;
  url: string;
  /** Every log line the app wrote, as text. */
  logs: string[];
  /** Runs outbox tasks until none is due (Slack side effects done). */
  settle(): Promise<void>;
  /** Stops the app only (the database and fake Slack stay), e.g. to restart it. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  policy?: Partial<Policy> | Record<string, unknown>;
  env?: Record<string, string>;
  fake?: FakeSlack;
  database?: TestDatabase;
  /** A controllable clock; scheduled jobs then run only when a test fires them. */
  clock?: Clock;
  /** Integration-event subscribers to register. */
  subscribers?: IntegrationSubscriber[];
}

/** Starts the real app against a fresh database and the fake Slack, on a free port. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const fake = opts.fake ?? (await FakeSlack.start());
  const database = opts.database ?? (await createTestDatabase());
  const announce = fake.channelByName('incidents') ?? fake.addChannel({ name: 'incidents' });
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    DATABASE_URL: database.url,
    PORT: '0',
    LOG_LEVEL: 'debug',
    INCIDENT_ANNOUNCE_CHANNEL: announce.id,
    ...opts.env,
  };
  const config = loadConfig(env, process.cwd());
  if (opts.policy) config.policy = { ...config.policy, ...(opts.policy as Partial<Policy>) };
  config.servicenow = servicenowConfig(config.policy.itsm.servicenow, env);
  config.statuspage = statuspageConfig(config.policy.status_page?.atlassian, env);
  config.jira = jiraConfig(config.policy.itsm.jira, env);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: config.logLevel, secrets: configSecrets(config), destination: sink });
  const start = () =>
    startIncidentOfficer(config, {
      logger,
      clock: opts.clock,
      scheduler: opts.clock ? false : true,
      taskRunner: { pollMs: 100, backoffMs: 50, maxBackoffMs: 500 },
      slackRetry: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 50 },
      slackBackoff: { minMs: 50, maxMs: 500 },
      subscribers: opts.subscribers,
    });
  let app = await start();
  let driver = new SlackDriver({ appUrl: `http://127.0.0.1:${app.port}`, signingSecret: SIGNING_SECRET, fake });
  const harness: TestApp = {
    get app() {
      return app;
    },
    fake,
    database,
    config,
    logs,
    get url() {
      return `http://127.0.0.1:${app.port}`;
    },
    get slack() {
      return driver;
    },
    async settle() {
      // Wait for listeners still working after their ack, then run every due task, until both are quiet.
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 10));
        await app.metrics.idle();
        await app.runner.drain();
        for (const r of app.integrationRunners) await r.drain();
      }
    },
    async restart() {
      await app.stop();
      app = await start();
      const replay = driver.deliverTwice;
      driver = new SlackDriver({ appUrl: `http://127.0.0.1:${app.port}`, signingSecret: SIGNING_SECRET, fake });
      driver.deliverTwice = replay;
    },
    async stop() {
      await app.stop().catch(() => {});
      // Every suite doubles as a check that no secret reaches the logs.
      const all = logs.join('');
      const leaked = configSecrets(config).filter((v): v is string => typeof v === 'string' && v.length >= 8 && all.includes(v));
      if (leaked.length) throw new Error(`secrets leaked into the logs: ${leaked.map((v) => `${v.slice(0, 4)}…`).join(', ')}`);
      // And that manifest.yml grants every scope the app's calls needed (the fake refuses the others).
      const refused = fake.calls.filter((c) => c.error === 'missing_scope').map((c) => c.method);
      if (refused.length) throw new Error(`Slack calls refused for a scope manifest.yml does not ask for: ${[...new Set(refused)].join(', ')}`);
      if (!opts.fake) await fake.close();
      if (!opts.database) await database.drop();
    },
  };
  return harness;
}
