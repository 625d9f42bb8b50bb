import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { Action, Block, Callback } from '../ids.js';
import { instrument } from '../listen.js';
import { priorityPreview, triageModal } from '../views/triage.js';
import type { Subcommand } from './commands.js';
import { incidentMetadata, metadata, selectedServices, selectedValue, textValue } from './payloads.js';
import { registerForm, type Values } from './forms.js';
import { incidentButton } from './buttons.js';
import { replaceBlock } from './view-update.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

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
  const { policy, logger, metrics } = deps;

  incidentButton(app, deps, { actionId: Action.openTriage, name: 'action.triage' }, async ({ incident, triggerId, client, tell }) => {
    if (incident.closedAt) return tell('That incident is closed.');
    await client.views.open({ trigger_id: triggerId, view: triageModal(policy, incident) });
  });

  // Impact or urgency chosen: show the priority the matrix gives, before submit.
  for (const actionId of [Block.impact, Block.urgency]) {
    app.action(
      actionId,
      instrument(`action.${actionId}`, metrics, logger, async ({ ack, body, client }: ActionArgs) => {
        await ack();
        const view = body.view;
        if (!view) return;
        const values = (view.state?.values ?? {}) as Values;
        await replaceBlock(client, view as never, Block.priorityPreview, priorityPreview(policy, selectedValue(values, Block.impact), selectedValue(values, Block.urgency)));
      }),
    );
  }

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
