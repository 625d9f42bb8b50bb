import type { Kysely } from 'kysely';

/**
 * How far the connector has read a ServiceNow query that is not tied to one incident (the incidents
 * that may declare one here, `itsm.servicenow.declare_from`): the last `sys_updated_on` read, by name.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('servicenow_watermarks')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('updated_on', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('servicenow_watermarks').ifExists().execute();
}
