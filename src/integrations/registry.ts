import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import { isIntegrationEventType, type IntegrationEvent, type IntegrationEventOf, type IntegrationEventType } from './events.js';
import { eventTypesOf } from './mapping.js';

/** What a subscriber's handler is given besides the event. */
export interface DeliveryContext {
  db: Db;
  /** This delivery's idempotency key, `<event id>:<subscriber>`: the same on every retry of it. */
  idempotencyKey: string;
  /** 1 on the first try. */
  attempt: number;
  /** The subscriber's retry window is over: if this try fails, the delivery is given up. */
  lastAttempt: boolean;
  /** Aborted when the delivery runs past the subscriber's time limit: pass it to HTTP calls. */
  signal: AbortSignal;
  logger: Logger;
}

/**
 * A connector's subscription to integration events. Its handler is called at least once per event
 * of the listed types, in order per incident; it should be idempotent by `event.id` (or
 * `ctx.idempotencyKey`). Throwing retries it with backoff (RetryLater from src/jobs/task-runner.ts
 * to wait a given time, e.g. a Retry-After; PermanentFailure to give it up) for as long as
 * `retryForMs`, however many tries that takes; while it fails, this subscriber's later events of the
 * same incident wait, and nothing else does.
 */
export interface IntegrationSubscriber<T extends IntegrationEventType = IntegrationEventType> {
  /** Unique; names its outbox lane, logs and metrics: lowercase letters, digits and dashes. */
  name: string;
  events: readonly T[];
  /**
   * Events of private (security) incidents and of drills are not delivered unless asked for here;
   * a subscriber that takes private incidents must keep their details out of anything broader.
   */
  include?: { private?: boolean; drills?: boolean };
  /** Time limit of one delivery; past it the signal is aborted and the delivery retried. Default 30 s. */
  timeoutMs?: number;
  /**
   * How long a failing delivery is retried (from when its event was queued) before it is given up;
   * DEFAULT_RETRY_FOR_MS (a day) unless the connector's policy says otherwise.
   */
  retryForMs?: number;
  handle(event: IntegrationEventOf<T>, ctx: DeliveryContext): Promise<void>;
}

export const DEFAULT_DELIVERY_TIMEOUT_MS = 30_000;

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** The outbox lane of a subscriber's deliveries. */
export function laneOf(subscriber: Pick<IntegrationSubscriber, 'name'>): string {
  return `integration:${subscriber.name}`;
}

/**
 * The subscribers of this process, fixed when the app is assembled. Replicas must be configured
 * alike: each queues deliveries for the subscribers it knows.
 */
export class SubscriberRegistry {
  private readonly byName = new Map<string, IntegrationSubscriber>();
  private readonly types = new Set<IntegrationEventType>();

  constructor(subscribers: readonly IntegrationSubscriber[] = []) {
    for (const s of subscribers) {
      if (!NAME.test(s.name)) throw new Error(`integration subscriber "${s.name}": name must be lowercase letters, digits and dashes (at most 40)`);
      if (this.byName.has(s.name)) throw new Error(`integration subscriber "${s.name}" is registered twice`);
      if (!s.events.length) throw new Error(`integration subscriber "${s.name}" lists no events`);
      const unknown = s.events.filter((t) => !isIntegrationEventType(t));
      if (unknown.length) throw new Error(`integration subscriber "${s.name}": unknown event types ${unknown.join(', ')}`);
      this.byName.set(s.name, s);
      for (const t of s.events) this.types.add(t);
    }
  }

  get subscribers(): IntegrationSubscriber[] {
    return [...this.byName.values()];
  }

  get(name: string): IntegrationSubscriber | undefined {
    return this.byName.get(name);
  }

  /** Whether a timeline row of this kind may become an event someone wants (false for all with no subscribers). */
  wantsKind(kind: string): boolean {
    return this.types.size > 0 && eventTypesOf(kind).some((t) => this.types.has(t));
  }

  /** The subscribers this event goes to. */
  subscribersOf(event: IntegrationEvent): IntegrationSubscriber[] {
    return this.subscribers.filter(
      (s) =>
        s.events.includes(event.type) &&
        (!event.incident.private || s.include?.private === true) &&
        (!event.incident.drill || s.include?.drills === true),
    );
  }
}
