import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { SlackDeps } from '../deps.js';
import { Block, Callback } from '../ids.js';
import { drModal } from '../views/dr.js';
import { esc } from '../views/format.js';
import type { Subcommand } from './commands.js';
import { registerForm } from './forms.js';
import { incidentMetadata, selectedValue, textValue } from './payloads.js';

const drMetadata = incidentMetadata.extend({ plan: z.string().optional() });

/** `/incident dr [plan]` and `/incident dr deactivate [reason]`. */
export const drCommands: Subcommand[] = [
  {
    name: 'dr',
    aliases: ['bcp'],
    usage: 'dr [plan] | dr deactivate [reason]',
    help: 'activate the disaster-recovery plan (P1 only; commander or deputy), or record its deactivation',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      const { dr } = ctx.deps;
      const off = /^(deactivate|off|stop|end)\b\s*([\s\S]*)$/i.exec(ctx.arg);
      if (off) {
        const { plan } = await dr.deactivate({ incidentId: incident.id, actorId: ctx.userId, reason: off[2] });
        return ctx.reply(`DR plan *${esc(plan)}* is no longer active; recorded on the timeline.`);
      }
      const refusal = await dr.refusalFor(incident, ctx.userId);
      if (refusal) return ctx.reply(refusal);
      if (incident.drPlan) return ctx.reply(`DR plan *${esc(dr.findPlan(incident.drPlan)?.title ?? incident.drPlan)}* is already active. \`/incident dr deactivate\` records its end.`);
      const plans = dr.plansFor(incident);
      const chosen = ctx.arg ? dr.findPlan(ctx.arg) : plans[0];
      if (!chosen) return ctx.reply(`No DR plan called "${ctx.arg.slice(0, 60)}". Plans: ${plans.map((p) => `\`${p.name}\``).join(', ')}.`);
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: drModal(ctx.deps.policy, incident, plans, chosen) });
    },
  },
];

/** The DR confirmation modal. */
export function registerDr(app: App, deps: SlackDeps): void {
  registerForm(app, deps, {
    callbackId: Callback.drModal,
    metadata: drMetadata,
    fields: { plan: Block.drPlan },
    fallback: Block.reason,
    async submit({ meta, userId, values }) {
      await deps.dr.activate({ incidentId: meta.incidentId, actorId: userId, plan: selectedValue(values, Block.drPlan) ?? meta.plan, reason: textValue(values, Block.reason) });
    },
  });
}
