import { sql, type Kysely } from 'kysely';

/**
 * Given-up tasks stay in the outbox for good (housekeeping keeps them); the Home tab of a connector's
 * operators and `/incident itsm` list an incident's given-up deliveries, found through this small
 * index rather than a scan of every task ever run.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index slack_tasks_given_up_idx on slack_tasks (incident_id, lane, id) where failed`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index slack_tasks_given_up_idx`.execute(db);
}
