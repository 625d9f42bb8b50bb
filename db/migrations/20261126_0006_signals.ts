import { sql, type Kysely } from 'kysely';

// Signals from monitoring (grouped and de-duplicated alerts), rejected webhook deliveries kept for
// inspection, on-call overrides, pages with their per-person notifications, PagerDuty mirroring,
// and health-check state.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_rejections')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_rejections_received_idx').on('webhook_rejections').column('received_at').execute();

  await db.schema
    .createTable('signal_groups')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('episode', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('service', 'text')
    .addColumn('labels', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('link', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('firing', 'resolved')`))
    .addColumn('signal_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('firing_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivery_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('route_action', 'text', (c) => c.notNull().check(sql`route_action in ('triage', 'declare', 'drop')`))
    .addColumn('route', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('channel_id', 'text')
    .addColumn('classification', 'text', (c) => c.check(sql`classification in ('incident', 'not_incident', 'security_event')`))
    .addColumn('classification_reason', 'text')
    .addColumn('classified_by', 'text')
    .addColumn('classified_at', 'timestamptz')
    .addColumn('incident_id', 'bigint', (c) => c.references('incidents.id').onDelete('set null'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    // The Slack post: its place, when it was last posted or updated (database time, for the
    // one-post-per-interval rule), the next post already scheduled, and a lease while posting.
    .addColumn('post_channel_id', 'text')
    .addColumn('post_ts', 'text')
    .addColumn('posted_at', 'timestamptz')
    .addColumn('post_scheduled_for', 'timestamptz')
    .addColumn('posting_until', 'timestamptz')
    .addUniqueConstraint('signal_groups_source_key', ['source', 'group_key'])
    .execute();
  await db.schema.createIndex('signal_groups_incident_idx').on('signal_groups').column('incident_id').execute();

  await db.schema
    .createTable('signals')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('group_id', 'bigint', (c) => c.notNull().references('signal_groups.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('service', 'text')
    .addColumn('labels', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('link', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('firing', 'resolved')`))
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addUniqueConstraint('signals_source_dedup_key', ['source', 'dedup_key'])
    .execute();
  await db.schema.createIndex('signals_group_idx').on('signals').columns(['group_id', 'status']).execute();

  // A declare modal opened from a signal post: the declaration it leads to is linked to the group.
  await db.schema
    .createTable('signal_declare_views')
    .addColumn('view_id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'bigint', (c) => c.notNull().references('signal_groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('oncall_overrides')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('rotation', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cancelled_at', 'timestamptz')
    .addCheckConstraint('oncall_overrides_span', sql`ends_at > starts_at`)
    .execute();
  await db.schema.createIndex('oncall_overrides_rotation_idx').on('oncall_overrides').columns(['rotation', 'ends_at']).execute();

  await db.schema
    .createTable('pages')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.references('incidents.id').onDelete('cascade'))
    .addColumn('requested_by', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('levels', 'jsonb', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'acknowledged', 'unanswered', 'cancelled')`))
    .addColumn('escalate_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'text')
    .addColumn('source_key', 'text', (c) => c.unique())
    .execute();
  await sql`create index pages_due_idx on pages (escalate_at) where status = 'open'`.execute(db);
  await db.schema.createIndex('pages_incident_idx').on('pages').column('incident_id').execute();

  await db.schema
    .createTable('page_targets')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('page_id', 'bigint', (c) => c.notNull().references('pages.id').onDelete('cascade'))
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('rotation', 'text')
    .addColumn('notified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('dm_channel_id', 'text')
    .addColumn('dm_ts', 'text')
    .addColumn('response', 'text', (c) => c.check(sql`response in ('acknowledged', 'declined')`))
    .addColumn('responded_at', 'timestamptz')
    .addUniqueConstraint('page_targets_once', ['page_id', 'level', 'user_id'])
    .execute();

  // One PagerDuty alert per incident: triggered once, resolved once.
  await db.schema
    .createTable('pagerduty_alerts')
    .addColumn('incident_id', 'bigint', (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('triggered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('trigger_sent_at', 'timestamptz')
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('healthcheck_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ok', 'boolean', (c) => c.notNull())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('alerting', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('last_error', 'text')
    .addColumn('latency_ms', 'integer')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['healthcheck_state', 'pagerduty_alerts', 'page_targets', 'pages', 'oncall_overrides', 'signal_declare_views', 'signals', 'signal_groups', 'webhook_rejections']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
