import { sql, type Kysely } from 'kysely';

/**
 * A checklist too long for one Slack message is posted as several: each run keeps the timestamps of
 * all its messages, in order, instead of one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('checklist_runs').addColumn('parts_ts', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`)).execute();
  await sql`update checklist_runs set parts_ts = array[message_ts] where message_ts is not null`.execute(db);
  await db.schema.alterTable('checklist_runs').dropColumn('message_ts').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('checklist_runs').addColumn('message_ts', 'text').execute();
  await sql`update checklist_runs set message_ts = parts_ts[1]`.execute(db);
  await db.schema.alterTable('checklist_runs').dropColumn('parts_ts').execute();
}
