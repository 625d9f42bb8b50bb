import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { Block, Callback } from '../ids.js';
import { instrument } from '../listen.js';
import { vendorFieldId, vendorModal } from '../views/vendors.js';
import type { Subcommand } from './commands.js';
import { metadata, selectedValue, textValue } from './payloads.js';
import { z } from 'zod';
import { registerForm, type Values } from './forms.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** `/incident vendor [responded [name]]`. */
export const vendorCommands: Subcommand[] = [
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

/** The vendor modal: engage a vendor (from the catalog or by hand) and time their response. */
export function registerVendors(app: App, deps: SlackDeps): void {
  const { policy, logger, metrics } = deps;

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
