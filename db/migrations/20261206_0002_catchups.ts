import { sql, type Kysely } from 'kysely';

/**
 * Catch-up for late joiners: who has been sent the catch-up on joining an incident's channel (at
 * most once per person and incident), and whether a Slack user is a bot (bots are not sent one).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('catchups_sent')
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('catchups_sent_pkey', ['incident_id', 'user_id'])
    .execute();
  await db.schema.alterTable('slack_users').addColumn('is_bot', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  // Profiles cached before do not say whether they are bots: fetched again on their next use.
  await sql`update slack_users set fetched_at = 'epoch'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('slack_users').dropColumn('is_bot').execute();
  await db.schema.dropTable('catchups_sent').execute();
}
