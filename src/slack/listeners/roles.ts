import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { Action } from '../ids.js';
import { incidentRef } from '../../incidents/incident.js';
import { user } from '../views/format.js';
import { button } from './buttons.js';
import type { Subcommand } from './commands.js';

/** A user as Slack escapes it in a command (`<@U123|name>` with should_escape), or a bare id. */
function mentionedUser(text: string): string | undefined {
  return /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/.exec(text)?.[1] ?? /^([UW][A-Z0-9]{4,})$/.exec(text.trim())?.[1];
}

/** `/incident role <role> @user` and `/incident roles`. */
export const roleCommands: Subcommand[] = [
  {
    name: 'role',
    aliases: ['assign'],
    usage: 'role <role> @user',
    help: 'give someone a role (they are invited and sent its checklist)',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      const userId = mentionedUser(ctx.arg);
      const roleName = ctx.arg.replace(/<@[^>]+>/g, '').trim();
      const role = ctx.deps.roles.findRole(roleName);
      const roleList = ctx.deps.policy.roles.map((r) => `\`${r.id}\``).join(', ');
      if (!role || !userId) return ctx.reply(`Usage: \`/incident role <role> @user\`. Roles: ${roleList}.`);
      await ctx.deps.roles.assign({ incidentId: incident.id, role: role.id, userId, actorId: ctx.userId });
      await ctx.reply(`${user(userId)} is now the ${role.label} for ${incidentRef(ctx.deps.policy.number_prefix, incident)}.`);
    },
  },
  {
    name: 'roles',
    usage: 'roles',
    help: 'who holds which role',
    incident: 'required',
    async run(ctx) {
      const { incident } = ctx;
      const held = new Map((await ctx.deps.roles.current(incident.id)).map((r) => [r.role, r.userId]));
      const lines = ctx.deps.policy.roles.map((r) => `• *${r.label}* (\`${r.id}\`): ${held.has(r.id) ? user(held.get(r.id)) : '_open_'} — ${r.description}`);
      await ctx.reply(`*Roles for ${incidentRef(ctx.deps.policy.number_prefix, incident)}*\n${lines.join('\n')}`);
    },
  },
];

/** The card's "Claim <role>" buttons. */
export function registerRoles(app: App, deps: SlackDeps): void {
  button(app, deps, { actionId: new RegExp(`^${Action.claimRole}:`), name: 'action.claim_role' }, ({ payload, value, actorId }) =>
    deps.roles.assign({ incidentId: value, role: payload.actions[0].action_id.slice(Action.claimRole.length + 1), userId: actorId, actorId, claim: true }),
  );
}
