import { incidentRef, type Incident } from '../../incidents/incident.js';
import { incidentList, LIST_PAGE_SIZE } from '../views/list.js';
import { declareModal, resolveModal, updateModal } from '../views/modals.js';
import { timelineBlocks, timelineMarkdown } from '../views/timeline.js';
import { HISTORY_READ_LIMIT, readPostedHeads, type PostedHeads } from '../effects/audit.js';
import type { ChainReport } from '../../audit/verify.js';
import { slackErrorName } from '../errors.js';
import { findType } from '../../incidents/fields.js';
import type { CommandContext, Subcommand } from './commands.js';

/** The incident lifecycle subcommands: declare, update, note, timeline, resolve, reopen, close, list. */
export const incidentCommands: Subcommand[] = [
  {
    name: 'declare',
    aliases: ['new', 'start'],
    usage: 'declare [title]',
    help: 'declare a new incident (opens a form)',
    async run(ctx) {
      await ctx.client.views.open({
        trigger_id: ctx.triggerId,
        view: declareModal(ctx.deps.policy, { title: ctx.arg, reporterId: ctx.userId, metadata: { channelId: ctx.channelId } }),
      });
    },
  },
  {
    name: 'update',
    aliases: ['status'],
    usage: 'update',
    help: 'post a status update (in an incident channel)',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      if (incident.resolvedAt) return ctx.reply('This incident is resolved. `/incident reopen <reason>` reopens it.');
      await ctx.client.views.open({
        trigger_id: ctx.triggerId,
        view: updateModal(ctx.deps.policy, { incidentRef: incidentRef(ctx.deps.policy.number_prefix, incident), currentStatus: incident.status, metadata: { incidentId: incident.id } }),
      });
    },
  },
  {
    name: 'note',
    usage: 'note <text>',
    help: 'add a note to the timeline',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      if (!ctx.arg) return ctx.reply('Add the note after the command: `/incident note <text>`.');
      await ctx.deps.incidents.addNote(incident.id, ctx.userId, ctx.arg);
      await ctx.reply(`:memo: Added to the ${incidentRef(ctx.deps.policy.number_prefix, incident)} timeline.`);
    },
  },
  {
    name: 'timeline',
    usage: 'timeline [verify]',
    help: 'show the timeline (`verify` checks its hash chain)',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      if (/^verify$/i.test(ctx.arg)) return ctx.reply(await verifyTimeline(ctx, incident));
      if (ctx.arg) return ctx.reply('Usage: `/incident timeline` or `/incident timeline verify`.');
      const events = await ctx.deps.incidents.timeline(incident.id);
      const ref = incidentRef(ctx.deps.policy.number_prefix, incident);
      const blocks = timelineBlocks(ctx.deps.policy, incident, events);
      if (blocks) return ctx.reply(`${ref} timeline (${events.length} entries)`, blocks);
      await ctx.client.filesUploadV2({
        channel_id: incident.channelId!,
        filename: `${ref}-timeline.md`,
        title: `${ref} timeline`,
        content: timelineMarkdown(ctx.deps.policy, incident, events, await ctx.deps.audit.head(incident.id)),
        initial_comment: `${ref} timeline (${events.length} entries), requested by <@${ctx.userId}>`,
      });
      await ctx.reply(`The ${ref} timeline has ${events.length} entries, too long for a message: I posted it to this channel as a file.`);
    },
  },
  {
    name: 'resolve',
    usage: 'resolve',
    help: 'resolve the incident with a summary',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      if (incident.resolvedAt) return ctx.reply('This incident is already resolved.');
      await ctx.deps.authorize('resolve', ctx.userId, incident);
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: resolveModal({ incidentRef: incidentRef(ctx.deps.policy.number_prefix, incident), metadata: { incidentId: incident.id }, policy: ctx.deps.policy, incident }) });
    },
  },
  {
    name: 'reopen',
    usage: 'reopen <reason>',
    help: 'reopen a resolved incident',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      if (!ctx.arg) return ctx.reply('Say why: `/incident reopen <reason>`.');
      await ctx.deps.authorize('reopen', ctx.userId, incident);
      await ctx.deps.incidents.reopen({ incidentId: incident.id, actorId: ctx.userId, reason: ctx.arg });
      await ctx.reply(`${incidentRef(ctx.deps.policy.number_prefix, incident)} is open again.`);
    },
  },
  {
    name: 'close',
    usage: 'close',
    help: 'close a resolved incident',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      await ctx.deps.authorize('close', ctx.userId, incident);
      await ctx.deps.incidents.close({ incidentId: incident.id, actorId: ctx.userId });
      await ctx.reply(`${incidentRef(ctx.deps.policy.number_prefix, incident)} is closed.`);
    },
  },
  {
    name: 'list',
    aliases: ['ls'],
    usage: 'list [all] [type <type>]',
    help: 'list open incidents (or all), optionally of one type',
    async run(ctx) {
      const m = /^(all)?\s*(?:type\s+(.+))?$/i.exec(ctx.arg);
      if (!m) return ctx.reply('Usage: `/incident list`, `/incident list all`, `/incident list [all] type <type>`.');
      const all = Boolean(m[1]);
      const type = m[2] ? findType(ctx.deps.policy, m[2]) : undefined;
      if (m[2] && !type) return ctx.reply(`No incident type called "${m[2].trim()}". Types: ${ctx.deps.policy.incident_types.map((t) => t.name).join(', ') || 'none configured'}.`);
      const { incidents, total } = await ctx.deps.incidents.list(ctx.teamId, { includeClosed: all, limit: LIST_PAGE_SIZE, type: type?.name });
      const view = incidentList(ctx.deps.policy, incidents, { all, total, type: type?.name });
      await ctx.reply(view.text, view.blocks);
    },
  },
];

