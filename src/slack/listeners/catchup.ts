import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { SlackDeps } from '../deps.js';
import type { SlackIdentity } from '../identity.js';
import { catchupMessage } from '../views/catchup.js';
import type { Subcommand } from './commands.js';

/** `/incident catchup`: where the incident stands, only for the person who asked (not counted as their join catch-up). */
export const catchupCommands: Subcommand[] = [
  {
    name: 'catchup',
    aliases: ['catch-up', 'summary'],
    usage: 'catchup',
    help: 'catch up: what is happening, status, roles, the latest update, open actions and the last entries (only you see it)',
    incident: 'required',
    async run(ctx) {
      const { text, blocks } = catchupMessage(ctx.deps.policy, await ctx.deps.catchup.build(ctx.incident), ctx.deps.clock.now());
      await ctx.reply(text, blocks);
    },
  },
];

const joinEvent = z.object({ user: z.string().regex(/^[UW][A-Z0-9]+$/), channel: z.string().min(1) });

/** Slack's own bot user, which is not marked as a bot. */
const SLACKBOT = 'USLACKBOT';

/** Someone joined an incident's channel: their catch-up, once per incident (bots and this app are skipped). */
export function registerCatchup(identity: SlackIdentity): (app: App, deps: SlackDeps) => void {
  return (app, deps) => {
    app.event('member_joined_channel', async ({ event }: SlackEventMiddlewareArgs<'member_joined_channel'> & AllMiddlewareArgs) => {
      const e = joinEvent.safeParse(event);
      if (!e.success || e.data.user === SLACKBOT || e.data.user === (await identity.require()).userId) return;
      const incident = await deps.incidents.findByChannel(e.data.channel);
      if (!incident) return;
      await deps.catchup.joined(incident, e.data.user);
    });
  };
}
