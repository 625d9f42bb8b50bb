import type { AllMiddlewareArgs, App, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Incident } from '../../incidents/incident.js';
import { describeFailure } from '../errors.js';
import type { SlackDeps } from '../deps.js';
import { instrument } from '../listen.js';
import { helpText } from '../views/help.js';
import { commandPayload, slackUnescape } from './payloads.js';

/** What a subcommand handler gets: who asked, where, the text after the subcommand, and helpers. */
export interface CommandContext {
  deps: SlackDeps;
  client: WebClient;
  respond: RespondFn;
  userId: string;
  channelId: string;
  teamId: string;
  triggerId: string;
  arg: string;
  /** Replies only to the person who ran the command. */
  reply(text: string, blocks?: unknown[]): Promise<unknown>;
  /** The incident of this channel; tells the person and returns undefined outside one. */
  incidentHere(): Promise<Incident | undefined>;
}

/** One `/incident <name>` subcommand, registered by a feature module. */
export interface Subcommand {
  name: string;
  aliases?: string[];
  /** Shown in help, e.g. `note <text>`. */
  usage: string;
  help: string;
  run(ctx: CommandContext): Promise<unknown>;
}

/** Splits `/incident <subcommand> <rest>`. */
export function parseCommandText(text: string): { sub: string; arg: string } {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text.trim());
  if (!match) return { sub: '', arg: '' };
  return { sub: match[1].toLowerCase(), arg: slackUnescape(match[2].trim()) };
}

/** `/incident <subcommand>` (or another slash command's): acks at once, then does the work and answers ephemerally. */
export function registerCommands(app: App, deps: SlackDeps, subcommands: Subcommand[], command = '/incident'): void {
  const byName = new Map<string, Subcommand>();
  for (const s of subcommands) for (const n of [s.name, ...(s.aliases ?? [])]) byName.set(n, s);
  const help = (intro?: string) => helpText(subcommands, intro, command);

  app.command(
    command,
    instrument(command === '/incident' ? 'command' : `command.${command.slice(1)}`, deps.metrics, deps.logger, async ({ ack, command, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
      const parsed = commandPayload.safeParse(command);
      if (!parsed.success) {
        await ack({ response_type: 'ephemeral', text: help('That request was incomplete, so nothing was done.') });
        return;
      }
      const { sub, arg } = parseCommandText(parsed.data.text);
      const handler = byName.get(sub);
      if (!handler) {
        const intro = sub && sub !== 'help' ? `I don't know \`${sub.slice(0, 40)}\`.` : undefined;
        await ack({ response_type: 'ephemeral', text: help(intro) });
        return;
      }
      await ack();
      const reply = (text: string, blocks?: unknown[]) => respond({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks: blocks as never } : {}) });
      const ctx: CommandContext = {
        deps,
        client,
        respond,
        reply,
        arg,
        userId: parsed.data.user_id,
        channelId: parsed.data.channel_id,
        teamId: parsed.data.team_id,
        triggerId: parsed.data.trigger_id,
        async incidentHere() {
          const incident = await deps.incidents.findByChannel(parsed.data.channel_id);
          if (!incident) await reply('This command works inside an incident channel. `/incident list` shows the open incidents and their channels.');
          return incident;
        },
      };
      try {
        await handler.run(ctx);
      } catch (err) {
        await reply(describeFailure(err, deps.logger, { subcommand: handler.name })).catch(() => {});
      }
    }),
  );
}
