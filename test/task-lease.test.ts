import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { IncidentTask } from '../src/incidents/side-effects.js';
import { DEFAULT_LEASE_SECONDS, TaskRunner, type TaskHandler, type TaskHandlers, type TaskRunnerOptions } from '../src/jobs/task-runner.js';
import { createLogger } from '../src/logger.js';
import { enqueueTask, type TaskKind } from '../src/outbox/tasks.js';
import { ReviewTask } from '../src/reviews/side-effects.js';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, useReplicaDatabase, type TestDatabase } from './support/database.js';
import { FakeSlack } from './support/fake-slack.js';
import { declareValues, lastModal, messageText } from './support/flows.js';
import { eventually } from './support/wait.js';

const logger = createLogger({ level: 'silent' });
/** The promise: work a dead runner held is taken over within 30 s (lease left + one poll of the default 2 s). */
const TAKEOVER_SECONDS = 30;
const POLL_SECONDS = 2;
/** Kinds these runners handle with test handlers (any kind with an empty payload would do). */
const SLOW = IncidentTask.sync;
const STUCK = ReviewTask.document;

/** A handler table with only the kinds a test runs. */
function only(kind: TaskKind, handler: TaskHandler<TaskKind>): TaskHandlers {
  return { [kind]: handler } as TaskHandlers;
}

/** Seconds from the database's now() to the task's stored lease expiry. */
async function leaseLeft(db: DatabaseHandle, id: string): Promise<number> {
  const row = await db.db
    .selectFrom('slack_tasks')
    .select(sql<number>`extract(epoch from locked_until - now())::float8`.as('left'))
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.left;
}

/** A runner whose handler for `kind` blocks until released; `started` lists the tasks it began. */
function blockingRunner(db: DatabaseHandle, kind: TaskKind, opts: TaskRunnerOptions = {}) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const started: string[] = [];
  const handler: TaskHandler<TaskKind> = async (task) => {
    started.push(task.id);
    await released;
  };
  return { runner: new TaskRunner(db.db, logger, only(kind, handler), opts), started, release };
}

describe('outbox task leases', () => {
  const replicas = useReplicaDatabase();

  it('a running task holds a short lease, renewed while it runs; the takeover bound is within 30 s', async () => {
    expect(DEFAULT_LEASE_SECONDS + POLL_SECONDS).toBeLessThanOrEqual(TAKEOVER_SECONDS);
    await enqueueTask(replicas.a.db, { kind: SLOW });
    const { runner, started, release } = blockingRunner(replicas.a, SLOW);
    runner.start();
    try {
      const id = await eventually(() => started[0], 10_000, 'task started');
      const first = await leaseLeft(replicas.a, id);
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThanOrEqual(DEFAULT_LEASE_SECONDS);
      // Renewed while it runs (every third of the lease): the expiry moves forward, and stays short.
      const expiry = async () => (await replicas.a.db.selectFrom('slack_tasks').select('locked_until').where('id', '=', id).executeTakeFirstOrThrow()).locked_until!.getTime();
      const firstExpiry = await expiry();
      await eventually(async () => (await expiry()) > firstExpiry + 1000, DEFAULT_LEASE_SECONDS * 1000, 'lease renewed');
      expect(await leaseLeft(replicas.a, id)).toBeLessThanOrEqual(DEFAULT_LEASE_SECONDS);
      // Held: another runner does not take it.
      const other = new TaskRunner(replicas.b.db, logger, only(SLOW, async () => expect.unreachable('run twice')));
      expect(await other.pass()).toBe(0);
      release();
      await eventually(async () => (await replicas.a.db.selectFrom('slack_tasks').select('done_at').where('id', '=', id).executeTakeFirstOrThrow()).done_at, 10_000, 'done');
      expect(started).toEqual([id]);
    } finally {
      release();
      await runner.stop();
    }
  }, 60_000);

  it('the task of a runner that lost its database is claimed by another runner once the stored lease ran out, not before', async () => {
    await replicas.a.db.deleteFrom('slack_tasks').execute();
    await enqueueTask(replicas.a.db, { kind: STUCK });
    const dead = openDatabase(replicas.database.url);
    // A short lease, so the takeover is seen soon; the default's bound is checked above.
    const doomed = blockingRunner(dead, STUCK, { leaseSeconds: 2 });
    doomed.runner.start();
    const id = await eventually(() => doomed.started[0], 10_000, 'task claimed by the first runner');
    const expiry = (await replicas.a.db.selectFrom('slack_tasks').select('locked_until').where('id', '=', id).executeTakeFirstOrThrow()).locked_until!;
    // The first runner is cut off from the database: it can neither renew nor record anything.
    await dead.close();

    const claims: { at: Date; attempts: number }[] = [];
    const survivor = new TaskRunner(
      replicas.b.db,
      logger,
      only(STUCK, async (task) => {
        const { rows } = await sql<{ now: Date }>`select now()`.execute(replicas.b.db);
        claims.push({ at: rows[0].now, attempts: task.attempts });
      }),
    );
    await eventually(async () => (await survivor.pass()) > 0, 20_000, 'taken over');
    expect(claims).toHaveLength(1);
    expect(claims[0].attempts).toBe(2);
    expect(claims[0].at.getTime()).toBeGreaterThanOrEqual(expiry.getTime());
    const row = await replicas.a.db.selectFrom('slack_tasks').select(['done_at', 'failed']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.done_at).not.toBeNull();
    expect(row.failed).toBe(false);
    doomed.release();
    await doomed.runner.stop();
  }, 60_000);
});

