import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { actionRef, parseActionRef } from '../../actions/action.js';
import type { ActionFilter } from '../../actions/repository.js';
import { DomainError } from '../../incidents/errors.js';
import type { SlackDeps } from '../deps.js';
import { FollowUpAction as Act, FollowUpBlock, FollowUpCallback } from '../ids.js';
import { instrument } from '../listen.js';
import { actionAssignedMessage, actionList, actionModal, decodeButton, reassignModal, type ActionListScope } from '../views/actions.js';
import { incidentRef } from '../../incidents/incident.js';
import { user } from '../views/format.js';
import { parseActionLine } from './action-line.js';
import { button, type Press } from './buttons.js';
import { requireIncident, type CommandContext, type Subcommand } from './commands.js';
import { actionModalMetadata, reassignMetadata, selectedDate } from './follow-up-payloads.js';
import { registerForm } from './forms.js';
import { selectedUser, selectedValue, textValue } from './payloads.js';
import { refreshReviewModal } from './reviews.js';
import { publishHome } from './reports.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Renders one scope of actions for a person (the list `/incident actions` shows and its buttons refresh). */
async function renderList(deps: SlackDeps, o: { userId: string; teamId: string; list: ActionListScope; incidentRef?: string }) {
  const today = await deps.reminders.todayFor(o.userId);
  const filter: ActionFilter = { teamId: o.teamId, limit: 60 };
  let heading: string;
  let empty: string;
  if (o.list.scope === 'mine') {
    Object.assign(filter, { ownerIds: [o.userId], status: 'open' });
    heading = 'Your open follow-up actions';
    empty = 'You have no open follow-up actions. :tada:';
  } else if (o.list.scope === 'overdue') {
    Object.assign(filter, { overdueBefore: today, incidentId: o.list.incidentId });
    heading = o.incidentRef ? `${o.incidentRef} overdue actions` : 'Overdue follow-up actions';
    empty = 'Nothing is overdue. :tada:';
  } else {
    Object.assign(filter, o.list.incidentId ? { incidentId: o.list.incidentId } : { status: 'open' });
    heading = o.incidentRef ? `${o.incidentRef} follow-up actions` : 'All open follow-up actions';
    empty = o.incidentRef ? `${o.incidentRef} has no follow-up actions yet. \`/incident action add\` adds one.` : 'There are no open follow-up actions.';
  }
  const { actions, total } = await deps.actions.list(filter);
  return actionList(deps.policy, actions, { heading, total, today, viewer: o.userId, list: o.list, inChannel: Boolean(o.list.incidentId), empty });
}

/** The `/incident action …` subcommand: the form, the one-liner, and done/reopen by reference. */
async function actionCommand(ctx: CommandContext): Promise<unknown> {
  const { deps } = ctx;
  const [word, ...rest] = ctx.arg.split(/\s+/);
  const verb = (word ?? '').toLowerCase();
  if (verb === 'done' || verb === 'reopen') {
    const id = parseActionRef(rest.join(' '));
    if (!id) return ctx.reply(`Usage: \`/incident action ${verb} A-<number>\`.`);
    const known = await deps.actions.get(id);
    if (!known || known.incident.teamId !== ctx.teamId) return ctx.reply(`There is no action A-${id}. \`/incident actions\` lists yours.`);
    const { action, changed } = verb === 'done' ? await deps.actions.complete(id, ctx.userId) : await deps.actions.reopen(id, ctx.userId);
    return ctx.reply(changed ? `${actionRef(action)} is ${verb === 'done' ? 'done :white_check_mark:' : 'open again'}.` : `${actionRef(action)} already was ${verb === 'done' ? 'done' : 'open'}.`);
  }
  const incident = requireIncident(ctx);
  const ref = incidentRef(deps.policy.number_prefix, incident);
  if (!ctx.arg || verb === 'add') {
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: actionModal(deps.policy, { incidentRef: ref, title: rest.join(' ') || undefined, ownerId: ctx.userId, today: deps.actions.today(), metadata: { incidentId: incident.id } }),
    });
    return;
  }
  const parsed = parseActionLine(ctx.arg);
  if ('error' in parsed) return ctx.reply(parsed.error);
  const { action } = await deps.actions.add({ incidentId: incident.id, actorId: ctx.userId, title: parsed.title, ownerId: parsed.ownerId, dueDate: parsed.dueDate });
  return ctx.reply(`:clipboard: Added *${actionRef(action)}* for ${user(action.ownerId)}, due ${action.dueDate}${parsed.dueDate ? '' : ` (the default ${deps.policy.actions.default_due_days} days)`}. It is on the ${ref} timeline${action.ownerId === ctx.userId ? '' : ' and the owner was told'}.`);
}

/** `/incident action …` and `/incident actions …`. */
export const actionCommands: Subcommand[] = [
  {
    name: 'action',
    usage: 'action @owner <text> [due YYYY-MM-DD] | action add | action done A-<n>',
    help: 'add a follow-up action (one line or the form), or mark one done',
    incident: 'optional',
    run: actionCommand,
  },
  {
    name: 'actions',
    usage: 'actions [all|overdue]',
    help: 'your open follow-up actions; `all`/`overdue` for this incident (in its channel) or everyone',
    incident: 'optional',
    async run(ctx) {
      const scope = (ctx.arg.toLowerCase() || 'mine') as ActionListScope['scope'];
      if (!['mine', 'all', 'overdue'].includes(scope)) return ctx.reply('Usage: `/incident actions`, `/incident actions all` or `/incident actions overdue`.');
      const incident = scope === 'mine' ? undefined : ctx.incident;
      const view = await renderList(ctx.deps, { userId: ctx.userId, teamId: ctx.teamId, list: { scope, ...(incident ? { incidentId: incident.id } : {}) }, incidentRef: incident ? incidentRef(ctx.deps.policy.number_prefix, incident) : undefined });
      await ctx.reply(view.text, view.blocks);
    },
  },
];

