import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';

/**
 * Time passes for the outbox, which keeps its time by the database's clock (when a task was queued,
 * when it is due): every task not done was queued, and falls due, `ms` earlier. A test moves its
 * FakeClock by as much, so the app's own timestamps keep step.
 */
export async function outboxTimePasses(db: Db, ms: number): Promise<void> {
  const secs = ms / 1000;
  await sql`update slack_tasks set created_at = created_at - make_interval(secs => ${secs}), run_at = run_at - make_interval(secs => ${secs}) where done_at is null`.execute(db);
}
