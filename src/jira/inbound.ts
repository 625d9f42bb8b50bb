/**
 * The Jira connector's inbound half: what a `POST /webhooks/jira` delivery reports, carried over.
 * An action's issue moved to a Done status marks the action done (once), moved out of it reopens it,
 * a new assignee becomes the owner; a comment on the incident's issue is shown in the channel; the
 * incident's issue moved to Done while the incident is open is told to the channel, and the commander
 * decides. Changes made by the connector's own account are its own changes coming back: ignored.
 */
import { z } from 'zod';
import type { ActionService } from '../actions/service.js';
import { actionRef } from '../actions/action.js';
import type { Db } from '../db/database.js';
import { hasEntryRef } from '../integrations/entry-marker.js';
import type { IncidentService } from '../incidents/service.js';
import { isResolved } from '../incidents/incident.js';
import { IncidentTask } from '../incidents/side-effects.js';
import type { Logger } from '../logger.js';
import { enqueueTask } from '../outbox/tasks.js';
import { appendTimeline } from '../timeline/timeline.js';
import type { JiraClient, JiraUserRef } from './client.js';
import { linkByIssueKey, recordCategorySeen, type JiraLink } from './links.js';
import { categoryOf, commentText } from './mapping.js';
import { JiraTask } from './outbound.js';
import { userId, type JiraPeople } from './people.js';

const user = z.object({ accountId: z.string().optional(), name: z.string().optional(), key: z.string().optional(), displayName: z.string().optional(), emailAddress: z.string().optional() }).loose();
const status = z.object({ id: z.string().optional(), name: z.string(), statusCategory: z.object({ key: z.string() }).loose() }).loose();

/** The parts of Jira's webhook body the connector reads (the rest passes through untouched). */
export const jiraWebhookSchema = z
  .object({
    webhookEvent: z.string().min(1),
    timestamp: z.number().optional(),
    user: user.optional(),
    issue: z.object({ id: z.string(), key: z.string(), fields: z.object({ status: status.optional(), summary: z.string().optional() }).loose().optional() }).loose().optional(),
    changelog: z.object({ id: z.union([z.string(), z.number()]).optional(), items: z.array(z.object({ field: z.string(), from: z.string().nullish(), fromString: z.string().nullish(), to: z.string().nullish(), toString: z.string().nullish() }).loose()) }).loose().optional(),
    comment: z.object({ id: z.string(), author: user.optional(), body: z.unknown() }).loose().optional(),
  })
  .loose()
  .superRefine((b, ctx) => {
    if ((b.webhookEvent.startsWith('jira:issue_') || b.webhookEvent.startsWith('comment_')) && !b.issue) ctx.addIssue({ code: 'custom', path: ['issue'], message: `is required for ${b.webhookEvent}` });
    if (b.webhookEvent.startsWith('comment_') && !b.comment) ctx.addIssue({ code: 'custom', path: ['comment'], message: `is required for ${b.webhookEvent}` });
  });
export type JiraWebhook = z.infer<typeof jiraWebhookSchema>;

export interface JiraInboundDeps {
  db: Db;
  client: JiraClient;
  people: JiraPeople;
  incidents: IncidentService;
  actions: ActionService;
  /** The bot's Slack user id: changes carried over are made as the bot. */
  actorId: () => Promise<string>;
  /** The connector's own Jira account id (accountId on Cloud, name on Data Center). */
  ownAccount: () => Promise<string | null>;
  /** The Slack user with this e-mail address (users.lookupByEmail), or null. */
  slackUserByEmail: (email: string) => Promise<string | null>;
  kick: () => void;
  logger: Logger;
}

export type InboundOutcome = { status: 'applied' | 'ignored'; reason?: string };

const authorName = (u: JiraUserRef | undefined) => u?.displayName ?? u?.name ?? u?.accountId ?? 'someone in Jira';

export async function handleJiraWebhook(deps: JiraInboundDeps, body: JiraWebhook): Promise<InboundOutcome> {
  if (!body.issue) return { status: 'ignored', reason: `${body.webhookEvent} is not about an issue` };
  const author = body.webhookEvent.startsWith('comment_') ? body.comment?.author : body.user;
  const own = await deps.ownAccount();
  const authorId = userId(deps.client, author);
  if (own && authorId === own) return { status: 'ignored', reason: 'a change made by Incident Officer itself' };
  const link = (await linkByIssueKey(deps.db, body.issue.key)) ?? null;
  if (!link) return { status: 'ignored', reason: `${body.issue.key} is not an issue Incident Officer created` };
  if (body.webhookEvent === 'comment_created') return onComment(deps, link, body, author);
  if (body.webhookEvent !== 'jira:issue_updated') return { status: 'ignored', reason: `${body.webhookEvent} is not handled` };
  const items = body.changelog?.items ?? [];
  const statusChanged = items.some((i) => i.field.toLowerCase() === 'status');
  const assignee = items.find((i) => i.field.toLowerCase() === 'assignee');
  const category = categoryOf(body.issue.fields?.status?.statusCategory.key ?? '');
  const statusName = body.issue.fields?.status?.name ?? '?';
  const changeId = String(body.changelog?.id ?? body.timestamp ?? Date.now());
  let applied = false;
  if (statusChanged && category) {
    applied = link.actionId ? await onActionStatus(deps, link, category, statusName, authorName(author), changeId) : await onIncidentStatus(deps, link, category, statusName, authorName(author), changeId);
    await recordCategorySeen(deps.db, link.id, category);
  }
  if (assignee && link.actionId && assignee.to) applied = (await onActionAssignee(deps, link, assignee.to, assignee.toString ?? '')) || applied;
  return applied ? { status: 'applied' } : { status: 'ignored', reason: 'nothing to carry over' };
}

