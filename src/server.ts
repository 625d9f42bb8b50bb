import type { RetryOptions } from '@slack/web-api';
import { sql } from 'kysely';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { Deadline } from './db/time-limit.js';
import type { EmbeddedPostgres } from './db/embedded.js';
import { migrateToLatest, migrationsApplied } from './db/migrate.js';
import { featureSubscribers, registerFeatures } from './features/assemble.js';
import { taskHandlers } from './features/feature.js';
import { FEATURES } from './features/index.js';
import { Metrics } from './http/metrics.js';
import { httpRoutes, type HealthChecks } from './http/routes.js';
import { HttpServer } from './http/server.js';
import { housekeepingJob } from './jobs/housekeeping.js';
import { Scheduler } from './jobs/scheduler.js';
import { DEFAULT_RETRY_FOR_MS, TaskRunner, type TaskRunnerOptions } from './jobs/task-runner.js';
import type { Logger } from './logger.js';
import { TaskQueue } from './outbox/queue.js';
import { EventReceipts } from './outbox/receipts.js';
import { outboxBacklog } from './outbox/tasks.js';
import { ProfileCache } from './reminders/profiles.js';
import type { ReminderRunner } from './reminders/runner.js';
import { integrationRunners } from './integrations/delivery.js';
import { IntegrationEvents } from './integrations/publisher.js';
import { SubscriberRegistry, type IntegrationSubscriber } from './integrations/registry.js';
import { createSlackApp, createSlackClient } from './slack/app.js';
import { Authorizer } from './slack/authorize.js';
import type { BackoffOptions } from './slack/backoff.js';
import { SlackProfileSource } from './slack/effects/reminders.js';

export interface StartOptions {
  logger: Logger;
  clock?: Clock;
  taskRunner?: TaskRunnerOptions;
  /** Web API retry policy (tests use a fast one). */
  slackRetry?: RetryOptions;
  /** Backoff between attempts to reach Slack (auth.test, the Socket Mode connection); tests use a fast one. */
  slackBackoff?: BackoffOptions;
  /** false: do not start the cron timers (tests fire jobs themselves with `scheduler.runNow`). */
  scheduler?: boolean;
  /** Integration-event subscribers (connectors to outside systems). */
  subscribers?: IntegrationSubscriber[];
}

export interface RunningApp {
  port: number;
  db: Db;
  runner: TaskRunner;
  /** One per integration-event subscriber and per feature lane (a connector's), each in its own lane. */
  integrationRunners: TaskRunner[];
  scheduler: Scheduler;
  reminders: ReminderRunner;
  metrics: Metrics;
  /** Graceful stop: no new requests, in-flight work finished, pool and embedded database closed. */
  stop(): Promise<void>;
}

/** How long /readyz waits for the database. */
const READINESS_DATABASE_MS = 1_500;

/**
 * The composition root: database → Slack client, task queue and profile cache → the features (see
 * src/features/index.ts) → Bolt app, task runner, scheduler → listen.
 */
