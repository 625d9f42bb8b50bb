import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type CustomRoute, type Logger as BoltLogger } from '@slack/bolt';
import type { RetryOptions } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { SlackDeps } from './deps.js';
import { registerCommands } from './listeners/commands.js';
import { incidentCommands } from './listeners/incident-commands.js';
import { registerCapture } from './listeners/capture.js';
import { registerHome, reportCommands } from './listeners/reports.js';
import { registerRoles, roleCommands } from './listeners/roles.js';
import { registerTriage, triageCommands } from './listeners/triage.js';
import { registerModals } from './listeners/modals.js';
import { oncallCommands } from './listeners/oncall.js';
import { pagingCommands, registerPagingListeners } from './listeners/paging.js';
import { registerSignalListeners } from './listeners/signals.js';
import { actionCommands, registerActions } from './listeners/actions.js';
import { problemCommands, registerProblems } from './listeners/problems.js';
import { registerReviews, reviewCommands } from './listeners/reviews.js';
import { catalogCommands, registerCatalog } from './listeners/catalog.js';
import { causeCommands, changeCommands, registerChanges } from './listeners/changes.js';
import { drillCommands } from './listeners/drills.js';
import { drCommands, registerDr } from './listeners/dr.js';
import { playbookCommands, registerChecklists } from './listeners/playbooks.js';

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  appToken?: string;
  apiUrl?: string;
  port: number;
  routes: CustomRoute[];
  retryConfig?: RetryOptions;
}

/** Bolt's logger interface over pino. */
function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * The Bolt app: HTTP receiver on PORT (or Socket Mode when an app token is set, with the same health
 * routes on PORT), listeners registered per feature, and a de-duplication step for retried events.
 */
export function createSlackApp(opts: SlackAppOptions, deps: SlackDeps): App {
  const logger = boltLogger(deps.logger);
  const receiver = opts.appToken
    ? new SocketModeReceiver({ appToken: opts.appToken, customRoutes: opts.routes, installerOptions: { port: opts.port }, logger })
    : new HTTPReceiver({
        signingSecret: opts.signingSecret,
        endpoints: '/slack/events',
        customRoutes: opts.routes,
        logger,
        processBeforeResponse: false,
        unhandledRequestTimeoutMillis: 3_001,
      });
  const app = new App({
    token: opts.botToken,
    receiver,
    logger,
    clientOptions: {
      ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
      retryConfig: opts.retryConfig ?? { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    },
  });

  // Counts requests until their listeners finish (work after the ack included).
  app.use(async ({ next }) => {
    deps.metrics.inflight++;
    try {
      await next();
    } finally {
      deps.metrics.inflight--;
    }
  });

  // A payload delivered twice (an Events API retry, or any replay) is handled once: events by
  // event_id, commands, actions, shortcuts and submissions by their single-use trigger_id.
  app.use(async (args) => {
    const body = args.body as { type?: string; event_id?: unknown; trigger_id?: unknown };
    const key =
      body.type === 'event_callback' && typeof body.event_id === 'string' ? body.event_id : typeof body.trigger_id === 'string' ? `trigger:${body.trigger_id}` : undefined;
    let first = true;
    if (key) {
      try {
        first = await deps.receipts.firstTime(key);
      } catch (err) {
        // Without the database a duplicate cannot be told apart; the listener reports the outage.
        deps.logger.warn({ err }, 'could not record a delivery receipt');
      }
    }
    if (!first) {
      deps.logger.info({ key }, 'duplicate Slack delivery ignored');
      await (args as { ack?: () => Promise<void> }).ack?.();
      return;
    }
    await args.next();
  });

  registerCommands(app, deps, [...incidentCommands, ...triageCommands, ...roleCommands, ...reportCommands, ...oncallCommands, ...pagingCommands, ...reviewCommands, ...actionCommands, ...problemCommands, ...catalogCommands, ...playbookCommands, ...drillCommands, ...drCommands, ...causeCommands]);
  registerCommands(app, deps, changeCommands, '/change');
  registerModals(app, deps);
  registerTriage(app, deps);
  registerRoles(app, deps);
  registerCapture(app, deps);
  registerHome(app, deps);
  registerSignalListeners(app, deps);
  registerPagingListeners(app, deps);
  registerReviews(app, deps);
  registerActions(app, deps);
  registerProblems(app, deps);
  registerCatalog(app, deps);
  registerChecklists(app, deps);
  registerDr(app, deps);
  registerChanges(app, deps);

  app.error(async (err) => {
    deps.logger.error({ err }, 'unhandled Slack error');
  });
  return app;
}
