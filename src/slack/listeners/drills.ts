import { incidentRef } from '../../incidents/incident.js';
import { scenarioList } from '../views/drills.js';
import type { Subcommand } from './commands.js';

/** `/incident drill [scenario]`. */
export const drillCommands: Subcommand[] = [
  {
    name: 'drill',
    aliases: ['exercise'],
    usage: 'drill <scenario>',
    help: 'start a tabletop exercise: an EXERCISE incident with scripted injects and a scorecard',
    async run(ctx) {
      if (!ctx.arg) return ctx.reply(scenarioList(ctx.deps.drills.scenarios()));
      const { incident, scenario } = await ctx.deps.drills.start({ teamId: ctx.teamId, scenario: ctx.arg, facilitatorId: ctx.userId });
      const ref = incidentRef(ctx.deps.policy.number_prefix, incident);
      const injects = scenario.injects.length ? `${scenario.injects.length} inject${scenario.injects.length === 1 ? ' is' : 's are'} scripted` : 'no injects are scripted';
      await ctx.reply(`:performing_arts: Exercise *${ref}* ("${scenario.title}") is starting: you are invited to its \`drill-\` channel. Nobody is paged for real; ${injects}. The scorecard is posted when it is resolved.`);
    },
  },
];
