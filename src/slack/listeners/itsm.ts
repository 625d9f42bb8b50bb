import type { ItsmPanels } from '../../integrations/itsm-panels.js';
import type { Subcommand } from './commands.js';

const USAGE = '`/incident itsm` in an incident channel shows its records in ServiceNow and Jira and their sync state; `/incident itsm test` checks the connections, the accounts\' permissions and what Jira requires.';

/** `/incident itsm [test]`, shared by every ITSM connector: each configured one answers in turn. */
export function itsmCommands(registry: ItsmPanels): Subcommand[] {
  return [
    {
      name: 'itsm',
      usage: 'itsm [test]',
      help: 'show the incident\'s ServiceNow record / Jira issue and sync state; `test` checks the connections, permissions and required fields',
      incident: 'optional',
      async run(ctx) {
        const on = registry.panels.filter((p) => p.notConfigured === null);
        if (!on.length) return ctx.reply(registry.panels.map((p) => p.notConfigured).join('\n'));
        const verb = ctx.arg.trim().toLowerCase();
        if (verb === 'test') return ctx.reply((await Promise.all(on.map((p) => p.test()))).join('\n\n'));
        if (verb !== '' || !ctx.incident) return ctx.reply(USAGE);
        const incident = ctx.incident;
        return ctx.reply((await Promise.all(on.map((p) => p.status(incident)))).join('\n'));
      },
    },
  ];
}
