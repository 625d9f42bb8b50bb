/**
 * The commander's answer to "the incident's issue was moved to Done in Jira": keep the incident open.
 * The decision is recorded once per prompt (a timeline row keyed by the prompt message), and two
 * side effects are queued with it: the issue back to the In Progress category with a comment saying
 * who decided (the Jira lane), and the prompt redrawn with the decision (the Slack lane).
 */
import type { Db } from '../db/database.js';
import { failSync } from '../integrations/failures.js';
import type { Logger } from '../logger.js';
import { enqueueTask, type TaskOf } from '../outbox/tasks.js';
import type { JiraPolicy } from '../policy/jira-schema.js';
import { appendTimeline } from '../timeline/timeline.js';
import type { JiraClient } from './client.js';
import { findJiraLink, recordJiraSynced } from './links.js';
import { commentOnce } from './comments.js';
import { JIRA_LANE, jiraFailures, JiraTask } from './outbound.js';
import { moveToCategory } from './workflow.js';

/** The prompt a decision answers: the message in the channel, and the issue and status it told of. */
export interface DonePrompt {
  incidentId: string;
  channel: string;
  ts: string;
  issueKey: string;
  status: string;
}

export type Decision = { decided: true } | { decided: false; by: string | null };

const decisionKey = (p: Pick<DonePrompt, 'channel' | 'ts'>) => `jira:decision:${p.channel}:${p.ts}`;

/** Records that `actorId` keeps the incident open, once per prompt; a later press hears who decided. */
export async function keepOpen(db: Db, prompt: DonePrompt, actorId: string): Promise<Decision> {
  return db.transaction().execute(async (trx) => {
    const row = await appendTimeline(trx, { incidentId: prompt.incidentId, actorId, kind: 'itsm_kept_open', dedupeKey: decisionKey(prompt), payload: { system: 'jira', number: prompt.issueKey, state: prompt.status } });
    if (!row) return { decided: false, by: (await decidedBy(trx, prompt)) ?? null };
    await enqueueTask(trx, { kind: JiraTask.keepOpen, incidentId: prompt.incidentId, lane: JIRA_LANE, idempotencyKey: `jira.keep_open:${row.id}`, payload: { issueKey: prompt.issueKey, decidedBy: actorId } });
    await enqueueTask(trx, { kind: JiraTask.decided, incidentId: prompt.incidentId, payload: { channel: prompt.channel, ts: prompt.ts, issueKey: prompt.issueKey, decidedBy: actorId, choice: 'keep_open' } });
    return { decided: true };
  });
}

/** Who decided on this prompt already (keeping the incident open), if anyone. */
export async function decidedBy(db: Db, prompt: Pick<DonePrompt, 'channel' | 'ts'>): Promise<string | null | undefined> {
  const row = await db.selectFrom('timeline_events').select('actor_id').where('dedupe_key', '=', decisionKey(prompt)).executeTakeFirst();
  return row ? row.actor_id : undefined;
}

/** The incident was resolved from the prompt: the prompt shows who resolved it. */
export async function resolvedFromPrompt(db: Db, prompt: DonePrompt, actorId: string): Promise<void> {
  await enqueueTask(db, { kind: JiraTask.decided, incidentId: prompt.incidentId, dedupeKey: `jira.decided:${prompt.channel}:${prompt.ts}`, payload: { channel: prompt.channel, ts: prompt.ts, issueKey: prompt.issueKey, decidedBy: actorId, choice: 'resolve' } });
}

export interface KeepOpenDeps {
  db: Db;
  client: JiraClient;
  policy: JiraPolicy;
  /** The incident's reference (INC-12), for the comment, and whether it has been resolved since. */
  incidentOf: (incidentId: string) => Promise<{ ref: string; resolved: boolean } | undefined>;
  /** A Slack user's display name, for the comment. */
  nameOf: (userId: string) => Promise<string>;
  kick: () => void;
  logger: Logger;
}

/**
 * Moves the issue back to the In Progress category (no transition when it is there already) and says
 * in a comment who kept the incident open. Done before (the comment's sync row exists): nothing again.
 */
export async function keepOpenInJira(deps: KeepOpenDeps, task: TaskOf<'jira.keep_open'>): Promise<void> {
  const incidentId = task.incidentId!;
  const dedupeKey = `jira:keep_open:${task.id}`;
  if (await deps.db.selectFrom('timeline_events').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirst()) return;
  const ctx = { db: deps.db, idempotencyKey: dedupeKey, attempt: task.attempts, lastAttempt: task.lastAttempt, signal: AbortSignal.timeout(60_000), logger: deps.logger };
  const { issueKey } = task.payload;
  const incident = await deps.incidentOf(incidentId);
  // Resolved since (its own delivery moves the issue to Done, in the connector's lane): nothing to undo there.
  if (!incident || incident.resolved) return;
  try {
    const moved = await moveToCategory(deps.client, issueKey, 'indeterminate', deps.policy, { signal: ctx.signal });
    const text = `${incident.ref} is still open in Slack: ${await deps.nameOf(task.payload.decidedBy)} decided to keep it open, so the issue is back in progress.`;
    await commentOnce(deps.client, issueKey, text, ctx);
    const link = await findJiraLink(deps.db, incidentId);
    await deps.db.transaction().execute(async (trx) => {
      if (link) await recordJiraSynced(trx, link.id, 'indeterminate');
      const sent = { comment: 'kept open', ...(moved.path.length ? { status: `${moved.status} (via ${moved.path.join(' → ')})` } : {}) };
      await appendTimeline(trx, { incidentId, actorId: null, kind: 'itsm_synced', dedupeKey, payload: { system: 'jira', event: 'incident.kept_open', table: 'issue', sys_id: link?.issueId ?? '', number: issueKey, created: false, sent, remote: {} } });
    });
  } catch (e) {
    await failSync(jiraFailures(deps.kick), ctx, incidentId, e);
  }
}
