import type { Logger } from '../logger.js';
import type { Db } from '../db/database.js';
import type { OptionalTaskKind } from '../outbox/kinds.js';
import { claimDueTasks, completeTask, failTask, rescheduleTask, type Task, type TaskKind, type TaskOf, type UnreadableTask } from '../outbox/tasks.js';

/** Carries out one kind of task. */
export type TaskHandler<K extends TaskKind> = (task: TaskOf<K>) => Promise<void>;

/**
 * A handler for every kind of task, so a kind added without its handler fails the type check. Only
 * the kinds of features that configuration can switch off (OptionalTaskKind) may be left out.
 */
export type TaskHandlers = { [K in Exclude<TaskKind, OptionalTaskKind>]: TaskHandler<K> } & { [K in OptionalTaskKind]?: TaskHandler<K> };

/** Handlers for some kinds: what one feature contributes to the table. */
export type SomeTaskHandlers = { [K in TaskKind]?: TaskHandler<K> };

function handlerFor<K extends TaskKind>(handlers: TaskHandlers, kind: K): TaskHandler<K> | undefined {
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

export interface TaskRunnerOptions {
  pollMs?: number;
  batchSize?: number;
  leaseSeconds?: number;
  maxAttempts?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** How a task run ended: done, to be run again, or given up. */
export type TaskRunOutcome = 'ok' | 'retry' | 'failed';

/**
 * Carries out outbox tasks: polls Postgres for due tasks (and runs at once when kicked after a
 * write), retries failures with backoff. Safe with several replicas: claims use SKIP LOCKED leases.
 */
export class TaskRunner {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private readonly opts: Required<TaskRunnerOptions>;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly handlers: TaskHandlers,
    opts: TaskRunnerOptions = {},
    /** Told how each run ended (metrics). */
    private readonly observe: (kind: string, outcome: TaskRunOutcome) => void = () => {},
  ) {
    this.opts = {
      pollMs: opts.pollMs ?? 2_000,
      batchSize: opts.batchSize ?? 8,
      leaseSeconds: opts.leaseSeconds ?? 120,
      maxAttempts: opts.maxAttempts ?? 25,
      backoffMs: opts.backoffMs ?? 2_000,
      maxBackoffMs: opts.maxBackoffMs ?? 300_000,
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
    this.running = this.loop().finally(() => {
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
    const tasks = await claimDueTasks(this.db, this.opts.batchSize, this.opts.leaseSeconds);
    await Promise.all(tasks.map((t) => this.runOne(t)));
    return tasks.length;
  }

  private async runOne(task: Task | UnreadableTask): Promise<void> {
    const log = this.logger.child({ task: task.id, kind: task.kind, incident: task.incidentId, attempt: task.attempts });
    if ('unreadable' in task) {
      log.error({ problem: task.unreadable }, 'task cannot be read');
      await failTask(this.db, task.id, `cannot read ${task.kind}: ${task.unreadable}`);
      this.observe(task.kind, 'failed');
      return;
    }
    const handler = handlerFor(this.handlers, task.kind);
    if (!handler) {
      log.error('no handler for task kind');
      await failTask(this.db, task.id, `no handler for ${task.kind}`);
      this.observe(task.kind, 'failed');
      return;
    }
    try {
      await handler(task);
      await completeTask(this.db, task.id);
      this.observe(task.kind, 'ok');
    } catch (err) {
      const message = describeError(err);
      if (err instanceof PermanentFailure || task.attempts >= this.opts.maxAttempts) {
        log.error({ err }, 'task failed permanently');
        await failTask(this.db, task.id, message);
        this.observe(task.kind, 'failed');
        return;
      }
      const delay =
        err instanceof RetryLater && err.delayMs !== undefined
          ? err.delayMs
          : Math.min(this.opts.backoffMs * 2 ** (task.attempts - 1), this.opts.maxBackoffMs);
      (err instanceof RetryLater ? log.debug.bind(log) : log.warn.bind(log))({ err: message, retryInMs: delay }, 'task will be retried');
      await rescheduleTask(this.db, task.id, delay, message);
      this.observe(task.kind, 'retry');
    }
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const data = (err as { data?: { error?: string } }).data;
    return data?.error ? `${err.message} (${data.error})` : err.message;
  }
  return String(err);
}
