import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';

/**
 * A periodic job. `run` must be idempotent and work from stored state ("what is due as of now"), so
 * a fire missed while the app was down is caught up by the next one, once.
 */
export interface ScheduledJob {
  name: string;
  /** node-cron expression (seconds optional), evaluated in UTC. */
  cron: string;
  run(now: Date): Promise<void>;
}

/**
 * Runs periodic jobs with node-cron, coordinated through Postgres: each scheduled fire is claimed by
 * inserting (name, fire_time) into job_runs, so with several replicas exactly one runs it.
 */
export class Scheduler {
  private tasks: ScheduledTask[] = [];
  private inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly jobs: ScheduledJob[],
  ) {
    for (const job of jobs) {
      if (!cron.validate(job.cron)) throw new Error(`job ${job.name}: invalid cron expression "${job.cron}"`);
    }
  }

  start(): void {
    for (const job of this.jobs) {
      const task = cron.schedule(job.cron, (ctx) => this.track(this.fire(job, ctx.date)), { name: job.name, timezone: 'UTC', noOverlap: true });
      this.tasks.push(task);
    }
    // Catch up once at start-up on what became due while the app was down.
    for (const job of this.jobs) void this.runNow(job.name).catch(() => {});
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    this.tasks = [];
    await Promise.allSettled([...this.inflight]);
  }

  /** Claims and runs one fire of a job; returns false when another replica had claimed it. */
  async fire(job: ScheduledJob, fireTime: Date): Promise<boolean> {
    const claimed = await this.db
      .insertInto('job_runs')
      .values({ name: job.name, fire_time: fireTime, error: null })
      .onConflict((oc) => oc.columns(['name', 'fire_time']).doNothing())
      .returning('name')
      .executeTakeFirst();
    if (!claimed) return false;
    let error: string | null = null;
    try {
      await job.run(this.clock.now());
    } catch (err) {
      error = (err as Error).message ?? String(err);
      this.logger.error({ err, job: job.name }, 'scheduled job failed');
    }
    await this.db.updateTable('job_runs').set({ finished_at: this.clock.now(), error }).where('name', '=', job.name).where('fire_time', '=', fireTime).execute();
    return true;
  }

  /** Runs a job now (claimed under the current time, to the millisecond). Used at start-up and by tests; stop() waits for it. */
  async runNow(name: string): Promise<boolean> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no scheduled job named ${name}`);
    const run = this.fire(job, this.clock.now());
    this.track(run);
    return run;
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err) => this.logger.error({ err }, 'scheduler error')).finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }
}
