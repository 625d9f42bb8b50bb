import type { Kysely } from 'kysely';

/**
 * Signal groups: how many alerts the sender left out of its latest delivery (Alertmanager's
 * `truncatedAlerts` under `max_alerts`), and a number for each run that claims the group's post, so
 * a run that outlived its lease knows another one has posted since.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('signal_groups')
    .addColumn('unlisted_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('post_claim', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('signal_groups').dropColumn('unlisted_count').dropColumn('post_claim').execute();
}
