import { z } from 'zod';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { isTaskKind, taskPayloadSchema, type IntegrationTaskKind, type LaneOf, type LaneTaskKind, type TaskKind, type TaskPayloads } from './kinds.js';

export type { TaskKind, TaskPayloads } from './kinds.js';

/**
 * The outbox: Slack side effects are stored as tasks in the same transaction as the change that
 * causes them, then carried out (and retried) by the task runner. Nothing is lost if Slack fails
 * or the process dies half way.
 */
interface TaskRow {
  id: string;
  incidentId: string | null;
  attempts: number;
  runAt: Date;
  /** How long ago the task was queued, by the database's clock (the outbox's clock) when it was claimed. */
  ageMs: number;
  /** Whether the runner gives the task up if this run fails (set by the runner; false as claimed). */
  lastAttempt: boolean;
}

/** A claimed task of one kind (of each, for a union of kinds), its payload as that kind declares it. */
export type TaskOf<K extends TaskKind> = K extends TaskKind ? TaskRow & { kind: K; payload: TaskPayloads[K] } : never;

/** Any claimed task; `task.kind` narrows its payload. */
export type Task = TaskOf<TaskKind>;

/** A claimed task whose kind this version does not know or whose payload does not match its kind: it cannot run. */
export interface UnreadableTask extends TaskRow {
  kind: string;
  unreadable: string;
}

/**
 * The lane a kind is queued in (an incident's tasks run in order within their lane): a feature lane's
 * kind names its lane, an integration delivery its subscriber's, and every other kind runs in the
 * Slack lane, so no task can wait in a lane whose runner does not handle it.
 */
type LaneField<K extends TaskKind> = [K] extends [LaneTaskKind] ? { lane: LaneOf<K> } : [K] extends [IntegrationTaskKind] ? { lane: string } : { lane?: typeof SLACK_LANE };

/** What a change queues: the task's kind and payload (a kind whose payload is empty may leave it out). */
export type TaskFields<K extends TaskKind> = {
  kind: K;
  /** While a pending task has this key, adding another is a no-op (coalescing). */
  dedupeKey?: string;
  runAt?: Date;
  /** Once a task had this key, adding another is a no-op, even after it ran. */
  idempotencyKey?: string;
} & LaneField<K> & ({} extends TaskPayloads[K] ? { payload?: TaskPayloads[K] } : { payload: TaskPayloads[K] });

export type NewTask<K extends TaskKind> = TaskFields<K> & { incidentId?: string | null };

/** The lane of Slack side effects; integration deliveries have a lane per subscriber. */
export const SLACK_LANE = 'slack';

/** Queues a task; its payload is checked against its kind's schema, so no task is stored that its handler cannot read. */
export async function enqueueTask<K extends TaskKind>(db: Kysely<Database>, task: NewTask<K>): Promise<void> {
  const payload = taskPayloadSchema(task.kind).parse(task.payload ?? {});
  await db
    .insertInto('slack_tasks')
    .values({
      kind: task.kind,
      incident_id: task.incidentId ?? null,
      payload: JSON.stringify(payload),
      dedupe_key: task.dedupeKey ?? null,
      run_at: task.runAt ?? sql<Date>`now()`,
      last_error: null,
      locked_until: null,
      done_at: null,
      lane: task.lane ?? SLACK_LANE,
      idempotency_key: task.idempotencyKey ?? null,
    } as never)
    .onConflict((oc) => (task.idempotencyKey ? oc.column('idempotency_key') : oc.column('dedupe_key').where('done_at', 'is', null)).doNothing())
    .execute();
}

interface ClaimedRow { id: string; kind: string; incident_id: string | null; payload: unknown; attempts: number; run_at: Date; age_ms: number }

/** A claimed row as a task: its payload parsed once here, with its kind's schema. */
function toTask(r: ClaimedRow): Task | UnreadableTask {
  const row = { id: r.id, incidentId: r.incident_id, attempts: r.attempts, runAt: r.run_at, ageMs: Math.max(0, Number(r.age_ms)), lastAttempt: false };
  if (!isTaskKind(r.kind)) return { ...row, kind: r.kind, unreadable: `unknown task kind ${r.kind}` };
  const parsed = taskPayloadSchema(r.kind).safeParse(r.payload);
  if (!parsed.success) return { ...row, kind: r.kind, unreadable: z.prettifyError(parsed.error) };
  return { ...row, kind: r.kind, payload: parsed.data } as Task;
}

/**
 * Claims up to `limit` due tasks of one lane for `leaseSeconds`. Only the oldest pending task of an
 * incident in that lane is eligible, so one incident's side effects happen in order, and a lane that
 * is stuck (an outside system down) holds back no other; SKIP LOCKED lets replicas share the work.
 * A claimed task gives up its dedupe key: a change made while it runs queues a fresh task instead of
 * being absorbed by one that may already have read the old state.
 */
