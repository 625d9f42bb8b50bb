/**
 * The link of each incident and each follow-up action to its Jira issue (table jira_links): the
 * issue's id and key, the status category last set or seen, and the sync state.
 */
import { sql, type Kysely } from 'kysely';
import { actionRef } from '../actions/action.js';
import type { Database, JiraStatusCategory, ServicenowSyncState } from '../db/schema.js';
import { givenUpOf, linkFailure } from '../integrations/given-up.js';

type Db = Kysely<Database>;

export interface JiraLink {
  id: string;
  incidentId: string;
  actionId: string | null;
  issueId: string | null;
  issueKey: string | null;
  statusCategory: JiraStatusCategory | null;
  syncState: ServicenowSyncState;
  lastError: string | null;
  lastSyncedAt: Date | null;
}

function toLink(row: { id: string; incident_id: string; action_id: string | null; issue_id: string | null; issue_key: string | null; status_category: JiraStatusCategory | null; sync_state: ServicenowSyncState; last_error: string | null; last_synced_at: Date | null }): JiraLink {
  return { id: row.id, incidentId: row.incident_id, actionId: row.action_id, issueId: row.issue_id, issueKey: row.issue_key, statusCategory: row.status_category, syncState: row.sync_state, lastError: row.last_error, lastSyncedAt: row.last_synced_at };
}

/** The incident's own link (actionId null) or an action's. */
export async function findJiraLink(db: Db, incidentId: string, actionId: string | null = null): Promise<JiraLink | undefined> {
  const q = db.selectFrom('jira_links').selectAll().where('incident_id', '=', incidentId);
  const row = await (actionId === null ? q.where('action_id', 'is', null) : q.where('action_id', '=', actionId)).executeTakeFirst();
  return row && toLink(row);
}

/** The link of an issue the connector created, by its key. */
export async function linkByIssueKey(db: Db, key: string): Promise<JiraLink | undefined> {
  const row = await db.selectFrom('jira_links').selectAll().where('issue_key', '=', key).executeTakeFirst();
  return row && toLink(row);
}

/** The link, created (pending, no issue yet) if there is none. */
export async function ensureJiraLink(db: Db, incidentId: string, actionId: string | null = null): Promise<JiraLink> {
  const found = await findJiraLink(db, incidentId, actionId);
  if (found) return found;
  await sql`insert into jira_links (incident_id, action_id) values (${incidentId}, ${actionId}) on conflict do nothing`.execute(db);
  return (await findJiraLink(db, incidentId, actionId))!;
}

/** The issue the link now points at, and its status category. */
export async function recordIssue(db: Db, linkId: string, issue: { id: string; key: string; category: JiraStatusCategory | null }): Promise<void> {
  await db
    .updateTable('jira_links')
    .set({ issue_id: issue.id, issue_key: issue.key, status_category: issue.category, sync_state: 'synced', last_error: null, last_synced_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', linkId)
    .execute();
}

/** A successful sync (and the status category it left the issue in, when it moved it). */
export async function recordJiraSynced(db: Db, linkId: string, category?: JiraStatusCategory): Promise<void> {
  await db
    .updateTable('jira_links')
    .set({ ...(category ? { status_category: category } : {}), sync_state: 'synced', last_error: null, last_synced_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', linkId)
    .execute();
}

/** A status category seen in a webhook. */
export async function recordCategorySeen(db: Db, linkId: string, category: JiraStatusCategory): Promise<void> {
  await db.updateTable('jira_links').set({ status_category: category, updated_at: sql`now()` }).where('id', '=', linkId).execute();
}

/** A failed sync; answers whether the incident's sync was not failing before (so the failure is announced once). */
export async function recordJiraSyncError(db: Db, incidentId: string, state: Exclude<ServicenowSyncState, 'synced'>, error: string): Promise<boolean> {
  const link = await ensureJiraLink(db, incidentId);
  await db.updateTable('jira_links').set({ sync_state: state, last_error: error.slice(0, 2000), updated_at: sql`now()` }).where('id', '=', link.id).execute();
  return link.lastError === null;
}

/** The issues of an incident's actions, in the order the actions were added, with the actions' references. */
export async function actionLinks(db: Db, incidentId: string): Promise<(JiraLink & { actionRef: string })[]> {
  const rows = await db.selectFrom('jira_links').selectAll().where('incident_id', '=', incidentId).where('action_id', 'is not', null).orderBy('action_id').execute();
  return rows.map((r) => ({ ...toLink(r), actionRef: actionRef({ id: r.action_id! }) }));
}

export interface FailingJiraSync { incidentId: string; number: number; title: string; private: boolean; channelId: string | null; issueKey: string | null; syncState: ServicenowSyncState; lastError: string; since: Date; givenUp: number }

/** Incidents whose Jira sync fails now or that have deliveries given up in `lanes`, the most recent first, and how many in all. */
export async function failingJiraSyncs(db: Db, limit: number, lanes: readonly string[]): Promise<{ failing: FailingJiraSync[]; total: number }> {
  const givenUp = givenUpOf(lanes, 'l.incident_id');
  const base = db.selectFrom('jira_links as l').innerJoin('incidents as i', 'i.id', 'l.incident_id').where('l.action_id', 'is', null).where((eb) => eb.or([eb('l.last_error', 'is not', null), eb(givenUp.count, '>', 0)]));
  const [rows, count] = await Promise.all([
    base.select(['l.incident_id', 'i.number', 'i.title', 'i.kind', 'i.channel_id', 'l.issue_key', 'l.sync_state', 'l.last_error', 'l.updated_at', givenUp.count.as('given_up'), givenUp.latest.as('latest_given_up')]).orderBy('l.updated_at', 'desc').limit(limit).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    failing: rows.map((r) => ({ incidentId: r.incident_id, number: r.number, title: r.title, private: r.kind === 'security', channelId: r.channel_id, issueKey: r.issue_key, syncState: r.sync_state, ...linkFailure(r) })),
  };
}

/** The incident issue the connector linked most recently (to check transitions on without creating one). */
export async function latestJiraIssue(db: Db): Promise<string | undefined> {
  const row = await db.selectFrom('jira_links').select('issue_key').where('issue_key', 'is not', null).where('action_id', 'is', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return row?.issue_key ?? undefined;
}
