import type { Logger } from '../logger.js';
import type { Db } from '../db/database.js';
import type { FeatureLane, IntegrationTaskKind, LaneTaskKind, LaneTaskKinds, OptionalTaskKind } from '../outbox/kinds.js';
import { outsideDeadline } from '../db/time-limit.js';
import { claimDueTasks, completeTask, failTask, LeaseLost, renewLeases, rescheduleTask, SLACK_LANE, type Claim, type Task, type TaskKind, type TaskOf, type UnreadableTask } from '../outbox/tasks.js';

/** Carries out one kind of task. */
export type TaskHandler<K extends TaskKind> = (task: TaskOf<K>) => Promise<void>;

/**
 * A handler for every kind of task of the Slack lane, so a kind added without its handler fails the
 * type check. Only the kinds of features that configuration can switch off (OptionalTaskKind) may be
 * left out; integration deliveries have runners of their own (IntegrationTaskHandlers).
 */
export type TaskHandlers = { [K in Exclude<TaskKind, OptionalTaskKind | IntegrationTaskKind | LaneTaskKind>]: TaskHandler<K> } & { [K in OptionalTaskKind]?: TaskHandler<K> };

/** The handlers of a feature's own lane: one for every kind that lane carries. */
export type LaneTaskHandlers<L extends FeatureLane> = { [K in LaneTaskKinds[L]]: TaskHandler<K> };

/** The handlers of an integration subscriber's lane. */
export type IntegrationTaskHandlers = { [K in IntegrationTaskKind]: TaskHandler<K> };

/** Handlers for some kinds: what one feature contributes to the table. */
export type SomeTaskHandlers = { [K in TaskKind]?: TaskHandler<K> };

function handlerFor<K extends TaskKind>(handlers: TaskHandlers | IntegrationTaskHandlers | SomeTaskHandlers, kind: K): TaskHandler<K> | undefined {
  const all: SomeTaskHandlers = handlers;
  return all[kind];
}

/** Thrown by a handler that cannot proceed yet (e.g. waiting for a channel): retried after `delayMs`. */
export class RetryLater extends Error {
  constructor(message: string, readonly delayMs?: number) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** Thrown by a handler for a task that can never succeed: it is marked failed, not retried. */
export class PermanentFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentFailure';
  }
}

/**
 * How long a claim holds a task without renewal. A runner renews its leases every third of this while
 * the tasks run, so a task outlives its lease only when its runner died (or lost the database):
 * then another runner (or the restarted process) takes it over within this time plus one poll.
 */
export const DEFAULT_LEASE_SECONDS = 15;

export interface TaskRunnerOptions {
  pollMs?: number;
  batchSize?: number;
  /** See DEFAULT_LEASE_SECONDS. */
  leaseSeconds?: number;
  /** Runs of a failing task before it is given up (25 by default); not used when retryForMs is set. */
  maxAttempts?: number;
  /**
   * A connector's lane: a failing task is retried, however often, until it is this old (since it was
   * queued), and given up after; an outside system down for hours loses nothing. Unset: maxAttempts.
   */
  retryForMs?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs (5 minutes; 15 with retryForMs). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The lane whose tasks this runner claims (SLACK_LANE by default). */
  lane?: string;
}

/** A connector lane's longest wait between two tries (a vendor's Retry-After may ask for longer). */
export const CONNECTOR_MAX_BACKOFF_MS = 15 * 60_000;

/** How long a connector's lane retries a failing task by default: an outage of a day loses nothing. */
export const DEFAULT_RETRY_FOR_MS = 24 * 3_600_000;

/** How a task run ended: done, to be run again, or given up. */
export type TaskRunOutcome = 'ok' | 'retry' | 'failed';

/**
 * Carries out outbox tasks: polls Postgres for due tasks (and runs at once when kicked after a
 * write), retries failures with backoff. Safe with several replicas: claims use SKIP LOCKED leases,
 * renewed while a task runs; results are recorded only under the claim that still holds the task.
 */
