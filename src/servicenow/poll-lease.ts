/**
 * One reading-back of ServiceNow at a time, across replicas: a lease row taken before a poll and
 * given back after it. A lease not given back (the process died) runs out after LEASE_SECONDS.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

const LEASE = 'servicenow.poll';
/** Longer than any poll: each call has its own timeout and few retries. */
const LEASE_SECONDS = 120;

/** Runs `fn` under the poll lease; answers `{ ran: false }` without running it while another poll holds it. */
export async function underPollLease<T>(db: Db, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const holder = randomUUID();
  const { rows } = await sql<{ holder: string }>`
    insert into servicenow_poll_leases (name, holder, locked_until) values (${LEASE}, ${holder}, now() + make_interval(secs => ${LEASE_SECONDS}))
    on conflict (name) do update set holder = excluded.holder, locked_until = excluded.locked_until
      where servicenow_poll_leases.locked_until < now()
    returning holder`.execute(db);
  if (rows[0]?.holder !== holder) return { ran: false };
  try {
    return { ran: true, value: await fn() };
  } finally {
    await db.deleteFrom('servicenow_poll_leases').where('name', '=', LEASE).where('holder', '=', holder).execute();
  }
}
