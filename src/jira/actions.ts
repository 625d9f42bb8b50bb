/**
 * Follow-up actions as Jira issues in the actions project (the incident's project and type Task by
 * default), each linked "relates to" the incident's issue, assigned to the owner's Jira account (by
 * e-mail) and due when the action is. An action's issue is found again by its link row, else by its
 * label, before it is ever created; an event whose issue was never created creates it then, in the
 * action's current state. Done or reopened in Slack moves it to the Done or To Do category.
 */
import type { Db } from '../db/database.js';
import type { IntegrationEventOf } from '../integrations/events.js';
import type { Logger } from '../logger.js';
import type { JiraPolicy } from '../policy/jira-schema.js';
import { outboundText } from '../servicenow/mapping.js';
import { JiraError, type JiraClient } from './client.js';
import { ensureJiraLink, recordIssue, recordJiraSynced } from './links.js';
import { actionLabel, fitSummary, onScreen, richText } from './mapping.js';
import { CreateMeta } from './meta.js';
import type { JiraPeople } from './people.js';
import { moveToCategory } from './workflow.js';

export const ACTION_EVENTS = ['action.created', 'action.done', 'action.reopened', 'action.reassigned', 'action.snoozed'] as const;
export type ActionEvent = IntegrationEventOf<(typeof ACTION_EVENTS)[number]>;

export function isActionEvent(event: { type: string }): event is ActionEvent {
  return (ACTION_EVENTS as readonly string[]).includes(event.type);
}

export interface IssueSync { key: string; id: string; created: boolean; sent: Record<string, string> }

export interface ActionDeps { db: Db; client: JiraClient; policy: JiraPolicy; people: JiraPeople; meta: CreateMeta; signal: AbortSignal; logger?: Logger }

async function actionNow(db: Db, actionId: string) {
  return db.selectFrom('follow_up_actions').select(['title', 'owner_id', 'due_date', 'status', 'snoozed_until']).where('id', '=', actionId).executeTakeFirst();
}

/** Creates (or finds) the action's issue and links it to the incident's. */
async function ensureActionIssue(deps: ActionDeps, event: ActionEvent, incidentKey: string): Promise<{ key: string; id: string; linkId: string; created: boolean; sent: Record<string, string> } | null> {
  const { db, client, policy, signal } = deps;
  const incident = event.incident;
  const link = await ensureJiraLink(db, incident.id, event.data.actionId);
  if (link.issueKey && link.issueId) return { key: link.issueKey, id: link.issueId, linkId: link.id, created: false, sent: {} };
  const project = policy.actions.project ?? policy.project;
  const label = actionLabel(incident.ref, event.data.ref);
  const found = (await client.search(`project = "${project}" AND labels = "${label}" ORDER BY created ASC`, { signal, max: 1, fields: ['status', 'labels', 'issuelinks'] }))[0];
  if (found) {
    // Created by an earlier try that stopped before recording it: the link to the incident's issue may be missing too.
    const links = ((found.fields as { issuelinks?: { inwardIssue?: { key?: string }; outwardIssue?: { key?: string } }[] } | undefined)?.issuelinks ?? []);
    if (!links.some((l) => l.inwardIssue?.key === incidentKey || l.outwardIssue?.key === incidentKey)) await client.linkIssues('Relates', found.key, incidentKey, { signal });
    await recordIssue(db, link.id, { id: found.id, key: found.key, category: null });
    return { key: found.key, id: found.id, linkId: link.id, created: false, sent: {} };
  }
  const action = await actionNow(db, event.data.actionId);
  if (!action) return null;
  const screen = await deps.meta.screen(project, policy.actions.issue_type, { signal });
  const missing = CreateMeta.unmapped(screen, policy.action_fields);
  if (missing.length) throw new JiraError(`Jira ${project} ${screen.issueType.name} requires ${missing.map((f) => `${f.name} (${f.fieldId})`).join(', ')}: give a value under itsm.jira.action_fields; no action issue was created`, 400, false);
  const title = outboundText(incident, 'title', action.title, policy.security) === action.title ? action.title : `Follow-up action of ${incident.ref}`;
  const due = action.snoozed_until && action.due_date && action.snoozed_until > action.due_date ? action.snoozed_until : action.due_date;
  const assignee = await deps.people.assignee(action.owner_id, { signal, logger: deps.logger });
  const fields = onScreen(screen.fields, {
    ...policy.action_fields,
    project: { key: project },
    issuetype: { id: screen.issueType.id },
    summary: fitSummary(`${event.data.ref} ${title}`),
    description: richText(client.deployment, [{ text: `Follow-up action ${event.data.ref} of ${incident.ref} (${incidentKey}), tracked in Incident Officer.` }]),
    labels: [...policy.labels, label],
    ...(due ? { duedate: due } : {}),
    ...(assignee ? { assignee } : {}),
  });
  const created = await client.createIssue(fields, { signal });
  await client.linkIssues('Relates', created.key, incidentKey, { signal });
  await recordIssue(db, link.id, { id: created.id, key: created.key, category: 'new' });
  const sent: Record<string, string> = { summary: String(fields.summary), labels: label, relates_to: incidentKey, ...(due ? { duedate: due } : {}), ...(assignee ? { assignee: Object.values(assignee)[0] } : {}) };
  if (action.status === 'done') {
    const moved = await moveToCategory(client, created.key, 'done', policy, { signal });
    await recordJiraSynced(db, link.id, 'done');
    sent.status = moved.status;
  }
  return { key: created.key, id: created.id, linkId: link.id, created: true, sent };
}

/** Keeps the action's issue in step with the event. */
export async function syncActionIssue(deps: ActionDeps, event: ActionEvent, incidentKey: string): Promise<IssueSync | null> {
  const { db, client, policy, signal } = deps;
  const issue = await ensureActionIssue(deps, event, incidentKey);
  if (!issue) return null;
  if (issue.created) return { key: issue.key, id: issue.id, created: true, sent: issue.sent };
  const sent: Record<string, string> = {};
  switch (event.type) {
    case 'action.created':
      break;
    case 'action.done':
    case 'action.reopened': {
      const target = event.type === 'action.done' ? 'done' : 'new';
      // Reopened: an issue someone already put in progress stays there.
      const moved = await moveToCategory(client, issue.key, target, policy, { signal, alsoFine: target === 'new' ? ['indeterminate'] : [] });
      await recordJiraSynced(db, issue.linkId, moved.category);
      if (moved.path.length) sent.status = moved.status;
      break;
    }
    case 'action.reassigned': {
      const assignee = await deps.people.assignee(event.data.to, { signal, logger: deps.logger });
      await client.editIssue(issue.key, { assignee }, { signal });
      sent.assignee = assignee ? Object.values(assignee)[0] : '(unassigned)';
      break;
    }
    case 'action.snoozed':
      await client.editIssue(issue.key, { duedate: event.data.until }, { signal });
      sent.duedate = event.data.until;
      break;
  }
  return Object.keys(sent).length ? { key: issue.key, id: issue.id, created: false, sent } : null;
}
