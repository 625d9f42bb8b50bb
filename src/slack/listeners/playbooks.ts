import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { matchingPlaybooks } from '../../playbooks/matching.js';
import type { SlackDeps } from '../deps.js';
import { describeFailure } from '../errors.js';
import { Action } from '../ids.js';
import { instrument } from '../listen.js';
import { esc } from '../views/format.js';
import type { Subcommand } from './commands.js';
import { blockActionPayload } from './payloads.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** `/incident playbook [name]`. */
export const playbookCommands: Subcommand[] = [
  {
    name: 'playbook',
    aliases: ['playbooks'],
    usage: 'playbook [name]',
    help: 'post a playbook as an interactive checklist (without a name: the playbooks)',
    async run(ctx) {
      const incident = await ctx.incidentHere();
      if (!incident) return;
      const { policy } = ctx.deps;
      if (!ctx.arg) {
        if (!policy.playbooks.length) return ctx.reply('No playbooks are configured: add them under `playbooks:` in the policy file.');
        const matching = new Set(matchingPlaybooks(policy, incident).map((p) => p.name));
        const lines = policy.playbooks.map((p) => `• \`${p.name}\` — ${esc(p.title)} (${p.items.length} items)${matching.has(p.name) ? ' _· matches this incident_' : ''}`);
        return ctx.reply(`*Playbooks* — \`/incident playbook <name>\` posts one here:\n${lines.join('\n')}`);
      }
      const { playbook, run, created } = await ctx.deps.checklists.postPlaybook(incident.id, ctx.arg, ctx.userId);
      if (created) return ctx.reply(`:clipboard: Posting the *${esc(playbook.title)}* playbook in this channel.`);
      const link = run.channelId && run.partsTs[0] ? await ctx.client.chat.getPermalink({ channel: run.channelId, message_ts: run.partsTs[0] }).catch(() => undefined) : undefined;
      await ctx.reply(`The *${esc(playbook.title)}* playbook is already in this channel${link?.permalink ? `: <${link.permalink}|open it>` : ''}.`);
    },
  },
];

/** The Done / Undo buttons of checklist messages. */
export function registerChecklists(app: App, deps: SlackDeps): void {
  app.action(
    new RegExp(`^${Action.checklistToggle}:\\d+$`),
    instrument('action.checklist_toggle', deps.metrics, deps.logger, async ({ ack, body, respond }: ActionArgs) => {
      await ack();
      const p = blockActionPayload.parse(body);
      const m = /^(\d+):(\d+)$/.exec(p.actions[0].value ?? '');
      if (!m) return;
      try {
        await deps.checklists.toggle(m[1], Number(m[2]), p.user.id);
      } catch (err) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: describeFailure(err, deps.logger) });
      }
    }),
  );
}
