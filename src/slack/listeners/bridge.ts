import { incidentRef } from '../../incidents/incident.js';
import type { Subcommand } from './commands.js';

/** `/incident bridge [url]`: set (or generate) the bridge-call link. */
export const bridgeCommands: Subcommand[] = [
  {
    name: 'bridge',
    usage: 'bridge [url]',
    help: 'set (or generate) the bridge-call link',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      const url = ctx.arg.replace(/^<|>$/g, '').split('|')[0];
      const { url: set } = await ctx.deps.escalation.setBridge({ incidentId: incident.id, actorId: ctx.userId, url: url || undefined });
      await ctx.reply(`:telephone_receiver: Bridge for ${incidentRef(ctx.deps.policy.number_prefix, incident)}: ${set}`);
    },
  },
];
