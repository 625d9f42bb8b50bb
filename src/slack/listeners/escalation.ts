import type { App } from '@slack/bolt';
import { escalationGroupsFor } from '../../escalation/service.js';
import { effectivePriority } from '../../triage/priority.js';
import type { SlackDeps } from '../deps.js';
import { Block, Callback } from '../ids.js';
import { escalateModal } from '../views/escalation.js';
import type { Subcommand } from './commands.js';
import { incidentMetadata, metadata, selectedValue, selectedValues, textValue } from './payloads.js';
import { registerForm } from './forms.js';

/** `/incident escalate`. */
export const escalationCommands: Subcommand[] = [
  {
    name: 'escalate',
    usage: 'escalate',
    help: 'raise the priority and/or page teams',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      if (incident.resolvedAt) return ctx.reply('This incident is resolved; reopen it before escalating.');
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: escalateModal(ctx.deps.policy, incident, escalationGroupsFor(ctx.deps.policy, incident)) });
    },
  },
];

/** The escalation modal: raise the priority, page user groups. */
export function registerEscalation(app: App, deps: SlackDeps): void {
  const { policy } = deps;

  registerForm(app, deps, {
    callbackId: Callback.escalateModal,
    metadata: incidentMetadata,
    fields: { priority: Block.priority },
    fallback: Block.priority,
    async submit({ meta: { incidentId }, userId, values }) {
      const picked = selectedValues(values, Block.usergroups);
      const extra = textValue(values, Block.extraGroups).split(/[,\s]+/);
      const incident = await deps.incidents.findById(incidentId);
      const priority = selectedValue(values, Block.priority);
      if (incident && priority && priority !== effectivePriority(policy, incident)) await deps.authorize('priority', userId, incident);
      await deps.escalation.escalate({ incidentId, actorId: userId, priority, usergroups: [...picked, ...extra], note: textValue(values, Block.note) });
    },
  });
}
