import type { AddressInfo, Server } from 'node:net';
import type { RetryOptions } from '@slack/web-api';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.js';
import { migrateToLatest, migrationsApplied } from './db/migrate.js';
import { Metrics } from './http/metrics.js';
import { httpRoutes } from './http/routes.js';
import { CaptureService } from './capture/service.js';
import { clocksJob } from './clocks/job.js';
import { EscalationService } from './escalation/service.js';
import { IncidentService } from './incidents/service.js';
import { RoleService } from './roles/service.js';
import { TriageService } from './triage/service.js';
import { VendorService } from './vendors/service.js';
import { CatalogService } from './catalog/service.js';
import { ChangeService } from './changes/service.js';
import { DrillService, drillInjectsJob } from './drills/service.js';
import { DrService } from './dr/service.js';
import { ChecklistService } from './playbooks/service.js';
import { currentRoles } from './roles/repository.js';
import { findIncidentById } from './incidents/repository.js';
import { findTimelineEvent } from './timeline/timeline.js';
import { createPreparednessEffects } from './slack/effects/preparedness.js';
import { housekeepingJob } from './jobs/housekeeping.js';
import { Scheduler, type ScheduledJob } from './jobs/scheduler.js';
import { TaskRunner, type TaskRunnerOptions } from './jobs/task-runner.js';
import type { Logger } from './logger.js';
import { EventReceipts } from './outbox/receipts.js';
import { createSlackApp } from './slack/app.js';
import { createSlackEffects } from './slack/effects/index.js';
import { sql } from 'kysely';

export interface StartOptions {
  logger: Logger;
  clock?: Clock;
  taskRunner?: TaskRunnerOptions;
  /** Web API retry policy (tests use a fast one). */
  slackRetry?: RetryOptions;
  /** false: do not start the cron timers (tests fire jobs themselves with `scheduler.runNow`). */
  scheduler?: boolean;
}

export interface RunningApp {
  port: number;
  db: Db;
  runner: TaskRunner;
  scheduler: Scheduler;
  metrics: Metrics;
  /** Graceful stop: no new requests, in-flight work finished, pool and embedded database closed. */
  stop(): Promise<void>;
}

/** The composition root: database → services → Slack app → jobs → listen. */
export async function startIncidentOfficer(config: Config, opts: StartOptions): Promise<RunningApp> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir);
    url = embedded.url;
    logger.info({ dataDir: config.dataDir }, 'DATABASE_URL is not set: using the embedded PostgreSQL under DATA_DIR (one process only; set DATABASE_URL for production or several replicas)');
  }
  const handle = openDatabase(url, { embedded: Boolean(embedded) });
  let shuttingDown = false;
  try {
    const applied = await migrateToLatest(handle.db);
    if (applied.length) logger.info({ applied }, 'database migrated');

    const metrics = new Metrics();
    const incidentsRunner: { kick: () => void } = { kick: () => {} };
    const kick = () => incidentsRunner.kick();
    const incidents = new IncidentService(handle.db, config.policy, kick, clock);
    const escalation = new EscalationService(handle.db, incidents, config.policy, clock);
    const checklists = new ChecklistService(handle.db, incidents, config.policy, clock);
    const catalog = new CatalogService(handle.db, config.policy, clock);
    const changes = new ChangeService(handle.db, incidents, config.policy, clock, kick);
    const drills = new DrillService(handle.db, incidents, config.policy, clock);
    // Hook order is the order of their messages in a new channel: owners paged, what changed, playbooks.
    for (const hooks of [catalog.hooks(), changes.hooks(), checklists.hooks(), drills.hooks()]) incidents.addHooks(hooks);
    const services = {
      incidents,
      triage: new TriageService(incidents, config.policy),
      roles: new RoleService(handle.db, incidents, config.policy),
      escalation,
      vendors: new VendorService(handle.db, incidents),
      capture: new CaptureService(incidents),
      catalog,
      checklists,
      drills,
      dr: new DrService(handle.db, incidents, checklists, config.policy),
      changes,
    };
    const routes = httpRoutes(
      {
        isShuttingDown: () => shuttingDown,
        ready: async () => {
          await sql`select 1`.execute(handle.db);
          const ok = await migrationsApplied(handle.db);
          return { ok, detail: ok ? 'database reachable, migrations applied' : 'migrations pending' };
        },
      },
      metrics,
      { secret: config.changesWebhookSecret, changes, logger: logger.child({ component: 'webhooks' }) },
    );
    const app = createSlackApp(
      { botToken: config.slack.botToken, signingSecret: config.slack.signingSecret, appToken: config.slack.appToken, apiUrl: config.slack.apiUrl, port: config.port, routes, retryConfig: opts.slackRetry },
      { policy: config.policy, clock, ...services, receipts: new EventReceipts(handle.db), logger, metrics, announceChannel: config.announceChannel },
    );
    const effects = {
      ...createSlackEffects({ db: handle.db, client: app.client, policy: config.policy, logger, clock, announceChannel: config.announceChannel, recordPaged: escalation.pagedRecorder() }),
      ...createPreparednessEffects({
        client: app.client,
        policy: config.policy,
        announceChannel: config.announceChannel,
        load: (id) => findIncidentById(handle.db, id),
        loadEvent: (id) => findTimelineEvent(handle.db, id),
        roles: (id) => currentRoles(handle.db, id),
        checklists,
        changes,
      }),
    };
    const runner = new TaskRunner(handle.db, logger.child({ component: 'tasks' }), effects, opts.taskRunner);
    incidentsRunner.kick = () => runner.kick();
    const jobs: ScheduledJob[] = [housekeepingJob(handle.db), clocksJob(handle.db, config.policy, kick), drillInjectsJob(handle.db, kick)];
    const scheduler = new Scheduler(handle.db, logger.child({ component: 'scheduler' }), clock, jobs);

    const started = (await app.start(config.port)) as unknown;
    const server = config.slack.appToken ? undefined : (started as Server);
    const port = server ? (server.address() as AddressInfo).port : config.port;
    runner.start();
    if (opts.scheduler !== false) scheduler.start();
    logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http' }, 'Incident Officer is listening');

    return {
      port,
      db: handle.db,
      runner,
      scheduler,
      metrics,
      async stop() {
        shuttingDown = true;
        await app.stop().catch((err) => logger.warn({ err }, 'error while stopping the Slack app'));
        await scheduler.stop();
        await runner.stop();
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
