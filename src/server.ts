import type { RetryOptions } from '@slack/web-api';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/database.js';
import { Deadline } from './db/time-limit.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.js';
import { migrateToLatest, migrationsApplied } from './db/migrate.js';
import { Metrics } from './http/metrics.js';
import { httpRoutes } from './http/routes.js';
import { HttpServer } from './http/server.js';
import { AuditService } from './audit/service.js';
import { CaptureService } from './capture/service.js';
import { clocksJob } from './clocks/job.js';
import { EscalationService } from './escalation/service.js';
import { ActionService } from './actions/service.js';
import { IncidentService } from './incidents/service.js';
import { UpdateDraftService } from './incidents/update-drafts.js';
import { DashboardAuth } from './http/dashboard/auth.js';
import { dashboardRoutes } from './http/dashboard/routes.js';
import { ReportService } from './reports/service.js';
import { weeklyReportJob } from './reports/weekly.js';
import type { SlackDeps } from './slack/deps.js';
import { Authorizer } from './slack/authorize.js';
import { myActionsSection, onCallSection } from './slack/views/home-sections.js';
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
import { housekeepingJob } from './jobs/housekeeping.js';
import { Scheduler, type ScheduledJob } from './jobs/scheduler.js';
import { TaskRunner, type TaskHandlers, type TaskRunnerOptions } from './jobs/task-runner.js';
import type { Logger } from './logger.js';
import { EventReceipts } from './outbox/receipts.js';
import { outboxBacklog } from './outbox/tasks.js';
import { ProblemService } from './problems/service.js';
import { ProfileCache } from './reminders/profiles.js';
import { ReminderRunner } from './reminders/runner.js';
import { ReminderService } from './reminders/service.js';
import { ReviewService } from './reviews/service.js';
import { createSlackApp } from './slack/app.js';
import { sql } from 'kysely';
import { webhookSecretEnvName } from './config.js';
import { healthcheckJob } from './healthchecks/job.js';
import { webhookRoute } from './http/webhooks.js';
import { OncallService } from './oncall/service.js';
import { pagingEscalationJob } from './paging/job.js';
import { pagerdutyHandler } from './paging/pagerduty.js';
import { PagingService, PagingTask } from './paging/service.js';
import { resolveSources } from './signals/auth.js';
import { signalsHousekeepingJob } from './signals/job.js';
import { autoDeclareHandler, SignalDeclareFlow } from './signals/declare-flow.js';
import { SignalService, SignalTask } from './signals/service.js';
import { createAuditEffects } from './slack/effects/audit.js';
import { actionEffects } from './slack/effects/actions.js';
import { bridgeEffects } from './slack/effects/bridge.js';
import { changeEffects } from './slack/effects/changes.js';
import { clockEffects } from './slack/effects/clocks.js';
import { commsEffects } from './slack/effects/comms.js';
import { drEffects } from './slack/effects/dr.js';
import { drillEffects } from './slack/effects/drills.js';
import { escalationEffects } from './slack/effects/escalation.js';
import { incidentEffects } from './slack/effects/incidents.js';
import { checklistEffects } from './slack/effects/playbooks.js';
import { problemEffects } from './slack/effects/problems.js';
import { reminderEffects, SlackProfileSource, SlackReminderDelivery } from './slack/effects/reminders.js';
import { overdueActionsSection, reportEffects } from './slack/effects/reports.js';
import { renderReviewDocument, reviewCard, reviewEffects } from './slack/effects/reviews.js';
import { roleEffects } from './slack/effects/roles.js';
import { createPagingEffects } from './slack/effects/paging.js';
import { createSignalEffects } from './slack/effects/signals.js';
import type { BackoffOptions } from './slack/backoff.js';
import type { HealthChecks } from './http/routes.js';

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
}

export interface RunningApp {
  port: number;
  db: Db;
  runner: TaskRunner;
  scheduler: Scheduler;
  reminders: ReminderRunner;
  metrics: Metrics;
  /** Graceful stop: no new requests, in-flight work finished, pool and embedded database closed. */
  stop(): Promise<void>;
}

