import { sql, type Kysely } from 'kysely';

/**
 * The Jira connector's link of each incident, and each follow-up action, to its Jira issue: the
 * issue's id and key (empty until it is created), the status category last set or seen (a webhook
 * reporting that category is our own change coming back), and the sync state with its last error.
 * One row per incident (action_id null) and one per action: never two issues for one of them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jira_links')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('action_id', 'bigint', (c) => c.references('follow_up_actions.id').onDelete('cascade'))
    .addColumn('issue_id', 'text')
    .addColumn('issue_key', 'text')
    .addColumn('status_category', 'text')
    .addColumn('sync_state', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('last_error', 'text')
    .addColumn('last_synced_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`alter table jira_links add constraint jira_links_sync_state check (sync_state in ('pending', 'synced', 'failed'))`.execute(db);
  await sql`alter table jira_links add constraint jira_links_status_category check (status_category in ('new', 'indeterminate', 'done'))`.execute(db);
  await sql`create unique index jira_links_incident on jira_links (incident_id) where action_id is null`.execute(db);
  await sql`create unique index jira_links_action on jira_links (action_id) where action_id is not null`.execute(db);
  await sql`create unique index jira_links_issue_key on jira_links (issue_key) where issue_key is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('jira_links').ifExists().execute();
}
