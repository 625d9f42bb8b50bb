import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_FOR_MS, RetryLater, TaskRunner, type TaskHandlers } from '../src/jobs/task-runner.js';
import { createLogger } from '../src/logger.js';
import { enqueueTask } from '../src/outbox/tasks.js';
import { IncidentTask } from '../src/incidents/side-effects.js';
import { STATUSPAGE_LANE } from '../src/status/statuspage-lane.js';
import { createReplicaDatabase, type Replicas } from './support/database.js';
import { outboxTimePasses } from './support/outbox-time.js';

const logger = createLogger({ level: 'silent' });
const MINUTE = 60_000;
let replicas: Replicas;
beforeAll(async () => {
  replicas = await createReplicaDatabase();
});
afterAll(() => replicas?.close());

const db = () => replicas.a.db;
const row = (kind: string) => db().selectFrom('slack_tasks').select(['done_at', 'failed', 'attempts', 'last_error']).where('kind', '=', kind).orderBy('id', 'desc').executeTakeFirstOrThrow();

/** Lets `minutes` pass for the outbox, then runs what fell due: one try of a failing task. */
async function tryAgainAfter(runner: TaskRunner, minutes: number): Promise<void> {
  await outboxTimePasses(db(), minutes * MINUTE);
  await runner.drain();
}

describe('giving a failing task up', () => {
  it('the Slack lane gives it up after its 25 runs, however young it is', async () => {
    const runner = new TaskRunner(db(), logger, { [IncidentTask.sync]: async () => Promise.reject(new Error('channel_not_found')) } as unknown as TaskHandlers, { backoffMs: 50, maxBackoffMs: 500 });
    await enqueueTask(db(), { kind: IncidentTask.sync });
    await runner.drain();
    for (let i = 1; i < 24; i++) await tryAgainAfter(runner, 1);
    expect(await row(IncidentTask.sync)).toMatchObject({ done_at: null, failed: false, attempts: 24 });
    await tryAgainAfter(runner, 1);
    expect(await row(IncidentTask.sync)).toMatchObject({ done_at: expect.any(Date), failed: true, attempts: 25, last_error: 'channel_not_found' });
  });

  it('a connector lane retries through a Retry-After every 5 minutes for hours, then gives up once the task is older than its window', async () => {
    const tries: number[] = [];
    const runner = new TaskRunner(
      db(),
      logger,
      {
        'statuspage.post': async (task) => {
          tries.push(task.attempts);
          throw new RetryLater('Statuspage 503: under maintenance', 5 * MINUTE);
        },
      },
      { lane: STATUSPAGE_LANE, retryForMs: DEFAULT_RETRY_FOR_MS, backoffMs: 50, maxBackoffMs: 500 },
    );
    await enqueueTask(db(), { kind: 'statuspage.post', lane: STATUSPAGE_LANE, payload: { postId: '1' } });
    await runner.drain();
    // Three hours of maintenance: 37 tries, more than the Slack lane's 25, and the task still waits.
    for (let i = 0; i < 36; i++) await tryAgainAfter(runner, 5);
    expect(tries).toHaveLength(37);
    expect(await row('statuspage.post')).toMatchObject({ done_at: null, failed: false, attempts: 37, last_error: 'Statuspage 503: under maintenance' });

    // Still failing a day after it was queued: given up, saying why.
    await tryAgainAfter(runner, 21 * 60 - 5);
    expect(await row('statuspage.post')).toMatchObject({ done_at: null, failed: false, attempts: 38 });
    await tryAgainAfter(runner, 5);
    const given = await row('statuspage.post');
    expect(given).toMatchObject({ done_at: expect.any(Date), failed: true, attempts: 39 });
    expect(given.last_error).toBe('given up after retrying for 24 h (39 attempts): Statuspage 503: under maintenance');
  });
});
