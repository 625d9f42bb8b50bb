import { sql, type Kysely } from 'kysely';

/**
 * Update drafts waiting behind the audience preview. Slack caps a view's private_metadata at 3,000
 * characters, less than a full update once JSON-encoded, so the preview carries only the draft's id.
 * Drafts expire; housekeeping deletes them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('update_drafts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('next_update_minutes', 'integer')
    .addColumn('audiences', sql`text[]`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('update_drafts_expires_idx').on('update_drafts').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('update_drafts').ifExists().execute();
}
