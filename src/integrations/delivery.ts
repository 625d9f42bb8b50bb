import type { Db } from '../db/database.js';
import { DEFAULT_RETRY_FOR_MS, PermanentFailure, TaskRunner, type TaskHandler, type TaskRunnerOptions, type TaskRunOutcome } from '../jobs/task-runner.js';
import type { Logger } from '../logger.js';
import { IntegrationTask } from './publisher.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, laneOf, type IntegrationSubscriber } from './registry.js';

export interface DeliveryDeps {
  db: Db;
  logger: Logger;
}

/** Thrown when a delivery outlives its subscriber's time limit (it is then retried). */
export class DeliveryTimedOut extends Error {
  constructor(subscriber: string, ms: number) {
    super(`integration subscriber ${subscriber}: delivery took longer than ${ms} ms`);
    this.name = 'DeliveryTimedOut';
  }
}

/** Carries out one subscriber's delivery tasks: the stored event (parsed when claimed) handed to its handler under a time limit. */
export function deliveryHandler(subscriber: IntegrationSubscriber, deps: DeliveryDeps): TaskHandler<typeof IntegrationTask.deliver> {
  const timeoutMs = subscriber.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  return async (task) => {
    const { event } = task.payload;
    if (task.payload.subscriber !== subscriber.name) throw new PermanentFailure(`delivery for ${task.payload.subscriber} in the lane of ${subscriber.name}`);
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new DeliveryTimedOut(subscriber.name, timeoutMs);
        abort.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const logger = deps.logger.child({ subscriber: subscriber.name, event: event.id, type: event.type, incident: event.incident.id });
    const handling = subscriber.handle(event, { db: deps.db, idempotencyKey: `${event.id}:${subscriber.name}`, attempt: task.attempts, lastAttempt: task.lastAttempt, signal: abort.signal, logger });
    // A handler that ignores the signal may still settle after the time limit: nothing waits for it then.
    handling.catch(() => {});
    try {
      await Promise.race([handling, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  };
}

export interface IntegrationRunnersOptions extends DeliveryDeps {
  subscribers: readonly IntegrationSubscriber[];
  runner?: TaskRunnerOptions;
  /** Told how each delivery ended (metrics). */
  observe?: (subscriber: string, outcome: TaskRunOutcome) => void;
}

/**
 * One task runner per subscriber, each claiming only its subscriber's lane: a connector that is
 * slow or down holds back its own deliveries, never another's nor the Slack side effects.
 */
export function integrationRunners(opts: IntegrationRunnersOptions): TaskRunner[] {
  return opts.subscribers.map(
    (s) =>
      new TaskRunner(
        opts.db,
        opts.logger.child({ component: 'integrations', subscriber: s.name }),
        { [IntegrationTask.deliver]: deliveryHandler(s, opts) },
        // Given up by age, not by the number of tries: an outside system down for hours loses nothing.
        { ...opts.runner, lane: laneOf(s), retryForMs: s.retryForMs ?? DEFAULT_RETRY_FOR_MS },
        (_kind, outcome) => opts.observe?.(s.name, outcome),
      ),
  );
}