/** How long /readyz waits for the database. */
const READINESS_DATABASE_MS = 1_500;

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
  const handle = openDatabase(url, { embedded: Boolean(embedded), queryTimeoutMs: config.databaseQueryTimeoutMs });
  let shuttingDown = false;
  try {
    const applied = await migrateToLatest(handle.db);
    if (applied.length) logger.info({ applied }, 'database migrated');

    const metrics = new Metrics({ outboxBacklog: () => outboxBacklog(handle.db) });
    const incidentsRunner: { kick: () => void } = { kick: () => {} };
    const kick = () => incidentsRunner.kick();
    const timelineLog = logger.child({ component: 'timeline' });
    const incidents = new IncidentService(handle.db, config.policy, kick, clock, timelineLog);
    const escalation = new EscalationService(handle.db, incidents, config.policy, clock);
    const oncall = new OncallService(handle.db, config.policy, clock);
    const pagerduty = config.signals.pagerdutyRoutingKey;
    const paging = new PagingService(handle.db, config.policy, oncall, clock, Boolean(pagerduty), kick);
    const signals = new SignalService(handle.db, config.policy, clock, kick);
    const signalDeclare = new SignalDeclareFlow({ policy: config.policy, incidents, signals, oncall });
    incidents.addHooks(signalDeclare.hooks());
    incidents.addHooks({
      declared: (trx, incident) => paging.onDeclared(trx, incident),
      resolved: (trx, incident) => paging.onResolved(trx, incident),
      priorityChanged: (trx, incident, from, to) => paging.onPriorityChanged(trx, incident, from, to),
    });
    const reviews = new ReviewService(handle.db, config.policy, clock, kick);
    incidents.addHooks(reviews.hooks());
    const actions = new ActionService(handle.db, config.policy, clock, kick);
    const problems = new ProblemService(handle.db, clock, kick);
    const reminders = new ReminderService(handle.db, config.policy, clock);
    actions.addHooks(reminders.actionHooks());
    const checklists = new ChecklistService(handle.db, incidents, config.policy, clock);
    const catalog = new CatalogService(handle.db, config.policy, clock);
    const changes = new ChangeService(handle.db, incidents, config.policy, clock, kick);
    const drills = new DrillService(handle.db, incidents, config.policy, clock);
    // Hook order is the order of their messages in a new channel: owners paged, what changed, playbooks.
    for (const hooks of [catalog.hooks(), changes.hooks(), checklists.hooks(), drills.hooks()]) incidents.addHooks(hooks);
    const services = {
      incidents,
      updateDrafts: new UpdateDraftService(handle.db, incidents, clock),
      reviews,
      actions,
      problems,
      reminders,
      triage: new TriageService(incidents, config.policy),
      roles: new RoleService(handle.db, incidents, config.policy),
      escalation,
      vendors: new VendorService(handle.db, incidents, config.policy),
      capture: new CaptureService(incidents),
      reports: new ReportService(handle.db, config.policy, clock),
      audit: new AuditService(handle.db),
      signals,
      oncall,
      paging,
      catalog,
      checklists,
      drills,
      dr: new DrService(handle.db, incidents, checklists, config.policy),
      changes,
    };
    // Last, so the timeline is sealed after what the other hooks write and queue.
    incidents.addHooks(services.audit.hooks());
    const dashboard = new DashboardAuth(config.slack.signingSecret);
    let authorizer: Authorizer | undefined;
    // What must hold to take traffic; the Slack checks (identity, and in Socket Mode the connection) join once the app exists.
    const readiness: HealthChecks['ready'] = {
      // Probes time out quickly: a database that does not answer in time counts as unreachable.
      database: () =>
        new Deadline(READINESS_DATABASE_MS).run(async () => {
          await sql`select 1`.execute(handle.db);
          const ok = await migrationsApplied(handle.db);
          return { ok, detail: ok ? 'database reachable, migrations applied' : 'database: migrations pending' };
        }),
      slack: () => ({ ok: false, detail: 'Slack: not started' }),
    };
    // Set once the Slack profile cache exists (names in the document come from Slack).
    let reviewFor: (incidentId: string) => Promise<string | undefined> = async () => undefined;
    const routes = [
      ...dashboardRoutes({ policy: config.policy, reports: services.reports, auth: dashboard, logger: logger.child({ component: 'dashboard' }), reviewFor: (id) => reviewFor(id) }),
      ...httpRoutes(
      {
        isShuttingDown: () => shuttingDown,
        ready: readiness,
      },
      metrics,
        { secret: config.changesWebhookSecret, changes, logger: logger.child({ component: 'webhooks' }) },
        [
          webhookRoute({
            sources: resolveSources(config.policy.signals.sources, config.signals.webhookSecrets, webhookSecretEnvName),
            signals,
            maxBodyBytes: config.policy.signals.max_body_kb * 1024,
            isShuttingDown: () => shuttingDown,
            logger,
            metrics,
            envName: webhookSecretEnvName,
          }),
        ],
      ),
    ];
    const slackDeps: SlackDeps = {
      policy: config.policy,
      clock,
      ...services,
      dashboard,
      publicUrl: config.policy.reports.base_url ?? `http://localhost:${config.port}`,
      homeSections: [myActionsSection(config.policy, actions, reminders), onCallSection(oncall)],
      receipts: new EventReceipts(handle.db),
      authorize: (action, userId, incident) => authorizer!.require(action, userId, incident),
      logger,
      metrics,
      announceChannel: config.announceChannel,
    };
    const { app, client, identity, socket, routes: slackRoutes } = createSlackApp(
      { botToken: config.slack.botToken, signingSecret: config.slack.signingSecret, appToken: config.slack.appToken, apiUrl: config.slack.apiUrl, retryConfig: opts.slackRetry, fetch: metrics.instrumentFetch(), slackBackoff: opts.slackBackoff },
      slackDeps,
    );
    const http = new HttpServer([...slackRoutes, ...routes], logger.child({ component: 'http' }));
    readiness.slack = () => identity.status();
    if (socket) readiness.socket = () => socket.status();
    authorizer = new Authorizer(client, config.policy, services.roles, clock);
    const delivery = new SlackReminderDelivery({ client, policy: config.policy });
    const profiles = new ProfileCache(handle.db, clock, new SlackProfileSource({ client, logger }), config.policy.reminders.profile_refresh_hours);
    reviewFor = async (incidentId) => {
      const incident = await incidents.findById(incidentId);
      return incident ? renderReviewDocument({ policy: config.policy, incidents, reviews, actions, problems, profiles, clock, audit: services.audit }, incident) : undefined;
    };
    const botUserId = async () => (await identity.require()).userId;
    const load = (id: string) => findIncidentById(handle.db, id);
    const loadEvent = (id: string) => findTimelineEvent(handle.db, id, timelineLog);
    const roles = (id: string) => currentRoles(handle.db, id);
    const incidentEffect = { client, policy: config.policy, logger, announceChannel: config.announceChannel, load, loadEvent, botUserId };
    const effects: TaskHandlers = {
      ...incidentEffects({ ...incidentEffect, db: handle.db, clock, roles, cardExtras: reviewCard({ policy: config.policy, reviews }) }),
      ...commsEffects(incidentEffect),
      ...roleEffects(incidentEffect),
      ...escalationEffects({ ...incidentEffect, recordPaged: escalation.pagedRecorder() }),
      ...bridgeEffects(incidentEffect),
      ...clockEffects(incidentEffect),
      ...reportEffects({ client, policy: config.policy, reports: services.reports, weeklySections: [overdueActionsSection(config.policy, actions, clock)] }),
      ...checklistEffects({ client, policy: config.policy, load, roles, checklists }),
      ...drillEffects({ client, load }),
      ...drEffects({ client, policy: config.policy, announceChannel: config.announceChannel, load, loadEvent }),
      ...changeEffects({ client, policy: config.policy, load, changes }),
      ...reviewEffects({ client, policy: config.policy, clock, incidents, reviews, actions, problems, profiles, audit: services.audit }),
      ...actionEffects({ client, policy: config.policy, actions, reminders }),
      ...reminderEffects({ reminders, delivery }),
      ...problemEffects({ client, incidents, problems }),
      ...createAuditEffects({ client, policy: config.policy, audit: services.audit, logger, load: (id) => findIncidentById(handle.db, id) }),
      ...createSignalEffects({ client, policy: config.policy, signals, logger }),
      [SignalTask.declare]: autoDeclareHandler(signalDeclare, () => identity.require()),
      ...createPagingEffects({ client, policy: config.policy, paging, logger, load: (id) => findIncidentById(handle.db, id), botUserId }),
      // Only when PagerDuty is configured (a routing key); the type lets this one kind go without a handler.
      [PagingTask.pagerduty]: pagerduty
        ? pagerdutyHandler({ paging, policy: config.policy, routingKey: pagerduty, eventsUrl: config.signals.pagerdutyEventsUrl ?? config.policy.paging.pagerduty.events_url, logger })
        : undefined,
    };
    const runner = new TaskRunner(handle.db, logger.child({ component: 'tasks' }), effects, opts.taskRunner, (kind, outcome) => metrics.task(kind, outcome));
    incidentsRunner.kick = () => runner.kick();
    const reminderRunner = new ReminderRunner({ db: handle.db, policy: config.policy, clock, logger: logger.child({ component: 'reminders' }), profiles, delivery, summaryChannel: config.announceChannel });
    const jobs: ScheduledJob[] = [
      housekeepingJob(handle.db),
      reminderRunner.job(),
      clocksJob(handle.db, config.policy, kick),
      weeklyReportJob(handle.db, config.policy, kick),
      drillInjectsJob(handle.db, kick),
      pagingEscalationJob(paging),
      signalsHousekeepingJob(signals),
      ...(config.policy.healthchecks.length ? [healthcheckJob({ db: handle.db, checks: config.policy.healthchecks, signals, logger })] : []),
    ];
    const scheduler = new Scheduler(handle.db, logger.child({ component: 'scheduler' }), clock, jobs);

    identity.start();
    // HTTP mode: the receiver takes Slack's requests once the port is open. Socket Mode connects (and
    // reconnects) in the background while the port serves the other routes.
    if (!socket) await app.start();
    const port = await http.listen(config.port);
    socket?.start(() => app.start());
    if (!config.policy.reports.base_url) slackDeps.publicUrl = `http://localhost:${port}`;
    runner.start();
    if (opts.scheduler !== false) scheduler.start();
    logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http' }, 'Incident Officer is listening');

    return {
      port,
      db: handle.db,
      runner,
      scheduler,
      reminders: reminderRunner,
      metrics,
      async stop() {
        shuttingDown = true;
        identity.stop();
        socket?.stop();
        await http.stop();
        await app.stop().catch((err) => logger.warn({ err }, 'error while stopping the Slack app'));
        await metrics.idle();
        await reminderRunner.stop();
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