async function received(deps: JiraInboundDeps, link: JiraLink, key: string, p: { change: 'journal' | 'state' | 'field'; author: string; text: string; journal_id?: string; state?: string; field?: string }, dedupeKey: string, post: boolean): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await appendTimeline(trx, { incidentId: link.incidentId, actorId: null, kind: 'itsm_received', dedupeKey, payload: { system: 'jira', sys_id: link.issueId ?? '', number: key, ...(p.change === 'journal' ? { element: 'comment' } : {}), ...p } });
    if (row && post) await enqueueTask(trx, { kind: IncidentTask.broadcast, incidentId: link.incidentId, payload: { eventId: row.id, target: 'channel' } });
    return row !== undefined && row !== null;
  });
}

async function onComment(deps: JiraInboundDeps, link: JiraLink, body: JiraWebhook, author: JiraUserRef | undefined): Promise<InboundOutcome> {
  if (link.actionId) return { status: 'ignored', reason: 'comments on action issues stay in Jira' };
  const text = commentText(body.comment!.body);
  if (!text) return { status: 'ignored', reason: 'an empty comment' };
  // Ending with a delivery's reference line: one of ours (posted under another account, or copied back).
  if (hasEntryRef(text)) return { status: 'ignored', reason: 'a comment Incident Officer posted' };
  const fresh = await received(deps, link, body.issue!.key, { change: 'journal', author: authorName(author), text: text.slice(0, 2900), journal_id: body.comment!.id }, `jira:comment:${body.comment!.id}`, true);
  if (fresh) deps.kick();
  return fresh ? { status: 'applied' } : { status: 'ignored', reason: 'already carried over' };
}

async function onIncidentStatus(deps: JiraInboundDeps, link: JiraLink, category: string, statusName: string, author: string, changeId: string): Promise<boolean> {
  const incident = await deps.incidents.findById(link.incidentId);
  if (!incident) return false;
  // Taken out of Done while the incident is resolved here: said in the channel, nothing reopened (or set back).
  if (category !== 'done' && isResolved(incident)) {
    const text = `moved the issue back to ${statusName}; the incident stays resolved here (\`/incident reopen\` reopens it)`;
    const shown = await received(deps, link, link.issueKey ?? '', { change: 'state', author, text, state: statusName }, `jira:status:${link.issueKey}:${changeId}`, true);
    if (shown) deps.kick();
    return shown;
  }
  if (category !== 'done' || isResolved(incident)) return false;
  const fresh = await deps.db.transaction().execute(async (trx) => {
    const row = await appendTimeline(trx, { incidentId: link.incidentId, actorId: null, kind: 'itsm_received', dedupeKey: `jira:status:${link.issueKey}:${changeId}`, payload: { system: 'jira', sys_id: link.issueId ?? '', number: link.issueKey ?? '', change: 'state', author, text: `moved the issue to ${statusName}; the incident stays open until its commander resolves it`, state: statusName } });
    if (row) await enqueueTask(trx, { kind: JiraTask.doneThere, incidentId: link.incidentId, payload: { issueKey: link.issueKey ?? '', author, status: statusName } });
    return Boolean(row);
  });
  if (fresh) deps.kick();
  return fresh;
}

async function onActionStatus(deps: JiraInboundDeps, link: JiraLink, category: string, statusName: string, author: string, changeId: string): Promise<boolean> {
  const action = await deps.actions.get(link.actionId!);
  if (!action) return false;
  const actor = await deps.actorId();
  const done = category === 'done';
  if (done === (action.status === 'done')) return false;
  const { changed } = done ? await deps.actions.complete(action.id, actor) : await deps.actions.reopen(action.id, actor);
  await received(deps, link, link.issueKey ?? '', { change: 'state', author, text: `moved ${link.issueKey} (${actionRef(action)}) to ${statusName}, so the action is ${done ? 'done' : 'open again'}`, state: statusName }, `jira:status:${link.issueKey}:${changeId}`, false);
  return changed;
}

async function onActionAssignee(deps: JiraInboundDeps, link: JiraLink, to: string, toName: string): Promise<boolean> {
  const slackUser = await deps.people.slackUserOf(deps.db, deps.client.deployment === 'cloud' ? { accountId: to } : { name: to }, deps.slackUserByEmail);
  if (!slackUser) {
    deps.logger.info({ issue: link.issueKey, assignee: toName }, 'Jira assignee has no Slack account with the same e-mail; the action keeps its owner');
    return false;
  }
  const action = await deps.actions.get(link.actionId!);
  if (!action || action.ownerId === slackUser) return false;
  await deps.actions.reassign(action.id, await deps.actorId(), slackUser);
  return true;
}
