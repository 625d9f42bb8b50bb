import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { escalationGroupsFor } from '../../escalation/service.js';
import { effectivePriority, isImpact, isUrgency, priorityFor } from '../../triage/priority.js';
import type { SlackDeps } from '../deps.js';
import { Action, Block, Callback } from '../ids.js';
import { instrument } from '../listen.js';
import { incidentRef } from '../../incidents/incident.js';
import { escalateModal, priorityPreview, triageModal, vendorFieldId, vendorModal } from '../views/triage.js';
import { findVendor } from '../../catalog/catalog.js';
import type { Subcommand } from './commands.js';
import { blockActionPayload, metadata, selectedServices, selectedValue, textValue } from './payloads.js';
import { z } from 'zod';
import { onSubmit, type Errors } from './submissions.js';
import { replaceBlock } from './view-update.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** `/incident triage | escalate | bridge [url] | vendor [responded [name]]`. */
export const triageCommands: Subcommand[] = [
  {
    name: 'triage',
    usage: 'triage',
    help: 'set category, impact × urgency → priority, services, security classification',
    async run(ctx) {
      const incident = await ctx.incidentHere();
      if (!incident) return;
      if (incident.closedAt) return ctx.reply('This incident is closed.');
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: triageModal(ctx.deps.policy, incident) });
    },
  },
  {
    name: 'escalate',
    usage: 'escalate',
    help: 'raise the priority and/or page teams',
    async run(ctx) {
      const incident = await ctx.incidentHere();
      if (!incident) return;
      if (incident.resolvedAt) return ctx.reply('This incident is resolved; reopen it before escalating.');
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: escalateModal(ctx.deps.policy, incident, escalationGroupsFor(ctx.deps.policy, incident)) });
    },
  },
  {
    name: 'bridge',
    usage: 'bridge [url]',
    help: 'set (or generate) the bridge-call link',
    async run(ctx) {
      const incident = await ctx.incidentHere();
      if (!incident) return;
      const url = ctx.arg.replace(/^<|>$/g, '').split('|')[0];
      const { url: set } = await ctx.deps.escalation.setBridge({ incidentId: incident.id, actorId: ctx.userId, url: url || undefined });
      await ctx.reply(`:telephone_receiver: Bridge for ${incidentRef(ctx.deps.policy.number_prefix, incident)}: ${set}`);
    },
  },
  {
    name: 'vendor',
    usage: 'vendor [responded [name]]',
    help: 'engage a vendor and time their response',
    async run(ctx) {
      const incident = await ctx.incidentHere();
      if (!incident) return;
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

  app.action(
    Action.openTriage,
    instrument('action.triage', metrics, logger, async ({ ack, body, client, respond }: ActionArgs) => {
      await ack();
      const p = blockActionPayload.parse(body);
      const incident = await deps.incidents.findById(p.actions[0].value ?? '');
      if (!incident || incident.closedAt) return void (await respond({ response_type: 'ephemeral', replace_original: false, text: 'That incident is closed.' }));
      await client.views.open({ trigger_id: p.trigger_id, view: triageModal(policy, incident) });
    }),
  );

  // Impact or urgency chosen: show the priority the matrix gives, before submit.
  for (const actionId of [Block.impact, Block.urgency]) {
    app.action(
      actionId,
      instrument(`action.${actionId}`, metrics, logger, async ({ ack, body, client }: ActionArgs) => {
        await ack();
        const view = body.view;
        if (!view) return;
        const values = (view.state?.values ?? {}) as Record<string, Record<string, any>>;
        await replaceBlock(client, view as never, Block.priorityPreview, priorityPreview(policy, selectedValue(values, Block.impact), selectedValue(values, Block.urgency)));
      }),
    );
  }

  onSubmit(app, deps, Callback.triageModal, Block.category, async (incidentId, userId, values): Promise<Errors | void> => {
    const impact = selectedValue(values, Block.impact);
    const urgency = selectedValue(values, Block.urgency);
    const category = selectedValue(values, Block.category);
    const severity = selectedValue(values, Block.severity);
    const classification = selectedValue(values, Block.classification) === 'security_event' ? 'security_event' : 'incident';
    const reason = textValue(values, Block.reason);
    const errors: Errors = {};
    if (!category || !policy.categories.includes(category)) errors[Block.category] = 'Choose a category.';
    if (!isImpact(impact)) errors[Block.impact] = 'Choose the impact.';
    if (!isUrgency(urgency)) errors[Block.urgency] = 'Choose the urgency.';
    if (!severity || !policy.severities.some((s) => s.id === severity)) errors[Block.severity] = 'Choose a severity.';
    if (classification === 'security_event' && !reason) errors[Block.reason] = 'Say why this is an event and not an incident.';
    if (Object.keys(errors).length || !isImpact(impact) || !isUrgency(urgency)) return errors;
    const incident = await deps.incidents.findById(incidentId);
    if (incident?.priority && incident.priority !== priorityFor(policy, impact, urgency)) await deps.authorize('priority', userId, incident);
    await deps.triage.triage({
      incidentId,
      actorId: userId,
      category: category!,
      impact,
      urgency,
      severity: severity!,
      services: selectedServices(values, Block.services),
      businessImpact: textValue(values, Block.businessImpact),
      classification,
      reason,
    });
  });

  onSubmit(app, deps, Callback.escalateModal, Block.priority, async (incidentId, userId, values) => {
    const picked = ((values[Block.usergroups]?.[Block.usergroups]?.selected_options ?? []) as { value: string }[]).map((o) => o.value);
    const extra = textValue(values, Block.extraGroups).split(/[,\s]+/);
    const incident = await deps.incidents.findById(incidentId);
    const priority = selectedValue(values, Block.priority);
    if (incident && priority && priority !== effectivePriority(policy, incident)) await deps.authorize('priority', userId, incident);
    await deps.escalation.escalate({ incidentId, actorId: userId, priority: selectedValue(values, Block.priority), usergroups: [...picked, ...extra], note: textValue(values, Block.note) });
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
      const values = (view.state?.values ?? {}) as Record<string, Record<string, any>>;
      const next = vendorModal(policy, incident, { vendor: selectedValue(values, Block.catalogVendor) ?? '', rev: meta.rev + 1 });
      await client.views.update({ view_id: view.id, hash: view.hash, view: next });
    }),
  );

  onSubmit(app, deps, Callback.vendorModal, Block.vendor, async (incidentId, userId, values, raw): Promise<Errors | void> => {
    const rev = metadata(vendorMetadata, raw.privateMetadata)?.rev ?? 0;
    const minutesBlock = vendorFieldId(Block.responseMinutes, rev);
    const catalog = selectedValue(values, Block.catalogVendor);
    const vendor = textValue(values, Block.vendor) || (catalog ? findVendor(policy, catalog)?.name : undefined) || '';
    const minutes = textValue(values, minutesBlock);
    const errors: Errors = {};
    if (!vendor) errors[Block.vendor] = values[Block.catalogVendor] ? 'Choose a catalog vendor above, or name another one here.' : 'Name the vendor.';
    if (!/^\d{1,6}$/.test(minutes) || Number(minutes) < 1) errors[minutesBlock] = 'A whole number of minutes, such as 60.';
    if (Object.keys(errors).length) return errors;
    await deps.vendors.engage({ incidentId, actorId: userId, vendor, ticketRef: textValue(values, Block.ticketRef), contact: textValue(values, vendorFieldId(Block.contact, rev)), responseMinutes: Number(minutes) });
  });
}

const vendorMetadata = z.object({ incidentId: z.string().regex(/^\d+$/), rev: z.number().int().min(0).default(0) });
