import type { Kysely } from 'kysely';

/**
 * Who reads ServiceNow back right now: one row per poll (`name`), held until `locked_until`. A
 * scheduled poll and one asked for by ServiceNow's push (or two replicas' fires) never read the same
 * changes at once, so nothing is carried over twice.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('servicenow_poll_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('servicenow_poll_leases').ifExists().execute();
}
