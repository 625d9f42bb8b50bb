import type { Incident } from '../../incidents/incident.js';
import type { GivenUpDelivery } from '../../integrations/given-up.js';
import type { ItsmPanel, ItsmPanels } from '../../integrations/itsm-panels.js';
import { esc, slackDate, truncate } from '../views/format.js';
import type { Subcommand } from './commands.js';

const USAGE = '`/incident itsm` in an incident channel shows its records in ServiceNow and Jira and their sync state; `/incident itsm retry` sends the syncs that were given up again; `/incident itsm test` checks the connections, the accounts\' permissions and what Jira requires.';

/** The outbox's given-up deliveries of an incident, and sending them again (src/integrations/given-up.ts). */
export interface GivenUpDeliveries {
  list(incidentId: string, lanes: readonly string[]): Promise<GivenUpDelivery[]>;
  /** Queues them again (and wakes the runners); answers how many. */
  redrive(incidentId: string, lanes: readonly string[]): Promise<number>;
}

const SHOWN = 10;

/** A connector's given-up deliveries, under its sync state. */
function givenUpText(panel: ItsmPanel, all: GivenUpDelivery[]): string {
  const line = (d: GivenUpDelivery) => `• \`${esc(d.what)}\` of ${slackDate(d.happenedAt, '{date_short_pretty} {time}')}, given up ${slackDate(d.gaveUpAt, '{date_short_pretty} {time}')}: ${esc(truncate(d.error, 200))}`;
  const list = all.filter((d) => !d.superseded);
  const superseded = all.length - list.length;
  const lines = list.slice(0, SHOWN).map(line);
  const more = list.length > SHOWN ? `\n_… and ${list.length - SHOWN} more_` : '';
  const open = list.length
    ? `\n:x: ${list.length} ${panel.system} sync${list.length === 1 ? '' : 's'} given up (never applied there); \`/incident itsm retry\` sends ${list.length === 1 ? 'it' : 'them'} again:\n${lines.join('\n')}${more}`
    : '';
  const old = superseded
    ? `\n_${superseded} earlier ${panel.system} sync${superseded === 1 ? ' was' : 's were'} given up before a later one went through; not sent again, since an older one could set the record back to an older state._`
    : '';
  return open + old;
}

async function retry(panels: ItsmPanel[], deliveries: GivenUpDeliveries, incident: Incident, userId: string): Promise<string> {
  const lines: string[] = [];
  let superseded = 0;
  for (const p of panels) {
    const all = await deliveries.list(incident.id, p.lanes);
    const count = all.filter((d) => !d.superseded).length;
    superseded += all.length - count;
    if (!count) continue;
    if (p.operators.length && !p.operators.includes(userId)) {
      lines.push(`${p.system}: only its operators (\`operators\` in its policy) may send given-up syncs again.`);
      continue;
    }
    const queued = await deliveries.redrive(incident.id, p.lanes);
    lines.push(`${p.system}: ${queued} given-up sync${queued === 1 ? '' : 's'} queued again, in their original order; \`/incident itsm\` shows how they go.`);
  }
  if (lines.length) return lines.join('\n');
  return superseded
    ? 'Nothing to send again: the syncs given up were each followed by a later one that went through (`/incident itsm` lists them).'
    : 'Nothing was given up: every sync of this incident went through or is still being retried.';
}

/** `/incident itsm [test|retry]`, shared by every ITSM connector: each configured one answers in turn. */
export function itsmCommands(registry: ItsmPanels, deliveries: GivenUpDeliveries): Subcommand[] {
  return [
    {
      name: 'itsm',
      usage: 'itsm [test|retry]',
      help: 'show the incident\'s ServiceNow record / Jira issue and sync state; `retry` sends given-up syncs again; `test` checks the connections, permissions and required fields',
      incident: 'optional',
      async run(ctx) {
        const on = registry.panels.filter((p) => p.notConfigured === null);
        if (!on.length) return ctx.reply(registry.panels.map((p) => p.notConfigured).join('\n'));
        const verb = ctx.arg.trim().toLowerCase();
        if (verb === 'test') return ctx.reply((await Promise.all(on.map((p) => p.test()))).join('\n\n'));
        if ((verb !== '' && verb !== 'retry') || !ctx.incident) return ctx.reply(USAGE);
        const incident = ctx.incident;
        if (verb === 'retry') return ctx.reply(await retry(on, deliveries, incident, ctx.userId));
        const parts = await Promise.all(on.map(async (p) => `${await p.status(incident)}${givenUpText(p, await deliveries.list(incident.id, p.lanes))}`));
        return ctx.reply(parts.join('\n'));
      },
    },
  ];
}
