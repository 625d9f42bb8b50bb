import type { App } from '@slack/bolt';
import { z } from 'zod';
import { changeRef, parseChangeRef, type Change } from '../../changes/change.js';
import type { SlackDeps } from '../deps.js';
import { Action, Block, Callback, StatusBlock } from '../ids.js';
import { changeDetail, changeList, changeModal, rejectModal, riskPreview } from '../views/changes.js';
import { incidentRef } from '../../incidents/incident.js';
import { esc } from '../views/format.js';
import type { Subcommand } from './commands.js';
import { button } from './buttons.js';
import { registerForm, type Values } from './forms.js';
import { checked, selectedServices, selectedUser, selectedValue, textValue } from './payloads.js';
import { livePreview } from './view-update.js';

const LIST_SIZE = 30;

/** `/change new | list [all] | show <CHG-n>`. */
export const changeCommands: Subcommand[] = [
  {
    name: 'new',
    aliases: ['create', 'add'],
    usage: 'new',
    help: 'record a planned change: services, window, impact × likelihood → risk, rollback plan, implementer',
    async run(ctx) {
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: changeModal(ctx.deps.policy, { requesterId: ctx.userId, now: ctx.deps.clock.now(), channelId: ctx.channelId }) });
    },
  },
  {
    name: 'list',
    aliases: ['ls'],
    usage: 'list [all]',
    help: 'changes of the last 7 days, upcoming ones and those awaiting the CAB (or all)',
    async run(ctx) {
      const all = /^all$/i.test(ctx.arg);
      if (ctx.arg && !all) return ctx.reply('Usage: `/change list` or `/change list all`.');
      const { changes, total } = await ctx.deps.changes.list({ all, limit: LIST_SIZE });
      const view = changeList(changes, { all, total });
      await ctx.reply(view.text, view.blocks);
    },
  },
  {
    name: 'show',
    usage: 'show <CHG-n>',
    help: 'one change: its record, the CAB decision and the incidents it caused',
    async run(ctx) {
      const id = parseChangeRef(ctx.arg);
      const change = id ? await ctx.deps.changes.find(id) : undefined;
      if (!change) return ctx.reply(id ? `There is no change CHG-${id}.` : 'Usage: `/change show CHG-12`.');
      const view = changeDetail(ctx.deps.policy, change, await ctx.deps.changes.incidentsCausedBy(change.id));
      await ctx.reply(view.text, view.blocks);
    },
  },
];

/** `/incident cause <CHG-n> | clear`. */
export const causeCommands: Subcommand[] = [
  {
    name: 'cause',
    usage: 'cause <CHG-n> | cause clear',
    help: 'record the change that caused this incident (counted in reports)',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      const ref = incidentRef(ctx.deps.policy.number_prefix, incident);
      if (!ctx.arg) {
        const now = incident.causedByChangeId ? `The recorded cause of ${ref} is CHG-${incident.causedByChangeId}.` : `No cause is recorded for ${ref}.`;
        return ctx.reply(`${now} \`/incident cause CHG-12\` records one, \`/incident cause clear\` removes it.`);
      }
      if (/^(clear|none|remove)$/i.test(ctx.arg)) {
        await ctx.deps.changes.clearCause({ incidentId: incident.id, actorId: ctx.userId });
        return ctx.reply(`No change is recorded as the cause of ${ref} any more.`);
      }
      const { change } = await ctx.deps.changes.linkCause({ incidentId: incident.id, changeRef: ctx.arg, actorId: ctx.userId });
      await ctx.reply(`:link: ${changeRef(change)} (${esc(change.title)}) is recorded as the cause of ${ref}.`);
    },
  },
];

const changeIdMeta = z.object({ changeId: z.string().regex(/^\d+$/) });

function dateTime(values: Values, block: string): Date | undefined {
  const v = values[block]?.[block]?.selected_date_time;
  return typeof v === 'number' && Number.isFinite(v) ? new Date(v * 1000) : undefined;
}

/** The `/change new` form, its risk preview, the CAB buttons and the "Mark as cause" button. */
export function registerChanges(app: App, deps: SlackDeps): void {
  const { policy, changes } = deps;

  livePreview(app, deps, [Block.changeImpact, Block.likelihood], Block.riskPreview, (impact, likelihood) => riskPreview(policy, impact, likelihood));

  registerForm(app, deps, {
    callbackId: Callback.changeModal,
    metadata: z.object({ channelId: z.string().optional() }),
    fields: { title: Block.title, services: Block.services, startsAt: Block.windowStart, endsAt: Block.windowEnd, impact: Block.changeImpact, likelihood: Block.likelihood, rollbackPlan: Block.rollback, publishMaintenance: StatusBlock.publishMaintenance, maintenanceText: StatusBlock.maintenanceText },
    fallback: Block.title,
    async submit({ userId, values }) {
      const publish = checked(values, StatusBlock.publishMaintenance);
      const maintenances = publish ? deps.maintenances : undefined;
      const within = maintenances ? (trx: Parameters<typeof maintenances.schedule>[0], change: Change) => maintenances.schedule(trx, change, { body: textValue(values, StatusBlock.maintenanceText), actorId: userId }) : undefined;
      await changes.create({
        title: textValue(values, Block.title),
        description: textValue(values, Block.description),
        services: selectedServices(values, Block.services),
        startsAt: dateTime(values, Block.windowStart),
        endsAt: dateTime(values, Block.windowEnd),
        impact: selectedValue(values, Block.changeImpact),
        likelihood: selectedValue(values, Block.likelihood),
        rollbackPlan: textValue(values, Block.rollback),
        implementerId: selectedUser(values, Block.implementer),
        requestedBy: userId,
      }, { within });
    },
  });

  button(app, deps, { actionId: Action.changeApprove, name: 'action.change_approve' }, ({ value, actorId }) => changes.decide({ changeId: value, actorId, approve: true }));

  // Refused at once rather than after the reason is typed.
  button(app, deps, { actionId: Action.changeReject, name: 'action.change_reject' }, async ({ value, actorId, triggerId, client }) => {
    const change = await changes.decidable(value, actorId);
    await client.views.open({ trigger_id: triggerId, view: rejectModal(change) });
  });

  registerForm(app, deps, {
    callbackId: Callback.changeRejectModal,
    metadata: changeIdMeta,
    fields: { note: Block.reason },
    fallback: Block.reason,
    async submit({ meta: { changeId }, userId, values }) {
      await changes.decide({ changeId, actorId: userId, approve: false, note: textValue(values, Block.reason) });
    },
  });

  button(app, deps, { actionId: new RegExp(`^${Action.markCause}:\\d+$`), name: 'action.mark_cause' }, async ({ value, actorId, tell }) => {
    const m = /^(\d+):(\d+)$/.exec(value);
    if (!m) return;
    const { change } = await changes.linkCause({ incidentId: m[1], changeRef: m[2], actorId });
    await tell(`:link: ${changeRef(change)} is recorded as the cause.`);
  });
}
