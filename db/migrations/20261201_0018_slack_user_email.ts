import { sql, type Kysely } from 'kysely';

/** The e-mail address of a Slack user (users.info `profile.email`), to find them in outside systems such as ServiceNow's sys_user. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('slack_users').addColumn('email', 'text').execute();
  // Profiles cached before carry no address: fetched again on their next use.
  await sql`update slack_users set fetched_at = 'epoch'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('slack_users').dropColumn('email').execute();
}
