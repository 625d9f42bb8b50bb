import { sql, type Kysely } from 'kysely';

/**
 * Chain heads of incident timelines, recorded when an incident is resolved or closed (and posted to
 * its Slack channel): a chain cannot show that its newest rows were removed, a recorded head can.
 * Append-only like the timeline itself.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('timeline_anchors')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('message_ts', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('timeline_anchors_incident_idx').on('timeline_anchors').columns(['incident_id', 'seq']).execute();
  await sql`
    create function audit_append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% rows are append-only (% refused)', tg_table_name, tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger timeline_anchors_append_only before update or delete on timeline_anchors for each row execute function audit_append_only()`.execute(db);
  await sql`create trigger timeline_anchors_no_truncate before truncate on timeline_anchors for each statement execute function audit_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('timeline_anchors').ifExists().execute();
  await sql`drop function if exists audit_append_only()`.execute(db);
}
