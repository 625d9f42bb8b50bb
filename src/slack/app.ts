import { App, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient, type RetryOptions, type WebClientOptions } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { SlackDeps } from './deps.js';
import type { Route } from '../http/router.js';
import { deliveryGate } from './delivery.js';
import { SlackReceiver } from './receiver.js';
import type { BackoffOptions } from './backoff.js';
import { SlackIdentity } from './identity.js';
import { GatedSocketModeReceiver, SocketConnection } from './socket.js';
import { registerCommands } from './listeners/commands.js';
import { incidentCommands } from './listeners/incident-commands.js';
import { registerCapture } from './listeners/capture.js';
import { registerHome, reportCommands } from './listeners/reports.js';
import { registerRoles, roleCommands } from './listeners/roles.js';
import { registerTriage, triageCommands } from './listeners/triage.js';
import { escalationCommands, registerEscalation } from './listeners/escalation.js';
import { bridgeCommands } from './listeners/bridge.js';
import { registerVendors, vendorCommands } from './listeners/vendors.js';
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
  retryConfig?: RetryOptions;
  /** The Web API client's fetch (counts calls for metrics). */
  fetch?: typeof fetch;
  /** Waits between attempts to reach Slack (identity, Socket Mode connection). */
  slackBackoff?: BackoffOptions;
}

/**
 * The Bolt app, the Web API client the rest of the app posts with, the bot's identity, and either
 * the route Slack posts to (HTTP mode) or the Socket Mode connection.
 */
export interface SlackApp {
  app: App;
  client: WebClient;
  identity: SlackIdentity;
  routes: Route[];
  socket?: SocketConnection;
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
 * The Bolt app: our own receiver (a route of the HTTP server on PORT), or Bolt's Socket Mode
 * receiver when an app token is set; either way requests enter through the delivery gate (see
 * delivery.ts), and listeners are registered per feature.
 */
export function createSlackApp(opts: SlackAppOptions, deps: SlackDeps): SlackApp {
  const logger = boltLogger(deps.logger);
  const clientOptions: WebClientOptions = {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    retryConfig: opts.retryConfig ?? { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  const client = new WebClient(opts.botToken, { ...clientOptions, logger });
  const identity = new SlackIdentity(client, deps.logger.child({ component: 'slack' }), opts.slackBackoff);
  const gate = deliveryGate(deps);
  // In Socket Mode, apps.connections.open goes to the configured Web API base like every other call.
  const socketReceiver = opts.appToken
    ? new SocketModeReceiver({ appToken: opts.appToken, installerOptions: { clientOptions: { ...clientOptions } }, autoReconnectEnabled: false, logger })
    : undefined;
  const receiver = socketReceiver
    ? new GatedSocketModeReceiver(socketReceiver, gate.deliver)
    : new SlackReceiver({ signingSecret: opts.signingSecret, deliver: gate.deliver, logger: deps.logger.child({ component: 'slack-receiver' }) });
  // Not `token`: Bolt would then ask auth.test once, while it is constructed, and keep a failure for
  // good (every request refused until a restart). The identity is resolved with retries instead,
  // and requests are served with the token meanwhile (only ignoring the bot's own events needs it).
  const app = new App({
    authorize: async () => {
      const me = identity.current();
      return { botToken: opts.botToken, botId: me?.botId, botUserId: me?.userId };
    },
    receiver,
    logger,
    clientOptions,
  });

  // Counts requests until their listeners finish (work after the ack included).
  // Anything no listener answered (an unknown button, a stale form) is acknowledged at once rather
  // than left for Slack to time out.
  app.use(async (args) => {
    deps.metrics.inflight++;
    try {
      await args.next();
      const ack = (args as { ack?: () => Promise<void> }).ack;
      if (ack) await ack().catch(() => {});
    } finally {
      deps.metrics.inflight--;
    }
  });

  app.use(gate.middleware);

  registerCommands(app, deps, [...incidentCommands, ...triageCommands, ...escalationCommands, ...bridgeCommands, ...vendorCommands, ...roleCommands, ...reportCommands, ...oncallCommands, ...pagingCommands, ...reviewCommands, ...actionCommands, ...problemCommands, ...catalogCommands, ...playbookCommands, ...drillCommands, ...drCommands, ...causeCommands]);
  registerCommands(app, deps, changeCommands, '/change');
  registerModals(app, deps);
  registerTriage(app, deps);
  registerEscalation(app, deps);
  registerVendors(app, deps);
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
  const socket = socketReceiver ? new SocketConnection(socketReceiver, deps.logger.child({ component: 'socket' }), opts.slackBackoff) : undefined;
  return { app, client, identity, routes: receiver instanceof SlackReceiver ? [receiver.route()] : [], socket };
}
