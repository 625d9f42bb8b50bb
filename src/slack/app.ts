import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type CustomRoute, type Logger as BoltLogger } from '@slack/bolt';
import type { RetryOptions } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { SlackDeps } from './deps.js';
import { registerCommands } from './listeners/commands.js';
import { incidentCommands } from './listeners/incident-commands.js';
import { registerCapture } from './listeners/capture.js';
import { registerRoles, roleCommands } from './listeners/roles.js';
import { registerTriage, triageCommands } from './listeners/triage.js';
import { registerModals } from './listeners/modals.js';
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

  // Slack redelivers events it thinks were missed; each event_id is handled once.
  app.use(async ({ body, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if ((body as { type?: string }).type === 'event_callback' && typeof eventId === 'string') {
      if (!(await deps.receipts.firstTime(eventId))) return;
    }
    await next();
  });

  registerCommands(app, deps, [...incidentCommands, ...triageCommands, ...roleCommands, ...catalogCommands, ...playbookCommands, ...drillCommands, ...drCommands, ...causeCommands]);
  registerCommands(app, deps, changeCommands, '/change');
  registerModals(app, deps);
  registerTriage(app, deps);
  registerRoles(app, deps);
  registerCapture(app, deps);
  registerCatalog(app, deps);
  registerChecklists(app, deps);
  registerDr(app, deps);
  registerChanges(app, deps);

  app.error(async (err) => {
    deps.logger.error({ err }, 'unhandled Slack error');
  });
  return app;
}
