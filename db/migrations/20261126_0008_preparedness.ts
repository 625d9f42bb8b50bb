import { sql, type Kysely } from 'kysely';

// Preparedness: change records (and an incident's cause), drills with their injects and scorecard,
// interactive checklists (playbooks and DR plans) with their ticks, and the DR state of an incident.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('changes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('services', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('impact', 'text')
    .addColumn('likelihood', 'text')
    .addColumn('risk', 'text')
    .addColumn('rollback_plan', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('implementer_id', 'text')
    .addColumn('implementer_name', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('slack', 'webhook')`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('url', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('scheduled', 'pending_approval', 'approved', 'rejected', 'deployed')`))
    .addColumn('cab_channel_id', 'text')
    .addColumn('cab_ts', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('changes_window_check', sql`ends_at >= starts_at`)
    .execute();
  // "What changed?" looks at a short recent window: this index finds it; services are matched case-insensitively within it.
  await db.schema.createIndex('changes_window_idx').on('changes').columns(['ends_at', 'starts_at']).execute();

  await db.schema
    .alterTable('incidents')
    .addColumn('is_drill', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('caused_by_change_id', 'bigint', (c) => c.references('changes.id').onDelete('set null'))
    .addColumn('dr_plan', 'text')
    .addColumn('dr_activated_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('incidents_caused_by_change_idx').on('incidents').column('caused_by_change_id').where(sql.ref('caused_by_change_id'), 'is not', null).execute();

  await db.schema
    .createTable('checklist_runs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('playbook', 'dr')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addColumn('run_key', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text')
    .addColumn('channel_id', 'text')
    .addColumn('message_ts', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('checklist_runs_incident_key', ['incident_id', 'run_key'])
    .execute();

  await db.schema
    .createTable('checklist_ticks')
    .addColumn('run_id', 'bigint', (c) => c.notNull().references('checklist_runs.id').onDelete('cascade'))
    .addColumn('item_index', 'integer', (c) => c.notNull())
    .addColumn('done_by', 'text', (c) => c.notNull())
    .addColumn('done_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('checklist_ticks_pkey', ['run_id', 'item_index'])
    .execute();

  await db.schema
    .createTable('drills')
    .addColumn('incident_id', 'bigint', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
    .addColumn('scenario', 'text', (c) => c.notNull())
    .addColumn('script', 'jsonb', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('scorecard', 'jsonb')
    .addColumn('scored_at', 'timestamptz')
    .execute();

  // One row per inject sent: the key that makes each inject fire once across replicas and restarts.
  await db.schema
    .createTable('drill_injects')
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('drills.incident_id').onDelete('cascade'))
    .addColumn('inject_index', 'integer', (c) => c.notNull())
    .addColumn('fired_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('drill_injects_pkey', ['incident_id', 'inject_index'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['drill_injects', 'drills', 'checklist_ticks', 'checklist_runs']) await db.schema.dropTable(t).ifExists().execute();
  await db.schema.dropIndex('incidents_caused_by_change_idx').ifExists().execute();
  for (const c of ['is_drill', 'caused_by_change_id', 'dr_plan', 'dr_activated_at']) await db.schema.alterTable('incidents').dropColumn(c).execute();
  await db.schema.dropTable('changes').ifExists().execute();
}
