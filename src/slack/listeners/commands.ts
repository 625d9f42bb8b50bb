import type { AllMiddlewareArgs, App, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Incident } from '../../incidents/incident.js';
import { DomainError } from '../../incidents/errors.js';
import { showFailure } from '../errors.js';
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
  /** The incident of this channel, looked up before the subcommand runs when it asks for it (`incident`). */
  incident?: Incident;
  /** Replies only to the person who ran the command. */
  reply(text: string, blocks?: unknown[]): Promise<unknown>;
}

/** The context of a subcommand that works only in an incident channel. */
export type IncidentCommandContext = CommandContext & { incident: Incident };

/**
 * One `/incident <name>` subcommand, registered by a feature module. `incident: 'required'` runs it only
 * in an incident channel (elsewhere the person is told where it works); `'optional'` looks the incident
 * up when there is one; without it, none is looked up.
 */
export type Subcommand = {
  name: string;
  aliases?: string[];
  /** Shown in help, e.g. `note <text>`. */
  usage: string;
  help: string;
} & ({ incident: 'required'; run(ctx: IncidentCommandContext): Promise<unknown> } | { incident?: 'optional'; run(ctx: CommandContext): Promise<unknown> });

const NOT_IN_INCIDENT = 'This command works inside an incident channel. `/incident list` shows the open incidents and their channels.';

/** The incident of this channel, for a subcommand that needs it for some of its verbs only. */
export function requireIncident(ctx: CommandContext): Incident {
  if (!ctx.incident) throw new DomainError('not_found', NOT_IN_INCIDENT);
  return ctx.incident;
}

/** Splits `/incident <subcommand> <rest>`. */
export function parseCommandText(text: string): { sub: string; arg: string } {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text.trim());
  if (!match) return { sub: '', arg: '' };
  return { sub: match[1].toLowerCase(), arg: slackUnescape(match[2].trim()) };
}

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** What the first middleware leaves in Bolt's context for the next ones. */
interface ParsedCommand {
  subcommand: Subcommand;
  ctx: CommandContext;
}
const PARSED = 'incidentOfficerCommand';
const parsedCommand = (args: AllMiddlewareArgs) => args.context[PARSED] as ParsedCommand;

/**
 * `/incident <subcommand>` (or another slash command's), as a chain of Bolt listener middleware: parse
 * and ack at once (answering help or a failure ephemerally), look up the incident of the channel once,
 * then run the subcommand.
 */
export function registerCommands(app: App, deps: SlackDeps, subcommands: Subcommand[], command = '/incident'): void {
  const byName = new Map<string, Subcommand>();
  for (const s of subcommands) for (const n of [s.name, ...(s.aliases ?? [])]) byName.set(n, s);
  const plainHelp = helpText(subcommands, undefined, command);
  const help = (intro?: string) => (intro ? helpText(subcommands, intro, command) : plainHelp);

  const parse = instrument(command === '/incident' ? 'command' : `command.${command.slice(1)}`, deps.metrics, deps.logger, async (args: CommandArgs) => {
    const { ack, respond, client } = args;
    const parsed = commandPayload.safeParse(args.command);
    if (!parsed.success) return ack({ response_type: 'ephemeral', text: help('That request was incomplete, so nothing was done.') });
    const { sub, arg } = parseCommandText(parsed.data.text);
    const subcommand = byName.get(sub);
    if (!subcommand) return ack({ response_type: 'ephemeral', text: help(sub && sub !== 'help' ? `I don't know \`${sub.slice(0, 40)}\`.` : undefined) });
    await ack();
    const reply = (text: string, blocks?: unknown[]) => respond({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks: blocks as never } : {}) });
    const { user_id: userId, channel_id: channelId, team_id: teamId, trigger_id: triggerId } = parsed.data;
    args.context[PARSED] = { subcommand, ctx: { deps, client, respond, reply, arg, userId, channelId, teamId, triggerId } } satisfies ParsedCommand;
    try {
      await args.next();
    } catch (err) {
      await showFailure(err, { kind: 'ephemeral', reply }, deps.logger, { subcommand: subcommand.name }).catch(() => {});
    }
  });

  const channelIncident = async (args: CommandArgs) => {
    const { subcommand, ctx } = parsedCommand(args);
    if (subcommand.incident) {
      ctx.incident = await deps.incidents.findByChannel(ctx.channelId);
      if (!ctx.incident && subcommand.incident === 'required') return void (await ctx.reply(NOT_IN_INCIDENT));
    }
    await args.next();
  };

  const run = async (args: CommandArgs) => {
    const { subcommand, ctx } = parsedCommand(args);
    await subcommand.run(ctx as IncidentCommandContext);
  };

  app.command(command, parse, channelIncident, run);
}
