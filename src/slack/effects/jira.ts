import type { KnownBlock } from '@slack/types';
import type { Incident } from '../../incidents/incident.js';
import { isResolved } from '../../incidents/incident.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { FailingJiraSync, JiraLink } from '../../jira/links.js';
import { JiraTask } from '../../jira/outbound.js';
import type { CardExtras } from '../views/card.js';
import type { HomeSection } from '../views/home.js';
import type { TaskPayloads } from '../../outbox/kinds.js';
import { Action } from '../ids.js';
import { promptValue } from '../listeners/jira-prompt.js';
import { esc, mrkdwn, plain, truncate, user } from '../views/format.js';
import { loadIncident, type IncidentEffectDeps } from './context.js';
import { requireChannel } from './provision.js';
import { itsmFailingSection, upsertBookmark } from './servicenow.js';

export interface JiraEffectDeps extends IncidentEffectDeps {
  browseUrl: (key: string) => string;
  link: (incidentId: string) => Promise<JiraLink | undefined>;
}

const BOOKMARK_PREFIX = 'Jira ';

async function bookmarkIssue(deps: JiraEffectDeps, incidentId: string | null): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const link = await deps.link(incident.id);
  if (!link?.issueKey) return;
  await upsertBookmark(deps.client, requireChannel(incident), { prefix: BOOKMARK_PREFIX, title: `${BOOKMARK_PREFIX}${link.issueKey}`, url: deps.browseUrl(link.issueKey) });
}

/** Tells the channel that Jira refuses or cannot be reached (once per failing spell). */
async function announceFailing(deps: JiraEffectDeps, incidentId: string | null, error: string): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  if (!incident.channelId) return;
  const text = `:warning: Syncing with Jira fails: ${esc(truncate(error, 500))}\n\`/incident itsm\` shows the sync state; \`/incident itsm test\` what the Jira account lacks.`;
  await deps.client.chat.postMessage({ channel: incident.channelId, text, unfurl_links: false });
}

/** The incident's issue was moved to Done in Jira: the commander decides whether the incident is resolved. */
async function askCommander(deps: JiraEffectDeps, incidentId: string | null, p: { issueKey: string; author: string; status: string }): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  if (!incident.channelId || isResolved(incident)) return;
  const who = incident.commanderId ? `${user(incident.commanderId)}, ` : '';
  const text = `:ticket: ${esc(p.author)} moved Jira <${deps.browseUrl(p.issueKey)}|${esc(p.issueKey)}> to ${esc(p.status)}. The incident stays open here: ${who}resolve it if it is over, or keep it open (the issue goes back to In Progress).`;
  const value = promptValue({ incidentId: incident.id, issueKey: p.issueKey, status: p.status });
  await deps.client.chat.postMessage({
    channel: incident.channelId,
    text,
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: Action.jiraResolve, text: plain('Resolve incident'), value, style: 'primary' },
          { type: 'button', action_id: Action.jiraKeepOpen, text: plain('Keep open'), value },
        ],
      },
    ],
    unfurl_links: false,
  });
}

/** The prompt redrawn with the decision: the buttons gone, who chose what. */
async function showDecision(deps: JiraEffectDeps, p: TaskPayloads['jira.decided']): Promise<void> {
  const issue = `<${deps.browseUrl(p.issueKey)}|${esc(p.issueKey)}>`;
  const text = p.choice === 'keep_open' ? `:ticket: Jira ${issue} was moved to Done. ${user(p.decidedBy)} kept the incident open; the issue goes back to In Progress.` : `:ticket: Jira ${issue} was moved to Done. ${user(p.decidedBy)} resolved the incident.`;
  await deps.client.chat.update({ channel: p.channel, ts: p.ts, text, blocks: [{ type: 'section', text: mrkdwn(text) }] });
}

export function jiraEffects(deps: JiraEffectDeps) {
  return {
    [JiraTask.linked]: (task) => bookmarkIssue(deps, task.incidentId),
    [JiraTask.failing]: (task) => announceFailing(deps, task.incidentId, task.payload.error),
    [JiraTask.doneThere]: (task) => askCommander(deps, task.incidentId, task.payload),
    [JiraTask.decided]: (task) => showDecision(deps, task.payload),
  } satisfies SomeTaskHandlers;
}

/** The issue's key and link on the incident card. */
export function jiraCard(deps: Pick<JiraEffectDeps, 'browseUrl' | 'link'>): (incident: Incident) => Promise<CardExtras> {
  return async (incident) => {
    const link = await deps.link(incident.id);
    if (!link?.issueKey) return {};
    const state = link.lastError ? ' · :warning: sync failing' : '';
    const block: KnownBlock = { type: 'context', elements: [mrkdwn(`:ticket: Jira <${deps.browseUrl(link.issueKey)}|${esc(link.issueKey)}>${state}`)] };
    return { blocks: [block] };
  };
}

/** "Jira sync failing" on the Home tab of `itsm.jira.operators`. */
export function jiraFailingSection(deps: { operators: string[]; numberPrefix: string; failing: (limit: number) => Promise<{ failing: FailingJiraSync[]; total: number }> }): (userId: string) => Promise<HomeSection | undefined> {
  return itsmFailingSection('Jira', {
    ...deps,
    failing: async (limit) => {
      const { failing, total } = await deps.failing(limit);
      return { total, failing: failing.map((f) => ({ ...f, recordNumber: f.issueKey })) };
    },
  });
}
