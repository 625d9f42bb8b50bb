import type { Incident } from '../../incidents/incident.js';
import type { CheckResult } from '../../servicenow/check.js';
import { recordUrl, type ServiceNowLink } from '../../servicenow/links.js';
import { esc, slackDate, truncate } from '../views/format.js';
import type { Subcommand } from './commands.js';

export interface ItsmCommandDeps {
  /** Unset: the connector is not configured. */
  instanceUrl: string | undefined;
  link(incidentId: string): Promise<ServiceNowLink | undefined>;
  test(): Promise<CheckResult>;
}

const NOT_CONFIGURED = 'ServiceNow is not configured: set `itsm.servicenow.instance_url` in the policy and `SERVICENOW_USERNAME` + `SERVICENOW_PASSWORD` (or `SERVICENOW_CLIENT_ID` + `SERVICENOW_CLIENT_SECRET`) in the environment.';
const USAGE = '`/incident itsm` in an incident channel shows its ServiceNow record and sync state; `/incident itsm test` checks the connection and the account\'s permissions.';

/** The sync state of an incident's record, as `/incident itsm` shows it. */
export function linkText(instanceUrl: string, incident: Incident, link: ServiceNowLink | undefined): string {
  if (incident.isDrill) return 'Exercises are not synced to ServiceNow.';
  const error = link?.lastError ? `\n:warning: Last error: ${esc(truncate(link.lastError, 1000))}` : '';
  if (!link?.sysId || !link.number) return `No ServiceNow record yet (${link ? link.syncState : 'nothing sent yet'}).${error}`;
  const state = link.syncState === 'synced' ? 'in sync' : link.syncState === 'pending' ? 'retrying' : 'failed (given up)';
  const when = link.lastSyncedAt ? `, last synced ${slackDate(link.lastSyncedAt)}` : '';
  return `:ticket: ServiceNow <${recordUrl(instanceUrl, link.sysId)}|${esc(link.number)}>: ${state}${when}.${error}`;
}

/** What `/incident itsm test` found. */
export function checkText(instanceUrl: string, r: CheckResult): string {
  const head = !r.connected ? `:x: Could not use ${instanceUrl}.` : r.missing.length ? `:warning: Connected to ${instanceUrl}, but the account lacks permissions.` : `:white_check_mark: Connected to ${instanceUrl}; the account has what the connector needs.`;
  const list = (title: string, lines: string[]) => (lines.length ? `\n*${title}*\n${lines.map((l) => `• ${esc(l)}`).join('\n')}` : '');
  return truncate(`${head}${list('Missing', r.missing)}${list('Granted', r.ok)}${list('Not checked', r.unchecked)}`, 3000);
}

export function itsmCommands(deps: ItsmCommandDeps): Subcommand[] {
  return [
    {
      name: 'itsm',
      usage: 'itsm [test]',
      help: 'show the ServiceNow record and its sync state; `test` checks the connection and permissions',
      incident: 'optional',
      async run(ctx) {
        if (!deps.instanceUrl) return ctx.reply(NOT_CONFIGURED);
        const instanceUrl = deps.instanceUrl;
        if (ctx.arg.trim().toLowerCase() === 'test') return ctx.reply(checkText(instanceUrl, await deps.test()));
        if (ctx.arg.trim() !== '' || !ctx.incident) return ctx.reply(USAGE);
        return ctx.reply(linkText(instanceUrl, ctx.incident, await deps.link(ctx.incident.id)));
      },
    },
  ];
}
