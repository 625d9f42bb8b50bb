import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, ReminderKind, ReminderSendsTable } from '../db/schema.js';
import { enqueueTask } from '../outbox/tasks.js';
import { ReminderTask } from './side-effects.js';

/** One reminder to deliver: a digest or escalation DM, or a weekly summary post. */
export interface ReminderSend {
  id: string;
  key: string;
  kind: ReminderKind;
  recipient: string;
  localDate: string;
  status: Selectable<ReminderSendsTable>['status'];
  payload: Record<string, unknown>;
  attempts: number;
  channelId: string | null;
  messageTs: string | null;
  createdAt: Date;
}

function toSend(r: Selectable<ReminderSendsTable>): ReminderSend {
  return { id: r.id, key: r.key, kind: r.kind, recipient: r.recipient, localDate: r.local_date, status: r.status, payload: r.payload, attempts: r.attempts, channelId: r.channel_id, messageTs: r.message_ts, createdAt: r.created_at };
}

/** Marks as expired what was not delivered in its window (e.g. yesterday's digest): never sent late. */
export async function expireSends(db: Kysely<Database>, now: Date): Promise<number> {
  const res = await db
    .updateTable('reminder_sends')
    .set({ status: 'expired', claimed_until: null })
    .where('status', 'in', ['pending', 'sending'])
    .where('expires_at', '<=', now)
    .where((eb) => eb.or([eb('status', '=', 'pending'), eb('claimed_until', '<', now)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Claims up to `limit` due deliveries for `leaseMs`: pending ones, and ones whose claimer vanished
 * (lease expired). SKIP LOCKED lets several processes claim side by side without taking the same row.
 */
export async function claimSends(db: Kysely<Database>, o: { now: Date; limit: number; leaseMs: number; token: string }): Promise<ReminderSend[]> {
  const until = new Date(o.now.getTime() + o.leaseMs);
  const { rows } = await sql<Selectable<ReminderSendsTable>>`
    update reminder_sends set status = 'sending', claimed_until = ${until}, claimed_by = ${o.token}, attempts = attempts + 1
    where id in (
      select id from reminder_sends
      where (status = 'pending' or (status = 'sending' and claimed_until < ${o.now}))
        and not_before <= ${o.now} and expires_at > ${o.now}
      order by not_before, id
      limit ${o.limit}
      for update skip locked
    )
    returning *`.execute(db);
  return rows.map(toSend);
}

/**
 * Records a delivery; only the current claimer may (a claimer whose lease was taken over may not).
 * The commit does not wait for the disk: should PostgreSQL lose it in a crash, the row is claimed
 * again after its lease and the delivery finds the message it already posted (by its metadata key)
 * instead of posting twice, so durability here only costs a Slack lookup, never a double DM.
 */
export async function markSent(db: Kysely<Database>, id: string, token: string, r: { channelId: string; ts: string; payload: Record<string, unknown>; at: Date }): Promise<boolean> {
  // One statement: set_config(…, true) lasts until the end of the statement's own transaction, its
  // commit included (what `set local` does in a transaction of four round trips).
  const res = await sql`
    with commit_without_flush as (select set_config('synchronous_commit', 'off', true))
    update reminder_sends set status = 'sent', channel_id = ${r.channelId}, message_ts = ${r.ts}, payload = ${JSON.stringify(r.payload)},
      sent_at = ${r.at}, claimed_until = null, last_error = null
    from commit_without_flush
    where id = ${id} and claimed_by = ${token} and status = 'sending'`.execute(db);
  return Number(res.numAffectedRows) === 1;
}

/** Ends a claim without sending: nothing left to say ('skipped') or it can never go out ('failed'). */
export async function markFinished(db: Kysely<Database>, id: string, token: string, status: 'skipped' | 'failed', reason: string): Promise<void> {
  await db
    .updateTable('reminder_sends')
    .set({ status, claimed_until: null, last_error: reason.slice(0, 2000) })
    .where('id', '=', id)
    .where('claimed_by', '=', token)
    .execute();
}

/** Gives a claimed delivery back to be retried at `retryAt`; `untried` when no attempt was made (the claim does not count). */
export async function releaseSend(db: Kysely<Database>, id: string, token: string, retryAt: Date, error: string, opts: { untried?: boolean } = {}): Promise<void> {
  await db
    .updateTable('reminder_sends')
    .set({ status: 'pending', claimed_until: null, not_before: retryAt, last_error: error.slice(0, 2000), ...(opts.untried ? { attempts: sql<number>`attempts - 1` } : {}) })
    .where('id', '=', id)
    .where('claimed_by', '=', token)
    .execute();
}

/** The reminder a Slack message is, if it is one. */
export async function findSendByMessage(db: Kysely<Database>, channelId: string, ts: string): Promise<ReminderSend | undefined> {
  const row = await db.selectFrom('reminder_sends').selectAll().where('channel_id', '=', channelId).where('message_ts', '=', ts).executeTakeFirst();
  return row ? toSend(row) : undefined;
}

/** A reminder delivery by id. */
export async function findSend(db: Kysely<Database>, id: string): Promise<ReminderSend | undefined> {
  const row = await db.selectFrom('reminder_sends').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSend(row) : undefined;
}

/**
 * Queues an in-place refresh of every sent DM that lists this action (today's digest, an escalation),
 * in the transaction of the change, so the messages never disagree with the stored action for long.
 */
export async function refreshMessagesShowing(db: Kysely<Database>, actionId: string, now: Date): Promise<void> {
  const rows = await db
    .selectFrom('reminder_sends')
    .select('id')
    .where('status', '=', 'sent')
    .where('kind', 'in', ['digest', 'escalation'])
    .where('created_at', '>', new Date(now.getTime() - 14 * 86_400_000))
    .where(sql<boolean>`payload -> 'action_ids' @> ${JSON.stringify([actionId])}::jsonb`)
    .execute();
  for (const r of rows) await enqueueTask(db, { kind: ReminderTask.refresh, payload: { sendId: r.id } });
}
