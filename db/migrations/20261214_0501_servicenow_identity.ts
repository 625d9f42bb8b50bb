import { sql, type Kysely } from 'kysely';

/**
 * The user name a ServiceNow instance runs the connector's calls as, learned from the records it
 * writes (OAuth client credentials name no user): kept so that another replica, or the process after a
 * restart, tells the connector's own journal entries and state changes from other people's at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table servicenow_identity (
    instance_url text primary key,
    user_name text not null,
    learned_at timestamptz not null default now()
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table servicenow_identity`.execute(db);
}
