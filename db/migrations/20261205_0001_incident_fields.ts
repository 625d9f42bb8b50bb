import { sql, type Kysely } from 'kysely';

/**
 * An incident's type (policy `incident_types`, by name) and its custom field values (policy
 * `custom_fields`, by key). Values stay when a field leaves the policy: they are only ever replaced.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .addColumn('incident_type', 'text')
    .addColumn('custom_fields', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('incidents_team_type_idx').on('incidents').columns(['team_id', 'incident_type']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('incidents_team_type_idx').execute();
  await db.schema.alterTable('incidents').dropColumn('custom_fields').dropColumn('incident_type').execute();
}
