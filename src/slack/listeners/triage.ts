import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { Action, Block, Callback } from '../ids.js';
import { priorityPreview, triageModal } from '../views/triage.js';
import type { Subcommand } from './commands.js';
import { incidentMetadata, metadata, selectedServices, selectedValue, textValue } from './payloads.js';
import { registerForm } from './forms.js';
import { incidentButton } from './buttons.js';
import { livePreview } from './view-update.js';

/** `/incident triage`. */
export const triageCommands: Subcommand[] = [
  {
    name: 'triage',
    usage: 'triage',
    help: 'set category, impact × urgency → priority, services, security classification',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      if (incident.closedAt) return ctx.reply('This incident is closed.');
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: triageModal(ctx.deps.policy, incident) });
    },
  },
];

/** The triage modal, its priority preview, and the triage button on the card. */
export function registerTriage(app: App, deps: SlackDeps): void {
  const { policy } = deps;

  incidentButton(app, deps, { actionId: Action.openTriage, name: 'action.triage' }, async ({ incident, triggerId, client, tell }) => {
    if (incident.closedAt) return tell('That incident is closed.');
    await client.views.open({ trigger_id: triggerId, view: triageModal(policy, incident) });
  });

  // Impact or urgency chosen: show the priority the matrix gives, before submit.
  livePreview(app, deps, [Block.impact, Block.urgency], Block.priorityPreview, (impact, urgency) => priorityPreview(policy, impact, urgency));

  registerForm(app, deps, {
    callbackId: Callback.triageModal,
    metadata: incidentMetadata,
    fields: { category: Block.category, impact: Block.impact, urgency: Block.urgency, severity: Block.severity, reason: Block.reason },
    fallback: Block.category,
    async submit({ meta: { incidentId }, userId, values }) {
      await deps.triage.triage(
        {
          incidentId,
          actorId: userId,
          category: selectedValue(values, Block.category),
          impact: selectedValue(values, Block.impact),
          urgency: selectedValue(values, Block.urgency),
          severity: selectedValue(values, Block.severity),
          services: selectedServices(values, Block.services),
          businessImpact: textValue(values, Block.businessImpact),
          classification: selectedValue(values, Block.classification) === 'security_event' ? 'security_event' : 'incident',
          reason: textValue(values, Block.reason),
        },
        { beforePriorityChange: (incident) => deps.authorize('priority', userId, incident) },
      );
    },
  });
}