export async function startIncidentOfficer(config: Config, opts: StartOptions): Promise<RunningApp> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    // Loaded only here: a deployment with DATABASE_URL never holds the embedded database's code.
    const { startEmbeddedPostgres } = await import('./db/embedded.js');
    embedded = await startEmbeddedPostgres(config.dataDir);
    url = embedded.url;
    logger.info({ dataDir: config.dataDir }, 'DATABASE_URL is not set: using the embedded PostgreSQL under DATA_DIR (one process only; set DATABASE_URL for production or several replicas)');
  }
  const handle = openDatabase(url, { embedded: Boolean(embedded), queryTimeoutMs: config.databaseQueryTimeoutMs });
  const db = handle.db;
  let shuttingDown = false;
  try {
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, 'database migrated');

    const metrics = new Metrics({ outboxBacklog: () => outboxBacklog(db) });
    const slackOptions = { botToken: config.slack.botToken, signingSecret: config.slack.signingSecret, appToken: config.slack.appToken, apiUrl: config.slack.apiUrl, retryConfig: opts.slackRetry, fetch: metrics.instrumentFetch(), slackBackoff: opts.slackBackoff };
    const slack = createSlackClient(slackOptions, logger);
    const { client, identity } = slack;
    const tasks = new TaskQueue();
    const profiles = new ProfileCache(db, clock, new SlackProfileSource({ client, logger }), config.policy.reminders.profile_refresh_hours);
    const subscribers = new SubscriberRegistry([...(opts.subscribers ?? []), ...featureSubscribers(FEATURES, { config, logger, tasks, emailOf: (id) => profiles.email(id) })]);
    const { services, contributions } = registerFeatures(FEATURES, {
      db, policy: config.policy, clock, tasks, events: new IntegrationEvents(subscribers, config.policy), timelineLog: logger.child({ component: 'timeline' }),
      config, logger, metrics, client, identity, profiles, isShuttingDown: () => shuttingDown, publicUrl: () => publicUrl(),
    });

    const authorizer = new Authorizer(client, config.policy, services.roles, clock);
    const { app, socket, routes: slackRoutes } = createSlackApp(
      slackOptions,
      slack,
      {
        ...services,
        policy: config.policy,
        clock,
        receipts: new EventReceipts(db),
        authorize: (action, userId, incident) => authorizer.require(action, userId, incident),
        publicUrl: () => publicUrl(),
        homeSections: contributions.flatMap((c) => c.sections?.home ?? []),
        logger,
        metrics,
        announceChannel: config.announceChannel,
      },
      {
        commands: contributions.flatMap((c) => c.commands ?? []),
        otherCommands: contributions.flatMap((c) => c.otherCommands ?? []),
        listeners: contributions.flatMap((c) => c.listeners ?? []),
      },
    );
    const runner = new TaskRunner(db, logger.child({ component: 'tasks' }), taskHandlers(FEATURES, contributions), opts.taskRunner, (kind, outcome) => metrics.task(kind, outcome));
    const deliveries = [
      ...integrationRunners({ db, logger, subscribers: subscribers.subscribers, runner: opts.taskRunner, observe: (s, outcome) => metrics.delivery(s, outcome) }),
      // The features' own lanes (a connector's): each has its runner, as each integration subscriber does.
      // Connector lanes give a failing task up by age (retryForMs), not after a number of tries.
      ...contributions.flatMap((c) => c.lanes ?? []).map((l) => new TaskRunner(db, logger.child({ component: 'tasks', lane: l.lane }), l.tasks, { ...opts.taskRunner, lane: l.lane, retryForMs: l.retryForMs ?? DEFAULT_RETRY_FOR_MS }, (kind, outcome) => metrics.task(kind, outcome))),
    ];
    tasks.onKick(() => runner.kick());
    for (const r of deliveries) tasks.onKick(() => r.kick());
    const scheduler = new Scheduler(db, logger.child({ component: 'scheduler' }), clock, [housekeepingJob(db), ...contributions.flatMap((c) => c.jobs ?? [])]);

    // What must hold to take traffic. Probes time out quickly: a database that does not answer in time counts as unreachable.
    const ready: HealthChecks['ready'] = {
      database: () =>
        new Deadline(READINESS_DATABASE_MS).run(async () => {
          await sql`select 1`.execute(db);
          const ok = await migrationsApplied(db);
          return { ok, detail: ok ? 'database reachable, migrations applied' : 'database: migrations pending' };
        }),
      slack: () => identity.status(),
      ...(socket ? { socket: () => socket.status() } : {}),
    };
    // Without a configured base URL, the port the server below ends up listening on (PORT=0 picks one).
    const publicUrl = () => config.policy.reports.base_url ?? `http://localhost:${http.port ?? config.port}`;
    const http = new HttpServer(
      [...slackRoutes, ...httpRoutes({ isShuttingDown: () => shuttingDown, ready }, metrics), ...contributions.flatMap((c) => c.routes ?? [])],
      logger.child({ component: 'http' }),
    );

    identity.start();
    // HTTP mode: the receiver takes Slack's requests once the port is open. Socket Mode connects (and
    // reconnects) in the background while the port serves the other routes.
    if (!socket) await app.start();
    const port = await http.listen(config.port);
    socket?.start(() => app.start());
    runner.start();
    for (const r of deliveries) r.start();
    if (opts.scheduler !== false) scheduler.start();
    logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http' }, 'Incident Officer is listening');

    return {
      port,
      db,
      runner,
      integrationRunners: deliveries,
      scheduler,
      reminders: services.reminderRunner,
      metrics,
      async stop() {
        shuttingDown = true;
        identity.stop();
        socket?.stop();
        await http.stop();
        await app.stop().catch((err) => logger.warn({ err }, 'error while stopping the Slack app'));
        await metrics.idle();
        for (const c of contributions) await c.stop?.();
        await scheduler.stop();
        await runner.stop();
        for (const r of deliveries) await r.stop();
        await handle.close();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await handle.close().catch(() => {});
    await embedded?.stop().catch(() => {});
    throw err;
  }
}
