import { App, LogLevel, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient, type RetryOptions, type WebClientOptions } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { SlackDeps } from './deps.js';
import type { Route } from '../http/router.js';
import { deliveryGate, hasAcked } from './delivery.js';
import { SlackReceiver } from './receiver.js';
import type { BackoffOptions } from './backoff.js';
import { SlackIdentity } from './identity.js';
import { GatedSocketModeReceiver, SocketConnection } from './socket.js';
import { registerCommands, type Subcommand } from './listeners/commands.js';

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

/** The Web API client the rest of the app posts with, and the bot's identity (resolved with retries). */
export interface SlackClient {
  client: WebClient;
  identity: SlackIdentity;
  /** The options Bolt's own clients are made with (same API base, retries and counting fetch). */
  clientOptions: WebClientOptions;
}

/** The Bolt app, and either the route Slack posts to (HTTP mode) or the Socket Mode connection. */
export interface SlackApp {
  app: App;
  routes: Route[];
  socket?: SocketConnection;
}

/** What the features bring to the Bolt app. */
export interface SlackListeners {
  /** `/incident` subcommands, in the order `/incident help` lists them. */
  commands: Subcommand[];
  /** Commands of their own (`/change`), by command. */
  otherCommands: { command: string; subcommands: Subcommand[] }[];
  /** Registers a feature's buttons, forms and events. */
  listeners: ((app: App, deps: SlackDeps) => void)[];
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

export function createSlackClient(opts: SlackAppOptions, logger: Logger): SlackClient {
  const clientOptions: WebClientOptions = {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    retryConfig: opts.retryConfig ?? { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  const client = new WebClient(opts.botToken, { ...clientOptions, logger: boltLogger(logger) });
  const identity = new SlackIdentity(client, logger.child({ component: 'slack' }), opts.slackBackoff);
  return { client, identity, clientOptions };
}

/**
 * The Bolt app: our own receiver (a route of the HTTP server on PORT), or Bolt's Socket Mode
 * receiver when an app token is set; either way requests enter through the delivery gate (see
 * delivery.ts), and each feature's listeners are registered.
 */
export function createSlackApp(opts: SlackAppOptions, slack: SlackClient, deps: SlackDeps, features: SlackListeners): SlackApp {
  const { identity, clientOptions } = slack;
  const logger = boltLogger(deps.logger);
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
    // No listener keeps conversation state, and the in-memory store would not be shared between
    // replicas anyway; without it, a request no longer builds and throws a "not found" error.
    convoStore: false,
  });

  // Counts requests until their listeners finish (work after the ack included).
  // Anything no listener answered (an unknown button, a stale form) is acknowledged at once rather
  // than left for Slack to time out.
  app.use(async (args) => {
    deps.metrics.inflight++;
    try {
      await args.next();
      const ack = (args as { ack?: () => Promise<void> }).ack;
      if (ack && !hasAcked(ack)) await ack().catch(() => {});
    } finally {
      deps.metrics.inflight--;
    }
  });

  app.use(gate.middleware);

  registerCommands(app, deps, features.commands);
  for (const { command, subcommands } of features.otherCommands) registerCommands(app, deps, subcommands, command);
  for (const register of features.listeners) register(app, deps);

  app.error(async (err) => {
    deps.logger.error({ err }, 'unhandled Slack error');
  });
  const socket = socketReceiver ? new SocketConnection(socketReceiver, deps.logger.child({ component: 'socket' }), opts.slackBackoff) : undefined;
  return { app, routes: receiver instanceof SlackReceiver ? [receiver.route()] : [], socket };
}