export async function claimDueTasks(db: Kysely<Database>, limit: number, leaseSeconds: number, lane: string = SLACK_LANE): Promise<(Task | UnreadableTask)[]> {
  const { rows } = await sql<ClaimedRow>`
    update slack_tasks set locked_until = now() + make_interval(secs => ${leaseSeconds}), attempts = attempts + 1, dedupe_key = null
    where id in (
      select t.id from slack_tasks t
      where t.lane = ${lane} and t.done_at is null and t.run_at <= now()
        and (t.locked_until is null or t.locked_until < now())
        and not exists (
          select 1 from slack_tasks p
          where p.incident_id = t.incident_id and p.lane = t.lane and p.done_at is null and p.id < t.id
        )
      order by t.run_at, t.id
      limit ${limit}
      for update skip locked
    )
    returning id, kind, incident_id, payload, attempts, run_at, (extract(epoch from now() - created_at) * 1000)::float8 as age_ms`.execute(db);
  return rows.map(toTask);
}

/**
 * A claimed task as its claimant knows it: `attempts` counts claims, so it doubles as the fencing
 * token of this claim. Once another runner claims the task (after this lease ran out), the count
 * moves on and nothing done under the old claim can be recorded any more.
 */
export type Claim = Pick<Task, 'id' | 'attempts'>;

/** Thrown when a task run tries to record a result after its lease passed to another runner. */
export class LeaseLost extends Error {
  constructor(readonly taskId: string) {
    super(`task ${taskId}: lease lost to another runner; result not recorded`);
    this.name = 'LeaseLost';
  }
}

const claimed = (db: Kysely<Database>, claim: Claim) =>
  db.updateTable('slack_tasks').where('id', '=', claim.id).where('attempts', '=', claim.attempts).where('done_at', 'is', null);

/**
 * Extends the leases of tasks still held (claimed by these claims and not yet expired); returns the
 * ids whose lease was renewed. A lease that already ran out is not revived: another runner may hold it.
 */
export async function renewLeases(db: Kysely<Database>, claims: Claim[], leaseSeconds: number): Promise<Set<string>> {
  if (!claims.length) return new Set();
  const rows = await db
    .updateTable('slack_tasks')
    .set({ locked_until: sql<Date>`now() + make_interval(secs => ${leaseSeconds})` })
    .where((eb) => eb.or(claims.map((c) => eb.and([eb('id', '=', c.id), eb('attempts', '=', c.attempts)]))))
    .where('done_at', 'is', null)
    .where('locked_until', '>', sql<Date>`now()`)
    .returning('id')
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Inside a transaction that records a step's result: throws LeaseLost unless this claim still holds
 * the task, and locks the task row until the transaction ends, so no other runner can claim it in
 * between. A step whose lease was lost therefore never commits.
 */
export async function assertLeaseHeld(trx: Kysely<Database>, claim: Claim): Promise<void> {
  const row = await trx
    .selectFrom('slack_tasks')
    .select('id')
    .where('id', '=', claim.id)
    .where('attempts', '=', claim.attempts)
    .where('done_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new LeaseLost(claim.id);
}

/** The completions below are fenced by the claim: false when the task had passed to another runner. */
export async function completeTask(db: Kysely<Database>, claim: Claim): Promise<boolean> {
  const r = await claimed(db, claim).set({ done_at: sql<Date>`now()`, locked_until: null, last_error: null }).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function rescheduleTask(db: Kysely<Database>, claim: Claim, delayMs: number, error: string): Promise<boolean> {
  const r = await claimed(db, claim)
    .set({ run_at: sql<Date>`now() + make_interval(secs => ${delayMs / 1000})`, locked_until: null, last_error: error.slice(0, 2000) })
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Gives up on a task: it stays in the table, marked failed, for inspection. */
export async function failTask(db: Kysely<Database>, claim: Claim, error: string): Promise<boolean> {
  const r = await claimed(db, claim).set({ done_at: sql<Date>`now()`, failed: true, locked_until: null, last_error: error.slice(0, 2000) }).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Due work in the outbox, for monitoring: how many pending tasks have reached their time and how long
 * the oldest has waited (an index range scan of `slack_tasks_due_idx`; the database's clock).
 */
/** Due work per outbox lane (`slack`, `integration:<subscriber>`), as read at scrape time. */
export interface OutboxLaneBacklog {
  lane: string;
  /** Tasks not done whose time has come (including those being run now). */
  due: number;
  /** How long the oldest of them has been due; 0 when none is. */
  oldestDueSeconds: number;
}

export async function outboxBacklog(db: Kysely<Database>): Promise<OutboxLaneBacklog[]> {
  const { rows } = await sql<{ lane: string; due: string; oldest: number | null }>`
    select lane, count(*) as due, extract(epoch from now() - min(run_at))::float8 as oldest
    from slack_tasks where done_at is null and run_at <= now() group by lane`.execute(db);
  const lanes = rows.map((r) => ({ lane: r.lane, due: Number(r.due), oldestDueSeconds: Math.max(0, r.oldest ?? 0) }));
  // The Slack lane is always reported, so an alert on it has a series to watch even when it is empty.
  return lanes.some((l) => l.lane === 'slack') ? lanes : [{ lane: 'slack', due: 0, oldestDueSeconds: 0 }, ...lanes];
}