export class TaskRunner {
  private timer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private renewing = false;
  /** Claims of the tasks running now, by task id. */
  private readonly held = new Map<string, Claim>();
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private readonly opts: Required<Omit<TaskRunnerOptions, 'retryForMs'>> & Pick<TaskRunnerOptions, 'retryForMs'>;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    /** Every kind of the Slack lane, the deliveries of an integration lane, or a feature lane's kinds (see opts.lane). */
    private readonly handlers: TaskHandlers | IntegrationTaskHandlers | SomeTaskHandlers,
    opts: TaskRunnerOptions = {},
    /** Told how each run ended (metrics). */
    private readonly observe: (kind: string, outcome: TaskRunOutcome) => void = () => {},
  ) {
    this.opts = {
      pollMs: opts.pollMs ?? 2_000,
      batchSize: opts.batchSize ?? 8,
      leaseSeconds: opts.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
      maxAttempts: opts.maxAttempts ?? 25,
      backoffMs: opts.backoffMs ?? 2_000,
      maxBackoffMs: opts.maxBackoffMs ?? (opts.retryForMs !== undefined ? CONNECTOR_MAX_BACKOFF_MS : 300_000),
      lane: opts.lane ?? SLACK_LANE,
      retryForMs: opts.retryForMs,
    };
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Runs due tasks now (coalesced: a kick during a pass triggers one more pass). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // Kicked from a request, the passes are not that request's work: they keep no deadline of it.
    this.running = outsideDeadline(() => this.loop()).finally(() => {
      this.running = undefined;
    });
  }

  /** Runs passes until nothing is due. For tests and shutdown. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    while ((await this.pass()) > 0) {
      /* keep going */
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.pass()) > 0) {
          /* more may be due */
        }
      } catch (err) {
        this.logger.warn({ err }, 'task runner pass failed; will retry');
      }
    } while (this.again && !this.stopped);
  }

  /** One claim-and-run pass; returns how many tasks it ran. */
  async pass(): Promise<number> {
    const tasks = await claimDueTasks(this.db, this.opts.batchSize, this.opts.leaseSeconds, this.opts.lane);
    for (const t of tasks) this.held.set(t.id, { id: t.id, attempts: t.attempts });
    this.renewTimer ??= setInterval(() => void this.renew(), (this.opts.leaseSeconds * 1000) / 3).unref();
    try {
      await Promise.all(tasks.map((t) => this.runOne(t).finally(() => this.held.delete(t.id))));
    } finally {
      if (!this.held.size && this.renewTimer) {
        clearInterval(this.renewTimer);
        this.renewTimer = undefined;
      }
    }
    return tasks.length;
  }

  /** Extends the leases of the running tasks; a lease found lost is let go (its result will not be recorded). */
  private async renew(): Promise<void> {
    if (this.renewing || !this.held.size) return;
    this.renewing = true;
    try {
      const claims = [...this.held.values()];
      const kept = await renewLeases(this.db, claims, this.opts.leaseSeconds);
      for (const c of claims) {
        if (kept.has(c.id) || this.held.get(c.id) !== c) continue;
        this.held.delete(c.id);
        this.logger.warn({ task: c.id }, 'task lease lost while running; another runner may take the task over');
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not renew task leases; will retry');
    } finally {
      this.renewing = false;
    }
  }

  /** Whether a failure of this run gives the task up: by age in a connector's lane, else by the number of runs. */
  private isLastAttempt(task: Task): boolean {
    return this.opts.retryForMs !== undefined ? task.ageMs >= this.opts.retryForMs : task.attempts >= this.opts.maxAttempts;
  }

  private async runOne(claimed: Task | UnreadableTask): Promise<void> {
    const task = 'unreadable' in claimed ? claimed : { ...claimed, lastAttempt: this.isLastAttempt(claimed) };
    const log = this.logger.child({ task: task.id, kind: task.kind, incident: task.incidentId, attempt: task.attempts });
    /** Counts how the run ended, if it was recorded: not when the task had passed to another runner. */
    const finish = (recorded: boolean, outcome?: TaskRunOutcome) => {
      if (recorded && outcome) this.observe(task.kind, outcome);
      else if (!recorded) log.warn('task lease lost: another runner has the task; this run\'s outcome is not recorded');
    };
    if ('unreadable' in task) {
      log.error({ problem: task.unreadable }, 'task cannot be read');
      finish(await failTask(this.db, task, `cannot read ${task.kind}: ${task.unreadable}`), 'failed');
      return;
    }
    const handler = handlerFor(this.handlers, task.kind);
    if (!handler) {
      log.error('no handler for task kind');
      finish(await failTask(this.db, task, `no handler for ${task.kind}`), 'failed');
      return;
    }
    try {
      await handler(task);
      finish(await completeTask(this.db, task), 'ok');
    } catch (err) {
      if (err instanceof LeaseLost) return finish(false);
      const message = describeError(err);
      if (err instanceof PermanentFailure || task.lastAttempt) {
        log.error({ err, ageMs: task.ageMs }, 'task failed permanently');
        const retried = this.opts.retryForMs !== undefined && !(err instanceof PermanentFailure);
        finish(await failTask(this.db, task, retried ? `${gaveUpAfter(task, this.opts.retryForMs!)}: ${message}` : message), 'failed');
        return;
      }
      const delay =
        err instanceof RetryLater && err.delayMs !== undefined
          ? err.delayMs
          : Math.min(this.opts.backoffMs * 2 ** (task.attempts - 1), this.opts.maxBackoffMs);
      (err instanceof RetryLater ? log.debug.bind(log) : log.warn.bind(log))({ err: message, retryInMs: delay }, 'task will be retried');
      finish(await rescheduleTask(this.db, task, delay, message), 'retry');
    }
  }
}

/** Why a retried task was given up, for its stored error. */
function gaveUpAfter(task: Task, retryForMs: number): string {
  const hours = retryForMs / 3_600_000;
  return `given up after retrying for ${Number.isInteger(hours) ? `${hours} h` : `${Math.round(retryForMs / 60_000)} min`} (${task.attempts} attempts)`;
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const data = (err as { data?: { error?: string } }).data;
    return data?.error ? `${err.message} (${data.error})` : err.message;
  }
  return String(err);
}
