import { sql, type Kysely } from 'kysely';

// Post-incident reviews and their documents, follow-up actions, problem records, the cache of Slack
// profiles (timezones for reminders), and reminder deliveries (one row per DM or post, claimed once).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reviews')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().unique().references('incidents.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('draft').check(sql`state in ('draft', 'in_review', 'published')`))
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('customer_impact', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('root_cause', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('root_cause_confirmed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('contributing_factors', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('five_whys', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('went_well', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('went_badly', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('lessons', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('owner_notified', 'text')
    .addColumn('meeting_date', 'date')
    .addColumn('due_at', 'timestamptz')
    // Bumped on every change to what the document shows; the document records the revision it was built from.
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('doc_revision', 'integer', (c) => c.notNull().defaultTo(-1))
    .addColumn('doc_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('doc_file_id', 'text')
    .addColumn('doc_permalink', 'text')
    .addColumn('doc_generated_at', 'timestamptz')
    .addColumn('bookmark_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('published_at', 'timestamptz')
    .addColumn('published_by', 'text')
    .execute();
  await sql`create index reviews_unpublished_owner_idx on reviews (owner_id) where state <> 'published'`.execute(db);

  await db.schema
    .createTable('follow_up_actions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull().check(sql`priority in ('high', 'medium', 'low')`))
    .addColumn('tracker_url', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'done')`))
    .addColumn('snoozed_until', 'date')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('done_at', 'timestamptz')
    .addColumn('done_by', 'text')
    .addColumn('source_key', 'text', (c) => c.unique())
    .execute();
  await sql`create index follow_up_actions_open_owner_idx on follow_up_actions (owner_id, due_date) where status = 'open'`.execute(db);
  await db.schema.createIndex('follow_up_actions_incident_idx').on('follow_up_actions').columns(['incident_id', 'id']).execute();
  await db.schema.createIndex('follow_up_actions_done_idx').on('follow_up_actions').column('done_at').execute();
  await db.schema.createIndex('follow_up_actions_created_idx').on('follow_up_actions').column('created_at').execute();

  // Which overdue action was escalated to whom, for which due date: each is escalated once.
  await db.schema
    .createTable('action_escalations')
    .addColumn('action_id', 'bigint', (c) => c.notNull().references('follow_up_actions.id').onDelete('cascade'))
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('send_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('action_escalations_pkey', ['action_id', 'recipient_id', 'due_date'])
    .execute();

  await db.schema
    .createTable('problems')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('known_error', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('workaround', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'known_error', 'resolved')`))
    .addColumn('private', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('resolution', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('source_key', 'text', (c) => c.unique())
    .execute();
  await sql`create index problems_open_idx on problems (team_id, id) where status <> 'resolved'`.execute(db);

  await db.schema
    .createTable('problem_incidents')
    .addColumn('problem_id', 'bigint', (c) => c.notNull().references('problems.id').onDelete('cascade'))
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('linked_by', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('problem_incidents_pkey', ['problem_id', 'incident_id'])
    .execute();
  await db.schema.createIndex('problem_incidents_incident_idx').on('problem_incidents').column('incident_id').execute();

  // Slack profiles as last fetched: the timezone decides when a person's reminders are sent.
  await db.schema
    .createTable('slack_users')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('real_name', 'text', (c) => c.notNull())
    // An IANA name known to this PostgreSQL, or null (then tz_offset applies).
    .addColumn('tz', 'text')
    .addColumn('tz_offset', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('fetched_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // One row per reminder to deliver (a digest DM, an escalation DM, a weekly summary post). The unique
  // key (e.g. one digest per owner per local day) and SKIP LOCKED claims make each go out once.
  await db.schema
    .createTable('reminder_sends')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('digest', 'escalation', 'weekly_summary')`))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('local_date', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sending', 'sent', 'skipped', 'failed', 'expired')`))
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('claimed_by', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('channel_id', 'text')
    .addColumn('message_ts', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await sql`create index reminder_sends_due_idx on reminder_sends (not_before, id) where status in ('pending', 'sending')`.execute(db);
  // Finds the digests that list an action, to refresh them when it changes.
  await sql`create index reminder_sends_actions_idx on reminder_sends using gin ((payload -> 'action_ids')) where status = 'sent'`.execute(db);
  await db.schema.createIndex('reminder_sends_message_idx').on('reminder_sends').columns(['channel_id', 'message_ts']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['reminder_sends', 'slack_users', 'problem_incidents', 'problems', 'action_escalations', 'follow_up_actions', 'reviews']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
