import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { ActionHooks } from '../actions/service.js';
import type { Config } from '../config.js';
import type { Metrics } from '../http/metrics.js';
import type { Route } from '../http/router.js';
import type { Incident } from '../incidents/incident.js';
import type { IntegrationSubscriber } from '../integrations/registry.js';
import type { IncidentHooks } from '../incidents/service.js';
import type { ScheduledJob } from '../jobs/scheduler.js';
import type { LaneTaskHandlers, SomeTaskHandlers, TaskHandlers } from '../jobs/task-runner.js';
import type { Logger } from '../logger.js';
import type { FeatureLane, IntegrationTaskKind, LaneTaskKind, OptionalTaskKind, TaskKind } from '../outbox/kinds.js';
import type { TaskQueue } from '../outbox/queue.js';
import type { ProfileCache } from '../reminders/profiles.js';
import type { ServiceContext } from '../context.js';
import type { Services } from '../services.js';
import type { SlackDeps } from '../slack/deps.js';
import type { SlackIdentity } from '../slack/identity.js';
import type { Subcommand } from '../slack/listeners/commands.js';
import type { CardExtras } from '../slack/views/card.js';
import type { HomeSection } from '../slack/views/home.js';

/** What other features add to the incident card, the weekly report and the Home tab; read when one is rendered. */
export interface Sections {
  card: ((incident: Incident) => Promise<CardExtras>)[];
  weekly: (() => Promise<KnownBlock[]>)[];
  home: ((userId: string) => Promise<HomeSection | undefined>)[];
}

/** What a feature is registered with. */
export interface FeatureContext extends ServiceContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** The Web API client side effects post with (Bolt's listeners get theirs with each request). */
  client: WebClient;
  /** The bot's identity (auth.test), resolved in the background from start-up. */
  identity: SlackIdentity;
  /** People's names and timezones from Slack, cached in the database. */
  profiles: ProfileCache;
  /** The other features' sections, as they register; read them only when rendering. */
  sections: Readonly<Sections>;
  /** Where people reach this bot (policy reports.base_url, else the local port), for links. */
  publicUrl?: () => string;
  /** True once the app is stopping (webhooks answer 503). */
  isShuttingDown: () => boolean;
  /**
   * A service another feature registered. While registering, only the features before this one
   * are there (a missing one is a start-up error naming both); a handler or listener may ask later
   * for any.
   */
  use<K extends keyof Services>(name: K): Services[K];
}

/** What a feature brings to the app. */
export interface Contribution<T extends SomeTaskHandlers = SomeTaskHandlers> {
  services?: Partial<Services>;
  /** Run inside the transaction of an incident's change, in the order of the feature list. */
  incidentHooks?: IncidentHooks;
  actionHooks?: ActionHooks;
  /** The outbox handlers of the feature's task kinds. */
  tasks?: T;
  /**
   * Lanes of its own (a connector's), each run by its own task runner: one that is slow or down holds
   * back only its own tasks, never Slack's. Each has a handler for every kind of its lane (LaneTaskKinds).
   */
  lanes?: { [L in FeatureLane]: { lane: L; tasks: LaneTaskHandlers<L>; /** How long a failing task is retried (DEFAULT_RETRY_FOR_MS). */ retryForMs?: number } }[FeatureLane][];
  /** `/incident` subcommands; `/incident help` lists them in the order of the feature list. */
  commands?: Subcommand[];
  /** Slash commands of its own (`/change`). */
  otherCommands?: { command: string; subcommands: Subcommand[] }[];
  /** Registers its buttons, forms and events with the Bolt app. */
  listeners?: (app: App, deps: SlackDeps) => void;
  jobs?: ScheduledJob[];
  /** HTTP routes beside Slack's request URL (webhooks, the dashboard). */
  routes?: Route[];
  sections?: Partial<Sections>;
  /** Finishes the feature's own in-flight work when the app stops (after requests, before the scheduler). */
  stop?: () => Promise<void>;
}

/** What a feature's integration-event subscribers are made with. */
export interface SubscriberContext {
  config: Config;
  logger: Logger;
  /** Wakes the task runners once a delivery is queued. */
  tasks: TaskQueue;
  /** A Slack user's email address (from the profile cache), to name people in an outside system. */
  emailOf: (userId: string) => Promise<string | null>;
}

/** One feature: a domain folder, its Slack adapter files, and this registration joining them. */
export interface Feature<T extends SomeTaskHandlers = SomeTaskHandlers> {
  name: string;
  /**
   * Its integration-event subscribers (a connector's), when configured. They are asked for before any
   * feature registers, because the services publish to them.
   */
  subscribers?(ctx: SubscriberContext): IntegrationSubscriber[];
  register(ctx: FeatureContext): Contribution<T>;
}

/** Declares a feature, keeping the exact task kinds it handles in its type. */
export function defineFeature<T extends SomeTaskHandlers = {}>(feature: Feature<T>): Feature<T> {
  return feature;
}

type HandledKinds<F> = F extends Feature<infer T> ? keyof T : never;

/** The Slack lane's task kinds no feature of the list handles (only configuration-dependent kinds may be missing). */
export type UnhandledKinds<Fs extends readonly Feature<any>[]> = Exclude<Exclude<TaskKind, OptionalTaskKind | IntegrationTaskKind | LaneTaskKind>, HandledKinds<Fs[number]>>;

/**
 * The task handler table, from the features' slices. A list whose features leave a kind without
 * its handler does not type-check: the call then asks for an argument naming the missing kinds.
 */
export function taskHandlers<Fs extends readonly Feature<any>[]>(
  _features: Fs,
  contributions: Contribution[],
  ..._unhandled: [UnhandledKinds<Fs>] extends [never] ? [] : [missing: UnhandledKinds<Fs>]
): TaskHandlers {
  return Object.assign({}, ...contributions.map((c) => c.tasks ?? {})) as TaskHandlers;
}
