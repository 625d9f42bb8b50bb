import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { DomainError } from '../../incidents/errors.js';
import { userIdFrom } from '../../oncall/parse.js';
import type { SlackDeps } from '../deps.js';
import { describeFailure } from '../errors.js';
import { PagingAction } from '../ids.js';
import { instrument } from '../listen.js';
import { user } from '../views/format.js';
import { pageSummary } from '../views/paging.js';
import type { Subcommand } from './commands.js';
import { blockActionPayload } from './payloads.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Acknowledge / Decline on a page's DM. The DM itself is brought up to date by the outbox. */
export function registerPagingListeners(app: App, deps: SlackDeps): void {
  const { paging, logger, metrics } = deps;
  const answer = (action: string, response: 'acknowledged' | 'declined') =>
    app.action(
      action,
      instrument(`action.${action}`, metrics, logger, async ({ ack, body, respond }: ActionArgs) => {
        await ack();
        const p = blockActionPayload.parse(body);
        try {
          const { page, changed } = await paging.respond(p.actions[0].value ?? '', p.user.id, response);
          if (!changed) {
            const text = page.status === 'acknowledged' ? `Already acknowledged by ${user(page.acknowledgedBy)}.` : page.status === 'cancelled' ? 'This page was closed: the incident is resolved.' : 'This page is no longer open.';
            await respond({ response_type: 'ephemeral', replace_original: false, text });
          }
        } catch (err) {
          await respond({ response_type: 'ephemeral', replace_original: false, text: describeFailure(err, logger) });
        }
      }),
    );
  answer(PagingAction.acknowledge, 'acknowledged');
  answer(PagingAction.decline, 'declined');
}

/** `/incident page <rotation|@user> [message]`. */
export const pagingCommands: Subcommand[] = [
  {
    name: 'page',
    usage: 'page <rotation|@user> [message]',
    help: 'page the on-call of a rotation (escalating if unacknowledged) or a person',
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
      const incident = await ctx.deps.incidents.findByChannel(ctx.channelId);
      try {
        const { page, targets } = await ctx.deps.paging.page({
          rotation: userId ? undefined : first,
          userId,
          incidentId: incident?.id,
          requestedBy: ctx.userId,
          reason: rest.join(' '),
        });
        await ctx.reply(pageSummary(targets, page));
      } catch (err) {
        if (err instanceof DomainError) return ctx.reply(err.message);
        throw err;
      }
    },
  },
];
