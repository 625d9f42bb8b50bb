import { sql, type Kysely } from 'kysely';

// Incidents, their roles, the append-only timeline, and the Slack side-effect outbox.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('incident_counters')
    .addColumn('team_id', 'text', (c) => c.primaryKey())
    .addColumn('last_number', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('service', 'security')`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('services', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('commander_id', 'text')
    .addColumn('reporter_id', 'text', (c) => c.notNull())
    .addColumn('resolution_summary', 'text')
    .addColumn('next_update_at', 'timestamptz')
    .addColumn('declared_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('mitigated_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('source_key', 'text', (c) => c.unique())
    .addColumn('channel_id', 'text', (c) => c.unique())
    .addColumn('channel_name', 'text')
    .addColumn('card_ts', 'text')
    .addColumn('announce_channel_id', 'text')
    .addColumn('announce_ts', 'text')
    .addColumn('bookmark_id', 'text')
    .addColumn('provisioned_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('incidents_team_number_key', ['team_id', 'number'])
    .execute();
  await db.schema.createIndex('incidents_open_idx').on('incidents').columns(['team_id', 'declared_at']).where(sql.ref('closed_at'), 'is', null).execute();

  await db.schema
    .createTable('incident_roles')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('assigned_by', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('released_at', 'timestamptz')
    .execute();
  await sql`create unique index incident_roles_current_key on incident_roles (incident_id, role) where released_at is null`.execute(db);

  await db.schema
    .createTable('timeline_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('timeline_events_incident_idx').on('timeline_events').columns(['incident_id', 'id']).execute();

  await db.schema
    .createTable('slack_tasks')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'bigint', (c) => c.references('incidents.id').onDelete('cascade'))
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('dedupe_key', 'text')
    .addColumn('run_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('done_at', 'timestamptz')
    .addColumn('failed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index slack_tasks_pending_dedupe_key on slack_tasks (dedupe_key) where done_at is null`.execute(db);
  await sql`create index slack_tasks_due_idx on slack_tasks (run_at) where done_at is null`.execute(db);
  await sql`create index slack_tasks_incident_pending_idx on slack_tasks (incident_id, id) where done_at is null`.execute(db);

  await db.schema
    .createTable('slack_event_receipts')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['slack_event_receipts', 'slack_tasks', 'timeline_events', 'incident_roles', 'incidents', 'incident_counters']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
