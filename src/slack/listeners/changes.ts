import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { changeRef, isChangeImpact, isChangeLikelihood, parseChangeRef } from '../../changes/change.js';
import { CHANGE_TITLE_MAX } from '../../changes/service.js';
import { DomainError } from '../../incidents/errors.js';
import type { SlackDeps } from '../deps.js';
import { describeFailure } from '../errors.js';
import { Action, Block, Callback } from '../ids.js';
import { instrument } from '../listen.js';
import { changeDetail, changeList, changeModal, rejectModal, riskPreview } from '../views/changes.js';
import { incidentRef } from '../../incidents/incident.js';
import { esc } from '../views/format.js';
import type { Subcommand } from './commands.js';
import { blockActionPayload, metadata, selectedServices, selectedUser, selectedValue, textValue, viewPayload } from './payloads.js';
import type { Errors, Values } from './submissions.js';
import { replaceBlock } from './view-update.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

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
    async run(ctx) {
      const incident = await ctx.incidentHere();
      if (!incident) return;
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
  const { policy, logger, metrics, changes } = deps;

  for (const actionId of [Block.changeImpact, Block.likelihood]) {
    app.action(
      actionId,
      instrument(`action.${actionId}`, metrics, logger, async ({ ack, body, client }: ActionArgs) => {
        await ack();
        const view = body.view;
        if (!view) return;
        const values = (view.state?.values ?? {}) as Values;
        await replaceBlock(client, view as never, Block.riskPreview, riskPreview(policy, selectedValue(values, Block.changeImpact), selectedValue(values, Block.likelihood)));
      }),
    );
  }

  app.view(
    Callback.changeModal,
    instrument('view.change_new', metrics, logger, async ({ ack, body }: ViewArgs) => {
      const p = viewPayload.safeParse(body);
      if (!p.success) return ack({ response_action: 'errors', errors: { [Block.title]: 'This form arrived incomplete; please submit it again.' } });
      const values = p.data.view.state.values;
      const title = textValue(values, Block.title);
      const services = selectedServices(values, Block.services);
      const startsAt = dateTime(values, Block.windowStart);
      const endsAt = dateTime(values, Block.windowEnd);
      const impact = selectedValue(values, Block.changeImpact);
      const likelihood = selectedValue(values, Block.likelihood);
      const rollbackPlan = textValue(values, Block.rollback);
      const implementerId = selectedUser(values, Block.implementer) ?? p.data.user.id;
      const errors: Errors = {};
      if (!title) errors[Block.title] = 'Say what changes.';
      else if (title.length > CHANGE_TITLE_MAX) errors[Block.title] = `Keep it to ${CHANGE_TITLE_MAX} characters.`;
      if (!services.length) errors[Block.services] = 'Name at least one service.';
      if (!startsAt) errors[Block.windowStart] = 'When does the window start?';
      if (!endsAt) errors[Block.windowEnd] = 'When does it end?';
      else if (startsAt && endsAt < startsAt) errors[Block.windowEnd] = 'The window ends before it starts.';
      if (!isChangeImpact(impact)) errors[Block.changeImpact] = 'Choose the impact.';
      if (!isChangeLikelihood(likelihood)) errors[Block.likelihood] = 'Choose the likelihood.';
      if (!rollbackPlan) errors[Block.rollback] = 'Describe how to roll back.';
      if (Object.keys(errors).length || !isChangeImpact(impact) || !isChangeLikelihood(likelihood)) return ack({ response_action: 'errors', errors });
      try {
        await changes.create({ title, description: textValue(values, Block.description), services, startsAt: startsAt!, endsAt: endsAt!, impact, likelihood, rollbackPlan, implementerId, requestedBy: p.data.user.id });
      } catch (err) {
        const message = err instanceof DomainError ? err.message : describeFailure(err, logger, { handler: 'view.change_new' });
        const block = err instanceof DomainError && /service/i.test(message) ? Block.services : err instanceof DomainError && /window/i.test(message) ? Block.windowEnd : Block.title;
        return ack({ response_action: 'errors', errors: { [block]: message.slice(0, 300) } });
      }
      await ack();
    }),
  );

  const refuse = (respond: ActionArgs['respond'], text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });

  app.action(
    Action.changeApprove,
    instrument('action.change_approve', metrics, logger, async ({ ack, body, respond }: ActionArgs) => {
      await ack();
      const p = blockActionPayload.parse(body);
      try {
        await changes.decide({ changeId: p.actions[0].value ?? '', actorId: p.user.id, approve: true });
      } catch (err) {
        await refuse(respond, describeFailure(err, logger));
      }
    }),
  );

  app.action(
    Action.changeReject,
    instrument('action.change_reject', metrics, logger, async ({ ack, body, client, respond }: ActionArgs) => {
      await ack();
      const p = blockActionPayload.parse(body);
      // Refuse at once rather than after the reason is typed.
      if (!changes.isApprover(p.user.id)) return void (await refuse(respond, `Only CAB approvers can decide on changes (${policy.changes.approvers.map((a) => `<@${a}>`).join(', ')}).`));
      const change = await changes.find(p.actions[0].value ?? '');
      if (!change) return void (await refuse(respond, 'That change no longer exists.'));
      if (change.status !== 'pending_approval') return void (await refuse(respond, `${changeRef(change)} is already ${change.status}.`));
      await client.views.open({ trigger_id: p.trigger_id, view: rejectModal(change) });
    }),
  );

  app.view(
    Callback.changeRejectModal,
    instrument('view.change_reject', metrics, logger, async ({ ack, body }: ViewArgs) => {
      const p = viewPayload.safeParse(body);
      const meta = p.success ? metadata(changeIdMeta, p.data.view.private_metadata) : undefined;
      if (!p.success || !meta) return ack({ response_action: 'errors', errors: { [Block.reason]: 'This form arrived incomplete; close it and try again.' } });
      const reason = textValue(p.data.view.state.values, Block.reason);
      if (!reason) return ack({ response_action: 'errors', errors: { [Block.reason]: 'Say why the change is rejected.' } });
      try {
        await changes.decide({ changeId: meta.changeId, actorId: p.data.user.id, approve: false, note: reason });
      } catch (err) {
        return ack({ response_action: 'errors', errors: { [Block.reason]: describeFailure(err, logger, { handler: 'view.change_reject' }).slice(0, 300) } });
      }
      await ack();
    }),
  );

  app.action(
    new RegExp(`^${Action.markCause}:\\d+$`),
    instrument('action.mark_cause', metrics, logger, async ({ ack, body, respond }: ActionArgs) => {
      await ack();
      const p = blockActionPayload.parse(body);
      const m = /^(\d+):(\d+)$/.exec(p.actions[0].value ?? '');
      if (!m) return;
      try {
        const { change } = await changes.linkCause({ incidentId: m[1], changeRef: m[2], actorId: p.user.id });
        await respond({ response_type: 'ephemeral', replace_original: false, text: `:link: ${changeRef(change)} is recorded as the cause.` });
      } catch (err) {
        await refuse(respond, describeFailure(err, logger));
      }
    }),
  );
}
