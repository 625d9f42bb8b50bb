import { incidentRef } from '../../incidents/incident.js';
import { incidentList, LIST_PAGE_SIZE } from '../views/list.js';
import { declareModal, resolveModal, updateModal } from '../views/modals.js';
import { timelineBlocks, timelineMarkdown } from '../views/timeline.js';
import type { Subcommand } from './commands.js';

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
      if (/^verify$/i.test(ctx.arg)) {
        const report = await ctx.deps.audit.verify(incident.id);
        const head = await ctx.deps.audit.head(incident.id);
        const ref = incidentRef(ctx.deps.policy.number_prefix, incident);
        if (report.broken.length) {
          const b = report.broken[0];
          return ctx.reply(`:x: The ${ref} timeline has been tampered with: entry #${b.seq} — ${b.reason}.`);
        }
        return ctx.reply(`:white_check_mark: The ${ref} timeline is intact: ${report.rows} entries, chain head #${head?.seq} \`${head?.hash}\`.`);
      }
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
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: resolveModal({ incidentRef: incidentRef(ctx.deps.policy.number_prefix, incident), metadata: { incidentId: incident.id } }) });
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
    usage: 'list [all]',
    help: 'list open incidents (or all)',
    async run(ctx) {
      const all = /^all$/i.test(ctx.arg);
      if (ctx.arg && !all) return ctx.reply('Usage: `/incident list` or `/incident list all`.');
      const { incidents, total } = await ctx.deps.incidents.list(ctx.teamId, { includeClosed: all, limit: LIST_PAGE_SIZE });
      const view = incidentList(ctx.deps.policy, incidents, { all, total });
      await ctx.reply(view.text, view.blocks);
    },
  },
];
