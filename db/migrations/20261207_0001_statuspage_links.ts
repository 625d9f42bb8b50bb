import { sql, type Kysely } from 'kysely';

/**
 * The Statuspage connector's link of each published incident (or change published as maintenance) to
 * the Statuspage incident it mirrors: that incident's id (empty until created), the ids of the posts
 * or revisions already sent (each is sent once), the status last sent, and a pending marker — the post
 * or revision whose call was made but whose answer was not stored — so a retry checks Statuspage
 * before sending again instead of creating a duplicate; `pending_at` is set while the call runs
 * (another replica waits) and cleared when it ended without an answer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('statuspage_links')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.unique().references('incidents.id').onDelete('cascade'))
    .addColumn('change_id', 'bigint', (c) => c.unique().references('changes.id').onDelete('cascade'))
    .addColumn('statuspage_incident_id', 'text')
    .addColumn('sent_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('last_status', 'text')
    .addColumn('pending_send', 'text')
    .addColumn('pending_name', 'text')
    .addColumn('pending_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`alter table statuspage_links add constraint statuspage_links_one_subject check ((incident_id is null) <> (change_id is null))`.execute(db);
  await sql`create unique index statuspage_links_remote on statuspage_links (statuspage_incident_id) where statuspage_incident_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('statuspage_links').ifExists().execute();
}
