import type { App } from '@slack/bolt';
import { userIdFrom } from '../../oncall/parse.js';
import type { SlackDeps } from '../deps.js';
import { PagingAction } from '../ids.js';
import { user } from '../views/format.js';
import { pageSummary } from '../views/paging.js';
import { button } from './buttons.js';
import type { Subcommand } from './commands.js';

/** Acknowledge / Decline on a page's DM. The DM itself is brought up to date by the outbox. */
export function registerPagingListeners(app: App, deps: SlackDeps): void {
  const answer = (actionId: string, response: 'acknowledged' | 'declined') =>
    button(app, deps, { actionId, name: `action.${actionId}` }, async ({ value, actorId, tell }) => {
      const { page, changed } = await deps.paging.respond(value, actorId, response);
      if (changed) return;
      await tell(page.status === 'acknowledged' ? `Already acknowledged by ${user(page.acknowledgedBy)}.` : page.status === 'cancelled' ? 'This page was closed: the incident is resolved.' : 'This page is no longer open.');
    });
  answer(PagingAction.acknowledge, 'acknowledged');
  answer(PagingAction.decline, 'declined');
}

/** `/incident page <rotation|@user> [message]`. */
export const pagingCommands: Subcommand[] = [
  {
    name: 'page',
    usage: 'page <rotation|@user> [message]',
    help: 'page the on-call of a rotation (escalating if unacknowledged) or a person',
    incident: 'optional',
    async run(ctx) {
      const [first, ...rest] = ctx.arg.split(/\s+/).filter(Boolean);
      const rotations = ctx.deps.oncall.rotations().map((r) => r.name);
      if (!first) {
        return ctx.reply(`Usage: \`/incident page <rotation|@user> [message]\`.${rotations.length ? ` Rotations: ${rotations.map((r) => `\`${r}\``).join(', ')}.` : ''}`);
      }
      const userId = userIdFrom(first);
      if (!userId && !ctx.deps.oncall.rotation(first)) {
        return ctx.reply(`\`${first.slice(0, 40)}\` is neither a rotation nor a person. ${rotations.length ? `Rotations: ${rotations.map((r) => `\`${r}\``).join(', ')}.` : 'No rotations are configured; page a person with `/incident page @user`.'}`);
      }
      const { page, targets } = await ctx.deps.paging.page({ rotation: userId ? undefined : first, userId, incidentId: ctx.incident?.id, requestedBy: ctx.userId, reason: rest.join(' ') });
      await ctx.reply(pageSummary(targets, page));
    },
  },
];
