import type { Incident } from '../../incidents/incident.js';
import type { JiraLink } from '../../jira/links.js';
import { esc, slackDate, truncate } from '../views/format.js';
import type { ItsmPanel } from '../../integrations/itsm-panels.js';
import { JIRA_LANES } from '../../jira/outbound.js';

export interface JiraPanelDeps {
  configured: boolean;
  operators: string[];
  deployment: 'cloud' | 'datacenter' | undefined;
  browseUrl(key: string): string;
  link(incidentId: string): Promise<JiraLink | undefined>;
  /** The incident's action issues, with the actions' references. */
  actionLinks(incidentId: string): Promise<(JiraLink & { actionRef: string })[]>;
  test(): Promise<string>;
}

const NOT_CONFIGURED = 'Jira is not configured: set `itsm.jira.base_url`, `project` and `issue_type` in the policy and `JIRA_EMAIL` + `JIRA_API_TOKEN` (Cloud) or `JIRA_PAT` (Data Center) in the environment.';

const CATEGORY = { new: 'To Do', indeterminate: 'In Progress', done: 'Done' } as const;
const STATE = { synced: 'in sync', pending: 'retrying', failed: 'failed (given up)' } as const;

/** The incident's issue and its sync state, as `/incident itsm` shows it. */
export function jiraLinkText(deps: Pick<JiraPanelDeps, 'browseUrl'>, incident: Incident, link: JiraLink | undefined): string {
  if (incident.isDrill) return 'Exercises are not synced to Jira.';
  const error = link?.lastError ? `\n:warning: Last error: ${esc(truncate(link.lastError, 1000))}` : '';
  if (!link?.issueKey) return `No Jira issue yet (${link ? STATE[link.syncState] : 'nothing sent yet'}).${error}`;
  const when = link.lastSyncedAt ? `, last synced ${slackDate(link.lastSyncedAt)}` : '';
  const category = link.statusCategory ? ` (${CATEGORY[link.statusCategory]})` : '';
  return `:ticket: Jira <${deps.browseUrl(link.issueKey)}|${esc(link.issueKey)}>${category}: ${STATE[link.syncState]}${when}.${error}`;
}

/** Jira's part of `/incident itsm`. */
export function jiraPanel(deps: JiraPanelDeps): ItsmPanel {
  return {
    system: 'Jira',
    notConfigured: deps.configured ? null : NOT_CONFIGURED,
    lanes: JIRA_LANES,
    operators: deps.operators,
    status: async (incident) => {
      const head = jiraLinkText(deps, incident, await deps.link(incident.id));
      const actions = incident.isDrill ? [] : (await deps.actionLinks(incident.id)).filter((l) => l.issueKey);
      const lines = actions.slice(0, 20).map((l) => `• ${l.actionRef} → <${deps.browseUrl(l.issueKey!)}|${esc(l.issueKey!)}>${l.statusCategory ? ` (${CATEGORY[l.statusCategory]})` : ''}${l.lastError ? ' :warning:' : ''}`);
      return lines.length ? `${head}\nFollow-up actions in Jira:\n${lines.join('\n')}${actions.length > 20 ? `\n_… and ${actions.length - 20} more_` : ''}` : head;
    },
    test: () => deps.test(),
  };
}
