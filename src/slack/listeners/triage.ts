import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { escalationGroupsFor } from '../../escalation/service.js';
import { effectivePriority } from '../../triage/priority.js';
import type { SlackDeps } from '../deps.js';
import { Action, Block, Callback } from '../ids.js';
import { instrument } from '../listen.js';
import { incidentRef } from '../../incidents/incident.js';
import { escalateModal, priorityPreview, triageModal, vendorFieldId, vendorModal } from '../views/triage.js';
import type { Subcommand } from './commands.js';
import { incidentMetadata, metadata, selectedServices, selectedValue, textValue } from './payloads.js';
import { z } from 'zod';
import { registerForm, type Values } from './forms.js';
import { incidentButton } from './buttons.js';
import { replaceBlock } from './view-update.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** `/incident triage | escalate | bridge [url] | vendor [responded [name]]`. */
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
  {
    name: 'vendor',
    usage: 'vendor [responded [name]]',
    help: 'engage a vendor and time their response',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      const m = /^responded\b\s*(.*)$/i.exec(ctx.arg);
      if (m) {
        const { vendor } = await ctx.deps.vendors.responded({ incidentId: incident.id, actorId: ctx.userId, vendor: m[1] || undefined });
        return ctx.reply(`Recorded that ${vendor} responded.`);
      }
      if (ctx.arg) return ctx.reply('Usage: `/incident vendor` to engage one, `/incident vendor responded [name]` when they answer.');
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: vendorModal(ctx.deps.policy, incident) });
    },
  },
];

/** The triage, escalation and vendor modals, and the triage button on the card. */
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

  registerForm(app, deps, {
    callbackId: Callback.escalateModal,
    metadata: incidentMetadata,
    fields: { priority: Block.priority },
    fallback: Block.priority,
    async submit({ meta: { incidentId }, userId, values }) {
      const picked = ((values[Block.usergroups]?.[Block.usergroups]?.selected_options ?? []) as { value: string }[]).map((o) => o.value);
      const extra = textValue(values, Block.extraGroups).split(/[,\s]+/);
      const incident = await deps.incidents.findById(incidentId);
      const priority = selectedValue(values, Block.priority);
      if (incident && priority && priority !== effectivePriority(policy, incident)) await deps.authorize('priority', userId, incident);
      await deps.escalation.escalate({ incidentId, actorId: userId, priority, usergroups: [...picked, ...extra], note: textValue(values, Block.note) });
    },
  });

  // A catalog vendor chosen: refill the contact and contractual time (new block ids, so Slack shows them).
  app.action(
    Block.catalogVendor,
    instrument('action.catalog_vendor', metrics, logger, async ({ ack, body, client }: ActionArgs) => {
      await ack();
      const view = body.view;
      const meta = view ? metadata(vendorMetadata, view.private_metadata) : undefined;
      if (!view || !meta) return;
      const incident = await deps.incidents.findById(meta.incidentId);
      if (!incident) return;
      const values = (view.state?.values ?? {}) as Values;
      const next = vendorModal(policy, incident, { vendor: selectedValue(values, Block.catalogVendor) ?? '', rev: meta.rev + 1 });
      await client.views.update({ view_id: view.id, hash: view.hash, view: next });
    }),
  );

  registerForm(app, deps, {
    callbackId: Callback.vendorModal,
    metadata: vendorMetadata,
    // The prefilled fields get new block ids each time a catalog vendor is chosen.
    fields: ({ rev }) => ({ vendor: Block.vendor, responseMinutes: vendorFieldId(Block.responseMinutes, rev) }),
    fallback: Block.vendor,
    async submit({ meta: { incidentId, rev }, userId, values }) {
      const minutes = textValue(values, vendorFieldId(Block.responseMinutes, rev));
      await deps.vendors.engage({
        incidentId,
        actorId: userId,
        vendor: textValue(values, Block.vendor),
        catalogVendor: selectedValue(values, Block.catalogVendor),
        ticketRef: textValue(values, Block.ticketRef),
        contact: textValue(values, vendorFieldId(Block.contact, rev)),
        responseMinutes: /^\d+$/.test(minutes) ? Number(minutes) : Number.NaN,
      });
    },
  });
}

const vendorMetadata = z.object({ incidentId: z.string().regex(/^\d+$/), rev: z.number().int().min(0).default(0) });
