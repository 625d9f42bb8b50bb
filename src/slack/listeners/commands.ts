import type { AllMiddlewareArgs, App, RespondFn, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Incident } from '../../incidents/incident.js';
import { describeFailure } from '../errors.js';
import type { SlackDeps } from '../deps.js';
import { instrument } from '../listen.js';
import { incidentRef } from '../views/format.js';
import { helpText } from '../views/help.js';
import { incidentList, LIST_PAGE_SIZE } from '../views/list.js';
import { declareModal, resolveModal, updateModal } from '../views/modals.js';
import { timelineBlocks, timelineMarkdown } from '../views/timeline.js';
import { commandPayload } from './payloads.js';

interface Ctx {
  deps: SlackDeps;
  client: WebClient;
  respond: RespondFn;
  userId: string;
  channelId: string;
  teamId: string;
  triggerId: string;
  arg: string;
}

const ephemeral = (respond: RespondFn, text: string, blocks?: unknown[]) =>
  respond({ response_type: 'ephemeral', text, ...(blocks ? { blocks: blocks as never } : {}) });

/** Resolves the incident of the channel the command was used in, or tells the person. */
async function incidentHere(ctx: Ctx): Promise<Incident | undefined> {
  const incident = await ctx.deps.incidents.findByChannel(ctx.channelId);
  if (!incident) {
    await ephemeral(ctx.respond, 'This command works inside an incident channel. `/incident list` shows the open incidents and their channels.');
  }
  return incident;
}

type Sub = (ctx: Ctx) => Promise<unknown>;

const subcommands: Record<string, Sub> = {
  async declare(ctx) {
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: declareModal(ctx.deps.policy, { title: ctx.arg, reporterId: ctx.userId, metadata: { channelId: ctx.channelId } }),
    });
  },
  async update(ctx) {
    const incident = await incidentHere(ctx);
    if (!incident) return;
    if (incident.resolvedAt) return ephemeral(ctx.respond, 'This incident is resolved. `/incident reopen <reason>` reopens it.');
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      view: updateModal(ctx.deps.policy, { incidentRef: incidentRef(ctx.deps.policy.number_prefix, incident), currentStatus: incident.status, metadata: { incidentId: incident.id } }),
    });
  },
  async resolve(ctx) {
    const incident = await incidentHere(ctx);
    if (!incident) return;
    if (incident.resolvedAt) return ephemeral(ctx.respond, 'This incident is already resolved.');
    await ctx.client.views.open({ trigger_id: ctx.triggerId, view: resolveModal({ incidentRef: incidentRef(ctx.deps.policy.number_prefix, incident), metadata: { incidentId: incident.id } }) });
  },
  async note(ctx) {
    const incident = await incidentHere(ctx);
    if (!incident) return;
    if (!ctx.arg) return ephemeral(ctx.respond, 'Add the note after the command: `/incident note <text>`.');
    await ctx.deps.incidents.addNote(incident.id, ctx.userId, ctx.arg);
    await ephemeral(ctx.respond, `:memo: Added to the ${incidentRef(ctx.deps.policy.number_prefix, incident)} timeline.`);
  },
  async timeline(ctx) {
    const incident = await incidentHere(ctx);
    if (!incident) return;
    const events = await ctx.deps.incidents.timeline(incident.id);
    const blocks = timelineBlocks(ctx.deps.policy, incident, events);
    const ref = incidentRef(ctx.deps.policy.number_prefix, incident);
    if (blocks) return ephemeral(ctx.respond, `${ref} timeline (${events.length} entries)`, blocks);
    await ctx.client.filesUploadV2({
      channel_id: incident.channelId!,
      filename: `${ref}-timeline.md`,
      title: `${ref} timeline`,
      content: timelineMarkdown(ctx.deps.policy, incident, events),
      initial_comment: `${ref} timeline (${events.length} entries), requested by <@${ctx.userId}>`,
    });
    await ephemeral(ctx.respond, `The ${ref} timeline has ${events.length} entries, too long for a message: I posted it to this channel as a file.`);
  },
  async reopen(ctx) {
    const incident = await incidentHere(ctx);
    if (!incident) return;
    if (!ctx.arg) return ephemeral(ctx.respond, 'Say why: `/incident reopen <reason>`.');
    await ctx.deps.incidents.reopen({ incidentId: incident.id, actorId: ctx.userId, reason: ctx.arg });
    await ephemeral(ctx.respond, `${incidentRef(ctx.deps.policy.number_prefix, incident)} is open again.`);
  },
  async close(ctx) {
    const incident = await incidentHere(ctx);
    if (!incident) return;
    await ctx.deps.incidents.close({ incidentId: incident.id, actorId: ctx.userId });
    await ephemeral(ctx.respond, `${incidentRef(ctx.deps.policy.number_prefix, incident)} is closed.`);
  },
  async list(ctx) {
    const all = /^all$/i.test(ctx.arg);
    if (ctx.arg && !all) return ephemeral(ctx.respond, 'Usage: `/incident list` or `/incident list all`.');
    const { incidents, total } = await ctx.deps.incidents.list(ctx.teamId, { includeClosed: all, limit: LIST_PAGE_SIZE });
    const view = incidentList(ctx.deps.policy, incidents, { all, total });
    await ephemeral(ctx.respond, view.text, view.blocks);
  },
};

const aliases: Record<string, string> = { new: 'declare', start: 'declare', ls: 'list', notes: 'note', status: 'update' };

/** Splits `/incident <subcommand> <rest>`. */
export function parseCommandText(text: string): { sub: string; arg: string } {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  if (!match) return { sub: '', arg: '' };
  const sub = match[1].toLowerCase();
  return { sub: aliases[sub] ?? sub, arg: match[2].trim() };
}

/** `/incident <subcommand>`: acks at once, then does the work and answers ephemerally. */
export function registerCommands(app: App, deps: SlackDeps): void {
  app.command(
    '/incident',
    instrument('command', deps.metrics, deps.logger, async ({ ack, command, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
      const parsed = commandPayload.safeParse(command);
      if (!parsed.success) {
        await ack({ response_type: 'ephemeral', text: helpText('That request was incomplete, so nothing was done.') });
        return;
      }
      const { sub, arg } = parseCommandText(parsed.data.text);
      const handler = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
      if (!handler) {
        const intro = sub && sub !== 'help' ? `I don't know \`${sub.slice(0, 40)}\`.` : undefined;
        await ack({ response_type: 'ephemeral', text: helpText(intro) });
        return;
      }
      await ack();
      const ctx: Ctx = { deps, client, respond, arg, userId: parsed.data.user_id, channelId: parsed.data.channel_id, teamId: parsed.data.team_id, triggerId: parsed.data.trigger_id };
      try {
        await handler(ctx);
      } catch (err) {
        await ephemeral(respond, describeFailure(err, deps.logger, { subcommand: sub })).catch(() => {});
      }
    }),
  );
}
