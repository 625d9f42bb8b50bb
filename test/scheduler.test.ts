import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Scheduler, type ScheduledJob } from '../src/jobs/scheduler.js';
import { useReplicaDatabase } from './support/database.js';
import { FakeClock } from './support/clock.js';

const replicas = useReplicaDatabase();

describe('the scheduler', () => {
  it('runs each fire of a job once across two replicas', async () => {
    const clock = new FakeClock();
    const runs: string[] = [];
    const job = (replica: string): ScheduledJob => ({ name: 'digest', cron: '* * * * *', run: async () => void runs.push(replica) });
    const log = pino({ level: 'silent' });
    const one = new Scheduler(replicas.a.db, log, clock, [job('a')]);
    const two = new Scheduler(replicas.b.db, log, clock, [job('b')]);
    const fire = new Date('2026-11-26T09:01:00Z');
    const results = await Promise.all([one.fire(job('a'), fire), two.fire(job('b'), fire), one.fire(job('a'), fire), two.fire(job('b'), fire)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(runs).toHaveLength(1);
    await one.fire(job('a'), new Date('2026-11-26T09:02:00Z'));
    expect(runs).toHaveLength(2);
    const rows = await replicas.a.db.selectFrom('job_runs').selectAll().where('name', '=', 'digest').execute();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.finished_at !== null && r.error === null)).toBe(true);
  });

  it('records a failing run instead of throwing', async () => {
    const clock = new FakeClock();
    const job: ScheduledJob = { name: 'broken', cron: '* * * * *', run: async () => { throw new Error('boom'); } };
    const s = new Scheduler(replicas.a.db, pino({ level: 'silent' }), clock, [job]);
    expect(await s.runNow('broken')).toBe(true);
    const row = await replicas.a.db.selectFrom('job_runs').selectAll().where('name', '=', 'broken').executeTakeFirstOrThrow();
    expect(row.error).toBe('boom');
  });

  it('refuses an invalid cron expression at start-up', () => {
    expect(() => new Scheduler(replicas.a.db, pino({ level: 'silent' }), new FakeClock(), [{ name: 'x', cron: 'every minute', run: async () => {} }])).toThrow(/invalid cron/);
  });
});
