import type { Incident } from '../../incidents/incident.js';
import type { CheckResult } from '../../servicenow/check.js';
import { recordUrl, type ServiceNowLink } from '../../servicenow/links.js';
import { esc, slackDate, truncate } from '../views/format.js';
import type { ItsmPanel } from '../../integrations/itsm-panels.js';
import { SERVICENOW_LANES } from '../../servicenow/outbound.js';

export interface ServiceNowPanelDeps {
  /** Unset: the connector is not configured. */
  instanceUrl: string | undefined;
  operators: string[];
  link(incidentId: string): Promise<ServiceNowLink | undefined>;
  test(): Promise<CheckResult>;
}

const NOT_CONFIGURED = 'ServiceNow is not configured: set `itsm.servicenow.instance_url` in the policy and `SERVICENOW_USERNAME` + `SERVICENOW_PASSWORD` (or `SERVICENOW_CLIENT_ID` + `SERVICENOW_CLIENT_SECRET`) in the environment.';

/** The sync state of an incident's record, as `/incident itsm` shows it. */
export function linkText(instanceUrl: string, incident: Incident, link: ServiceNowLink | undefined): string {
  if (incident.isDrill) return 'Exercises are not synced to ServiceNow.';
  const error = link?.lastError ? `\n:warning: Last error: ${esc(truncate(link.lastError, 1000))}` : '';
  if (!link?.sysId || !link.number) return `No ServiceNow record yet (${link ? link.syncState : 'nothing sent yet'}).${error}`;
  const state = link.syncState === 'synced' ? 'in sync' : link.syncState === 'pending' ? 'retrying' : 'failed (given up)';
  const when = link.lastSyncedAt ? `, last synced ${slackDate(link.lastSyncedAt)}` : '';
  return `:ticket: ServiceNow <${recordUrl(instanceUrl, link.sysId)}|${esc(link.number)}>: ${state}${when}.${error}`;
}

/** What a connection check found, as `/incident itsm test` shows it. */
export function checkText(where: string, r: CheckResult): string {
  const head = !r.connected ? `:x: Could not use ${where}.` : r.missing.length ? `:warning: Connected to ${where}, but the account lacks permissions.` : `:white_check_mark: Connected to ${where}; the account has what the connector needs.`;
  const list = (title: string, lines: string[]) => (lines.length ? `\n*${title}*\n${lines.map((l) => `• ${esc(l)}`).join('\n')}` : '');
  return truncate(`${head}${list('Missing', r.missing)}${list('Granted', r.ok)}${list('Not checked', r.unchecked)}`, 3000);
}

/** ServiceNow's part of `/incident itsm`. */
export function servicenowPanel(deps: ServiceNowPanelDeps): ItsmPanel {
  return {
    system: 'ServiceNow',
    notConfigured: deps.instanceUrl ? null : NOT_CONFIGURED,
    lanes: SERVICENOW_LANES,
    operators: deps.operators,
    status: async (incident) => linkText(deps.instanceUrl!, incident, await deps.link(incident.id)),
    test: async () => checkText(deps.instanceUrl!, await deps.test()),
  };
}