/**
 * `/incident timeline verify`: the hash chain, and the rows against every chain head recorded in the
 * database and posted in the channel (read back from Slack, outside the database's reach).
 */
async function verifyTimeline(ctx: CommandContext, incident: Incident): Promise<string> {
  const ref = incidentRef(ctx.deps.policy.number_prefix, incident);
  let posted: PostedHeads;
  try {
    posted = await readPostedHeads(ctx.client, [incident]);
  } catch (err) {
    posted = { heads: [], unread: [{ incidentId: incident.id, error: slackErrorName(err) ?? (err as Error).message }], partial: [] };
  }
  const report = await ctx.deps.audit.verify(incident.id, posted.heads);
  const b = report.broken[0];
  if (b) {
    const where = b.source === 'slack' ? ' (chain head posted in this channel)' : b.source === 'database' ? ' (chain head recorded in the database)' : '';
    return `:x: The ${ref} timeline has been tampered with: entry #${b.seq} — ${b.reason}${where}.`;
  }
  const head = await ctx.deps.audit.head(incident.id);
  return `:white_check_mark: The ${ref} timeline is intact: ${report.rows} entries, chain head #${head?.seq} \`${head?.hash}\`. ${headsNote(report.heads, posted)}`;
}

/** What the verification compared the timeline with. */
function headsNote(heads: ChainReport['heads'], posted: PostedHeads): string {
  const plural = (n: number) => `${n} chain head${n === 1 ? '' : 's'}`;
  if (heads.slack) return `It matches the ${plural(heads.slack)} posted in this channel${posted.partial.length ? ` (of its newest ${HISTORY_READ_LIMIT.toLocaleString('en')} messages)` : ''}.`;
  if (posted.unread.length) return `The chain heads posted in this channel could not be read (${posted.unread[0].error}).`;
  if (heads.database) return `It matches the ${plural(heads.database)} recorded in the database, but none was found in this channel.`;
  return 'No chain head has been posted in this channel yet (one is posted when the incident is resolved and when it is closed): until then, removing the newest entries would not show.';
}
