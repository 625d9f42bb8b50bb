import type { Incident } from '../../incidents/incident.js';
import type { JiraLink } from '../../jira/links.js';
import { esc, slackDate, truncate } from '../views/format.js';
import type { ItsmPanel } from './itsm.js';

export interface JiraPanelDeps {
  configured: boolean;
  deployment: 'cloud' | 'datacenter' | undefined;
  browseUrl(key: string): string;
  link(incidentId: string): Promise<JiraLink | undefined>;
  test(): Promise<string>;
}

const NOT_CONFIGURED = 'Jira is not configured: set `itsm.jira.base_url`, `project` and `issue_type` in the policy and `JIRA_EMAIL` + `JIRA_API_TOKEN` (Cloud) or `JIRA_PAT` (Data Center) in the environment.';

const STATE = { synced: 'in sync', pending: 'retrying', failed: 'failed (given up)' } as const;

/** The incident's issue and its sync state, as `/incident itsm` shows it. */
export function jiraLinkText(deps: Pick<JiraPanelDeps, 'browseUrl'>, incident: Incident, link: JiraLink | undefined): string {
  if (incident.isDrill) return 'Exercises are not synced to Jira.';
  const error = link?.lastError ? `\n:warning: Last error: ${esc(truncate(link.lastError, 1000))}` : '';
  if (!link?.issueKey) return `No Jira issue yet (${link ? STATE[link.syncState] : 'nothing sent yet'}).${error}`;
  const when = link.lastSyncedAt ? `, last synced ${slackDate(link.lastSyncedAt)}` : '';
  const category = link.statusCategory ? ` (${{ new: 'To Do', indeterminate: 'In Progress', done: 'Done' }[link.statusCategory]})` : '';
  return `:ticket: Jira <${deps.browseUrl(link.issueKey)}|${esc(link.issueKey)}>${category}: ${STATE[link.syncState]}${when}.${error}`;
}

/** Jira's part of `/incident itsm`. */
export function jiraPanel(deps: JiraPanelDeps): ItsmPanel {
  return {
    system: 'Jira',
    notConfigured: deps.configured ? null : NOT_CONFIGURED,
    status: async (incident) => jiraLinkText(deps, incident, await deps.link(incident.id)),
    test: () => deps.test(),
  };
}