/** The add-action form, and the Done / Snooze / Reassign / Open incident buttons wherever actions are listed. */
export function registerActions(app: App, deps: SlackDeps): void {
  const { logger, metrics } = deps;

  registerForm(app, deps, {
    callbackId: FollowUpCallback.actionModal,
    name: 'view.action',
    metadata: actionModalMetadata,
    fields: { title: FollowUpBlock.actionTitle, ownerId: FollowUpBlock.actionOwner, dueDate: FollowUpBlock.actionDue, priority: FollowUpBlock.actionPriority, trackerUrl: FollowUpBlock.actionTracker },
    fallback: FollowUpBlock.actionTitle,
    async submit({ meta, userId, viewId, values }) {
      await deps.actions.add({
        incidentId: meta.incidentId,
        actorId: userId,
        title: textValue(values, FollowUpBlock.actionTitle),
        ownerId: selectedUser(values, FollowUpBlock.actionOwner) ?? '',
        dueDate: selectedDate(values, FollowUpBlock.actionDue) ?? null,
        priority: selectedValue(values, FollowUpBlock.actionPriority),
        trackerUrl: textValue(values, FollowUpBlock.actionTracker) || null,
        sourceKey: `view:${viewId}`,
      });
    },
    // Pushed from the review form: show the new action in its list (Slack keeps what was typed there).
    async afterClose({ meta }, client) {
      if (meta.reviewViewId) await refreshReviewModal(deps, client, meta.reviewViewId, meta.incidentId);
    },
  });

  /** After a change from a list, redraws that list; from any other message, redraws the one action. */
  const redraw = async ({ payload: p, respond }: Press, actionId: string, list?: ActionListScope) => {
    const teamId = p.team?.id ?? '';
    if (list) {
      const incident = list.incidentId ? await deps.incidents.findById(list.incidentId) : undefined;
      const view = await renderList(deps, { userId: p.user.id, teamId, list, incidentRef: incident ? incidentRef(deps.policy.number_prefix, incident) : undefined });
      await respond({ replace_original: true, response_type: 'ephemeral', text: view.text, blocks: view.blocks as never });
      return;
    }
    // Digests and escalations are refreshed through the outbox by the change itself; a DM that gave
    // someone the action is redrawn here.
    const action = await deps.actions.get(actionId);
    if (action && p.container?.type === 'message' && !(await deps.reminders.isReminderMessage(p.container.channel_id ?? '', p.container.message_ts ?? ''))) {
      const msg = actionAssignedMessage(deps.policy, action, { by: action.createdBy, today: await deps.reminders.todayFor(p.user.id) });
      await respond({ replace_original: true, text: msg.text, blocks: msg.blocks as never });
    }
  };

  /** A button on a listed action; its value names the action and the list it is in. */
  const actionButton = (actionId: string, run: (press: Press, id: string, list?: ActionListScope) => Promise<void>) =>
    button(app, deps, { actionId, name: `action.${actionId}` }, async (press) => {
      const value = decodeButton(press.value);
      if (!value) return;
      await run(press, value.a, value.l);
      // Pressed on the Home tab: show it as it now is.
      if (press.payload.container?.type === 'view' && press.payload.view?.type === 'home') await publishHome(deps, press.client, press.actorId);
    });

  actionButton(Act.done, async (press, id, list) => {
    await deps.actions.complete(id, press.actorId);
    await redraw(press, id, list);
  });

  actionButton(Act.snooze, async (press, id, list) => {
    await deps.actions.snooze(id, press.actorId);
    await redraw(press, id, list);
  });

  actionButton(Act.reassign, async ({ payload: p, triggerId, client }, id, list) => {
    const action = await deps.actions.get(id);
    if (!action) throw new DomainError('not_found', `There is no action A-${id}.`);
    await client.views.open({ trigger_id: triggerId, view: reassignModal({ action, metadata: { actionId: id, ...(list ? { list } : {}), ...(list && p.response_url ? { responseUrl: p.response_url } : {}) } }) });
  });

  // A link button: Slack opens the channel; the click still arrives and is acknowledged.
  app.action(Act.openIncident, instrument('action.open_incident', metrics, logger, async ({ ack }: ActionArgs) => ack()));

  registerForm(app, deps, {
    callbackId: FollowUpCallback.reassignModal,
    name: 'view.reassign',
    metadata: reassignMetadata,
    fields: { ownerId: FollowUpBlock.newOwner },
    fallback: FollowUpBlock.newOwner,
    async submit({ meta, userId, values }) {
      await deps.actions.reassign(meta.actionId, userId, selectedUser(values, FollowUpBlock.newOwner) ?? '');
    },
    // Reassigned from a list: redraw that list where it was.
    async afterClose({ meta, userId, teamId }) {
      if (!meta.list || !meta.responseUrl) return;
      const view = await renderList(deps, { userId, teamId, list: meta.list });
      await fetch(meta.responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ replace_original: true, response_type: 'ephemeral', text: view.text, blocks: view.blocks }) }).catch((err) =>
        logger.warn({ err }, 'could not refresh the action list after a reassignment'),
      );
    },
  });
}
