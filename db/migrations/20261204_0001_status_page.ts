import { sql, type Kysely } from 'kysely';

/**
 * The public status page: each public post of an incident (its text, its components' states, and its
 * approval: a draft behind its preview, pending a second person, or published), and the scheduled
 * maintenance published from change records (the status last published, and a revision counter so
 * each change of it is sent once).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('status_posts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('components', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('notify', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('approved_by', 'text')
    .addColumn('request_channel', 'text')
    .addColumn('request_ts', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz')
    .execute();
  await sql`alter table status_posts add constraint status_posts_state check (state in ('draft', 'pending', 'published'))`.execute(db);
  await sql`alter table status_posts add constraint status_posts_status check (status in ('investigating', 'identified', 'monitoring', 'resolved'))`.execute(db);
  await sql`create index status_posts_incident on status_posts (incident_id, id)`.execute(db);
  await sql`create index status_posts_published on status_posts (published_at) where state = 'published'`.execute(db);

  await db.schema
    .createTable('status_maintenances')
    .addColumn('change_id', 'bigint', (c) => c.primaryKey().references('changes.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('components', sql`text[]`, (c) => c.notNull())
    .addColumn('published_status', 'text')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('status_maintenances').ifExists().execute();
  await db.schema.dropTable('status_posts').ifExists().execute();
}
