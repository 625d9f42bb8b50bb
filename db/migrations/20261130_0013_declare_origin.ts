import { sql, type Kysely } from 'kysely';

/**
 * A declare form opened from a signal's triage post now carries the alert group in its
 * private_metadata, and the declaration links the group from that origin in its own transaction.
 * The table that mapped form (view) ids to groups goes.
 *
 * Its rows are not carried over. Those of submitted forms have served their purpose. A form still
 * open has the metadata it was opened with (Slack sends it back unchanged), so nothing stored now
 * could reach it: submitted after the upgrade, it declares its incident without the link, and the
 * triage post keeps its "Link to incident" button for that. Replicas of the previous version read
 * this table on every declaration from a form: stop them before this runs (README, Upgrades).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signal_declare_views').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signal_declare_views')
    .addColumn('view_id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'bigint', (c) => c.notNull().references('signal_groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
