import { loadConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { registerFeatures } from '../../src/features/assemble.js';
import { FEATURES } from '../../src/features/index.js';
import { Metrics } from '../../src/http/metrics.js';
import { createLogger } from '../../src/logger.js';
import { integrationRunners } from '../../src/integrations/delivery.js';
import { IntegrationEvents } from '../../src/integrations/publisher.js';
import { SubscriberRegistry, type IntegrationSubscriber } from '../../src/integrations/registry.js';
import type { TaskRunner, TaskRunnerOptions } from '../../src/jobs/task-runner.js';
import { TaskQueue } from '../../src/outbox/queue.js';
import { outboxBacklog } from '../../src/outbox/tasks.js';
import { policySchema, type Policy } from '../../src/policy/schema.js';
import { ProfileCache } from '../../src/reminders/profiles.js';
import type { Services } from '../../src/services.js';
import { createSlackClient } from '../../src/slack/app.js';
import { FakeClock } from './clock.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * The domain services registered as the composition root (src/server.ts) registers them: the same
 * feature list, hooks included and in the same order, on a fresh migrated database and a clock that
 * moves only when told, without Bolt, Slack or the task runner (the features' Slack client points
 * nowhere and is never called). Queued Slack side effects stay in `slack_tasks` for tests to read.
 */
export interface Domain extends Services {
  db: Db;
  policy: Policy;
  clock: FakeClock;
  database: TestDatabase;
  /** How often a commit told the task runner that tasks were queued. */
  readonly kicks: number;
  /** Task runners for the subscribers' lanes (not started: tests drain them), as many sets as asked for. */
  integrationRunners(opts?: TaskRunnerOptions): TaskRunner[];
  stop(): Promise<void>;
}

export interface DomainOptions {
  /** Policy as in the YAML file (parsed with its defaults), e.g. `{ reminders: { time: '08:00' } }`. */
  policy?: Record<string, unknown>;
  /** Start time of the fake clock. */
  now?: string;
  /** Integration-event subscribers (none by default, as in a deployment without connectors). */
  subscribers?: IntegrationSubscriber[];
}

/** Builds the services on a fresh database; `stop()` closes and drops it. */
export async function startDomain(opts: DomainOptions = {}): Promise<Domain> {
  const policy = policySchema.parse(opts.policy ?? {});
  const clock = new FakeClock(opts.now);
  const database = await createTestDatabase();
  const handle = openDatabase(database.url, { max: 4 });
  await migrateToLatest(handle.db).catch(async (err) => {
    await handle.close();
    await database.drop();
    throw err;
  });
  const db = handle.db;
  let kicks = 0;
  const tasks = new TaskQueue();
  tasks.onKick(() => kicks++);
  const registry = new SubscriberRegistry(opts.subscribers);
  const config = { ...loadConfig({ SLACK_BOT_TOKEN: 'xoxb-domain-tests', SLACK_SIGNING_SECRET: 'domain-tests-signing-secret', DATABASE_URL: database.url }, process.cwd()), policy };
  const logger = createLogger({ level: 'silent' });
  const { client, identity } = createSlackClient({ botToken: config.slack.botToken, signingSecret: config.slack.signingSecret, apiUrl: 'http://127.0.0.1:9/api/' }, logger);
  const profiles = new ProfileCache(db, clock, { fetch: async () => [] }, policy.reminders.profile_refresh_hours);
  const { services } = registerFeatures(FEATURES, {
    db, policy, clock, tasks, events: new IntegrationEvents(registry, policy), config, logger, metrics: new Metrics({ outboxBacklog: () => outboxBacklog(db) }), client, identity, profiles, isShuttingDown: () => false,
  });
  return {
    ...services,
    db,
    policy,
    clock,
    database,
    get kicks() {
      return kicks;
    },
    integrationRunners: (runner) =>
      integrationRunners({ db, logger, subscribers: registry.subscribers, runner: { pollMs: 50, backoffMs: 1, maxBackoffMs: 1, ...runner } }),
    async stop() {
      await handle.close();
      await database.drop();
    },
  };
}

/** The Slack side effects queued and not yet carried out, oldest first (optionally of one kind). */
export async function queuedTasks(d: Pick<Domain, 'db'>, kind?: string): Promise<{ kind: string; incidentId: string | null; payload: Record<string, unknown>; dedupeKey: string | null; runAt: Date }[]> {
  let q = d.db.selectFrom('slack_tasks').selectAll().where('done_at', 'is', null);
  if (kind) q = q.where('kind', '=', kind);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({ kind: r.kind, incidentId: r.incident_id, payload: r.payload, dedupeKey: r.dedupe_key, runAt: r.run_at }));
}
