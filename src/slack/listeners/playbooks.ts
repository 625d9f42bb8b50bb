import type { App } from '@slack/bolt';
import { matchingPlaybooks } from '../../playbooks/matching.js';
import type { SlackDeps } from '../deps.js';
import { Action } from '../ids.js';
import { esc } from '../views/format.js';
import { button } from './buttons.js';
import type { Subcommand } from './commands.js';

/** `/incident playbook [name]`. */
export const playbookCommands: Subcommand[] = [
  {
    name: 'playbook',
    aliases: ['playbooks'],
    usage: 'playbook [name]',
    help: 'post a playbook as an interactive checklist (without a name: the playbooks)',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
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
  button(app, deps, { actionId: new RegExp(`^${Action.checklistToggle}:\\d+$`), name: 'action.checklist_toggle' }, async ({ value, actorId }) => {
    const m = /^(\d+):(\d+)$/.exec(value);
    if (m) await deps.checklists.toggle(m[1], Number(m[2]), actorId);
  });
}