describe('a provisioning run that lost its lease', () => {
  let fake: FakeSlack;
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    fake = await FakeSlack.start();
    database = await createTestDatabase();
    fake.addUser({ id: 'UANA', name: 'ana' });
    // Two replicas on one database and workspace.
    a = await startTestApp({ fake, database });
    b = await startTestApp({ fake, database });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await fake?.close();
    await database?.drop();
  });

  it('records none of its steps: the replica that took over makes the one channel, card and channel_created row', async () => {
    // The first runner to create the channel is stalled inside Slack's call until well past its lease.
    const stalled = fake.hold('conversations.create');
    await a.slack.command({ text: 'declare Lease lost', userId: 'UANA', channelId: 'CGENERAL' });
    const view = await eventually(() => lastModal(a, 'UANA', 'incident_declare'));
    expect((await a.slack.viewSubmission({ userId: 'UANA', view, values: declareValues({ userId: 'UANA', title: 'Lease lost' }) })).status).toBe(200);
    await eventually(() => stalled.received, 10_000, 'channel creation in flight');
    const task = await a.app.db.selectFrom('slack_tasks').select(['id', 'attempts']).where('kind', '=', IncidentTask.provision).executeTakeFirstOrThrow();
    expect(task.attempts).toBe(1);
    // Its lease runs out (as if the process had been paused); the other replica takes the task over.
    await a.app.db.updateTable('slack_tasks').set({ locked_until: sql<Date>`now() - interval '1 second'` }).where('id', '=', task.id).execute();
    const incident = await eventually(
      () => a.app.db.selectFrom('incidents').selectAll().where('title', '=', 'Lease lost').where('provisioned_at', 'is not', null).executeTakeFirst(),
      20_000,
      'provisioned by the other replica',
    );

    // The stalled call now completes (Slack made nothing new: the name is taken by then).
    stalled.release();
    await eventually(() => fake.callsTo('conversations.create').length === 2, 10_000, 'stalled call answered');
    await a.settle();
    await b.settle();

    const created = await a.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', incident.id).where('kind', '=', 'channel_created').execute();
    expect(created).toHaveLength(1);
    const channel = fake.channels.get(incident.channel_id!)!;
    expect(channel.pins).toHaveLength(1);
    expect(channel.messages.filter((m) => messageText(m).includes(`INC-${incident.number}: Lease lost`))).toHaveLength(1);
    expect([...fake.channels.values()].filter((c) => c.name.startsWith(`inc-${incident.number}-`))).toHaveLength(1);
    const after = await a.app.db.selectFrom('slack_tasks').select(['attempts', 'done_at', 'failed']).where('id', '=', task.id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ attempts: 2, failed: false });
    expect(after.done_at).not.toBeNull();
  }, 90_000);
});
