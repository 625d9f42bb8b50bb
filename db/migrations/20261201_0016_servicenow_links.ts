import { sql, type Kysely } from 'kysely';

/**
 * The ServiceNow connector's link of each incident to its `incident` record: the record's sys_id and
 * number (empty until it is created), the hashes of the field values last sent or seen (a change whose
 * hash is already known is our own, and is not mirrored back), the journal entries already handled,
 * the record's `sys_updated_on` last read back, and the sync state with its last error.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('servicenow_links')
    .addColumn('incident_id', 'bigint', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
    .addColumn('sys_id', 'text')
    .addColumn('number', 'text')
    .addColumn('field_hashes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('journal_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('remote_updated_on', 'text')
    .addColumn('sync_state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('last_error', 'text')
    .addColumn('last_synced_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`alter table servicenow_links add constraint servicenow_links_sync_state check (sync_state in ('pending', 'synced', 'failed'))`.execute(db);
  await sql`create unique index servicenow_links_sys_id on servicenow_links (sys_id) where sys_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('servicenow_links').ifExists().execute();
}
