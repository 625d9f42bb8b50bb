import { sql, type Kysely } from 'kysely';

// Triage (priority matrix, category, security classification), bridge, vendor engagements,
// the record of nags and clock warnings already sent (each fires once), and periodic-job claims.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .addColumn('priority', 'text')
    .addColumn('category', 'text')
    .addColumn('impact', 'text')
    .addColumn('urgency', 'text')
    .addColumn('business_impact', 'text')
    .addColumn('classification', 'text', (c) => c.notNull().defaultTo('incident').check(sql`classification in ('incident', 'security_event')`))
    .addColumn('classification_reason', 'text')
    .addColumn('bridge_url', 'text')
    .addColumn('last_update_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('vendor_engagements')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('vendor', 'text', (c) => c.notNull())
    .addColumn('ticket_ref', 'text')
    .addColumn('contact', 'text')
    .addColumn('response_minutes', 'integer', (c) => c.notNull())
    .addColumn('engaged_at', 'timestamptz', (c) => c.notNull())
    .addColumn('engaged_by', 'text', (c) => c.notNull())
    .addColumn('responded_at', 'timestamptz')
    .addColumn('responded_by', 'text')
    .execute();
  await db.schema.createIndex('vendor_engagements_incident_idx').on('vendor_engagements').column('incident_id').execute();

  await db.schema
    .createTable('nags')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // One row per scheduled fire of a periodic job: the first replica to insert it runs that fire.
  await db.schema
    .createTable('job_runs')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('fire_time', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('job_runs_pkey', ['name', 'fire_time'])
    .execute();

  await db.schema.createIndex('incident_roles_user_idx').on('incident_roles').columns(['user_id', 'incident_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_runs').ifExists().execute();
  await db.schema.dropTable('nags').ifExists().execute();
  await db.schema.dropTable('vendor_engagements').ifExists().execute();
  await db.schema.dropIndex('incident_roles_user_idx').ifExists().execute();
  for (const c of ['priority', 'category', 'impact', 'urgency', 'business_impact', 'classification', 'classification_reason', 'bridge_url', 'last_update_at']) {
    await db.schema.alterTable('incidents').dropColumn(c).execute();
  }
}
