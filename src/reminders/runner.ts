import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { ScheduledJob } from '../jobs/scheduler.js';
import type { Logger } from '../logger.js';
import type { Policy } from '../policy/schema.js';
import { loadContents, type ReminderContent } from './content.js';
import { peopleToLocate, planDigests, planEscalations, planWeeklySummary } from './planner.js';
import type { ProfileCache } from './profiles.js';
import { claimSends, expireSends, markFinished, markSent, releaseSend, type ReminderSend } from './sends.js';

/** Where a reminder was posted, and what to remember about it (e.g. the action ids it lists). */
export interface Delivered {
  channelId: string;
  ts: string;
  payload: Record<string, unknown>;
}

/** Thrown by a delivery that can never succeed (the person is gone, the channel archived…). */
export class UndeliverableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndeliverableError';
  }
}

/** Posts reminders (the Slack adapter implements it). */
export interface ReminderDelivery {
  /**
   * Posts one reminder. With `maybePosted`, an earlier attempt may have posted it before the process
   * died: the implementation looks for that message first and updates it instead of posting again.
   */
  deliver(send: ReminderSend, content: ReminderContent, opts: { maybePosted: boolean }): Promise<Delivered>;
}

/** What one run of the reminder job did. */
export interface RunStats {
  located: number;
  planned: { digests: number; escalations: number; weekly: number };
  sent: number;
  skipped: number;
  failed: number;
  retried: number;
  expired: number;
}

/** Tuning of deliveries (defaults suit Slack's rate limits). */
export interface ReminderRunnerOptions {
  /** Deliveries in flight at once (Slack's per-channel limit is per DM, so a few in parallel is safe). */
  concurrency?: number;
  batchSize?: number;
  leaseMs?: number;
  maxAttempts?: number;
}

/**
 * The reminder job: refresh the timezones it needs, plan what is due as rows, then claim and deliver
 * them. Safe to run on every replica at once and after any restart: rows are keyed and claimed.
 */
export class ReminderRunner {
  private stopping = false;
  private current?: Promise<unknown>;
  private readonly token = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly opts: Required<ReminderRunnerOptions>;

  constructor(
    private readonly deps: {
      db: Db;
      policy: Policy;
      clock: Clock;
      logger: Logger;
      profiles: ProfileCache;
      delivery: ReminderDelivery;
      /** Where the weekly summary goes when the policy names no channel. */
      summaryChannel?: string;
    },
    opts: ReminderRunnerOptions = {},
  ) {
    this.opts = { concurrency: opts.concurrency ?? 4, batchSize: opts.batchSize ?? 50, leaseMs: opts.leaseMs ?? 5 * 60_000, maxAttempts: opts.maxAttempts ?? 8 };
  }

  /** The scheduled job, on the policy's check cron. */
  job(): ScheduledJob {
    return { name: 'reminders', cron: this.deps.policy.reminders.check_cron, run: (now) => this.run(now).then(() => undefined) };
  }

  /**
   * Stops claiming: deliveries already being posted finish and are recorded, claimed ones not yet
   * started are handed back for the next run (here or on another replica). Resolves when done.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.current?.catch(() => {});
  }

  run(now: Date): Promise<RunStats> {
    const run = this.runOnce(now);
    this.current = run;
    return run;
  }

  private async runOnce(now: Date): Promise<RunStats> {
    const { db, policy, logger } = this.deps;
    const stats: RunStats = { located: 0, planned: { digests: 0, escalations: 0, weekly: 0 }, sent: 0, skipped: 0, failed: 0, retried: 0, expired: 0 };
    try {
      stats.located = await this.deps.profiles.refresh(await peopleToLocate(db, policy, now));
    } catch (err) {
      // Without fresh timezones the stored (or UTC) ones are used; reminders still go out.
      logger.warn({ err }, 'could not refresh Slack profiles for reminders');
    }
    stats.planned.escalations = await planEscalations(db, policy, now);
    stats.planned.digests = await planDigests(db, policy, now);
    stats.planned.weekly = await planWeeklySummary(db, policy, now, policy.reminders.weekly_summary.channel ?? this.deps.summaryChannel);
    stats.expired = await expireSends(db, now);
    while (!this.stopping) {
      const batch = await claimSends(db, { now: this.deps.clock.now(), limit: this.opts.batchSize, leaseMs: this.opts.leaseMs, token: this.token });
      if (!batch.length) break;
      const contents = await loadContents(db, policy, batch, this.deps.clock.now());
      await pool(batch, this.opts.concurrency, (send) => this.deliverOne(send, contents.get(send.id) ?? null, stats));
    }
    // Deliveries older than the longest window a message is kept up to date (14 days) have served their purpose.
    await db.deleteFrom('reminder_sends').where('created_at', '<', new Date(now.getTime() - 60 * 86_400_000)).where('status', 'not in', ['pending', 'sending']).execute();
    if (stats.sent || stats.failed || stats.retried) logger.info({ ...stats }, 'reminders delivered');
    return stats;
  }

  private async deliverOne(send: ReminderSend, content: ReminderContent | null, stats: RunStats): Promise<void> {
    const { db, logger, clock } = this.deps;
    if (this.stopping) {
      await releaseSend(db, send.id, this.token, clock.now(), 'released at shutdown', { untried: true });
      return;
    }
    if (!content) {
      await markFinished(db, send.id, this.token, 'skipped', 'nothing to remind of');
      stats.skipped++;
      return;
    }
    let delivered: Delivered;
    try {
      delivered = await this.deps.delivery.deliver(send, content, { maybePosted: send.attempts > 1 });
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (err instanceof UndeliverableError || send.attempts >= this.opts.maxAttempts) {
        logger.warn({ err: message, send: send.key }, 'reminder cannot be delivered');
        await markFinished(db, send.id, this.token, 'failed', message);
        stats.failed++;
      } else {
        const backoffMs = Math.min(60_000 * 2 ** (send.attempts - 1), 3_600_000);
        await releaseSend(db, send.id, this.token, new Date(clock.now().getTime() + backoffMs), message);
        stats.retried++;
      }
      return;
    }
    if (await markSent(db, send.id, this.token, { ...delivered, at: clock.now() })) stats.sent++;
    else logger.warn({ send: send.key }, 'reminder lease expired while delivering; another process took it over');
  }
}

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
