import { takeTime, userIdFrom } from '../../oncall/parse.js';
import { describeRotation } from '../../oncall/rotation.js';
import type { OnCall } from '../../oncall/service.js';
import { esc, slackDate, user } from '../views/format.js';
import type { CommandContext, Subcommand } from './commands.js';

const USAGE = [
  '`/incident oncall` — who is on call now and next, for every rotation',
  '`/incident oncall <rotation>` — one rotation, with its upcoming overrides',
  '`/incident oncall override [rotation] @user <from> <to>` — put someone on call, e.g. `override primary @ana 2026-12-24 18:00 2026-12-27 09:00` or `override @ana now 4h` (times in your Slack timezone)',
  '`/incident oncall cancel <override number>` — remove an override',
].join('\n');

function stretch(o: OnCall): string {
  return `${user(o.userId)} until ${slackDate(o.until)}${o.override ? ` _(override #${o.override.id})_` : ''}`;
}

/** The person's own timezone from Slack, so the times they type mean what they mean. */
async function userZone(ctx: CommandContext, fallback: string): Promise<string> {
  try {
    const res = await ctx.client.users.info({ user: ctx.userId });
    return (res.user as { tz?: string } | undefined)?.tz || fallback;
  } catch {
    return fallback;
  }
}

async function show(ctx: CommandContext, name?: string): Promise<unknown> {
  const { oncall } = ctx.deps;
  const rotations = oncall.rotations();
  if (!rotations.length) return ctx.reply('No on-call rotations are configured (policy `oncall.rotations`).');
  if (!name) {
    const lines: string[] = [];
    for (const r of rotations) {
      const s = (await oncall.summary(r.name))!;
      lines.push(`• *${esc(r.name)}*: ${stretch(s.now)}, then ${user(s.next.userId)}`);
    }
    return ctx.reply(['*On call now*', ...lines].join('\n'));
  }
  const s = await oncall.summary(name);
  if (!s) return ctx.reply(`There is no rotation named \`${name.slice(0, 40)}\`. Rotations: ${rotations.map((r) => `\`${r.name}\``).join(', ')}.`);
  const lines = [
    `*${esc(s.rotation.name)}* — hands off ${describeRotation(s.rotation)}; order: ${s.rotation.members.map((m) => user(m)).join(' → ')}`,
    `*Now:* ${stretch(s.now)}`,
    `*Next:* ${user(s.next.userId)} from ${slackDate(s.now.until)}`,
  ];
  if (s.overrides.length) {
    lines.push('*Overrides*', ...s.overrides.map((o) => `• #${o.id} ${user(o.userId)} from ${slackDate(o.startsAt)} to ${slackDate(o.endsAt)} (by ${user(o.createdBy)})`));
  }
  return ctx.reply(lines.join('\n'));
}

async function override(ctx: CommandContext, tokens: string[]): Promise<unknown> {
  const { oncall } = ctx.deps;
  const rotations = oncall.rotations();
  let rotation = tokens[0] && oncall.rotation(tokens[0]) ? tokens.shift()! : undefined;
  if (!rotation) {
    if (rotations.length !== 1) return ctx.reply(`Name the rotation: \`/incident oncall override <rotation> @user <from> <to>\` (${rotations.map((r) => `\`${r.name}\``).join(', ') || 'none configured'}).`);
    rotation = rotations[0].name;
  }
  const userId = userIdFrom(tokens.shift());
  if (!userId) return ctx.reply(`Say who: \`/incident oncall override ${rotation} @user <from> <to>\`.`);
  const zone = await userZone(ctx, oncall.rotation(rotation)!.timezone);
  const now = ctx.deps.clock.now();
  const from = takeTime(tokens, zone, now);
  if ('error' in from) return ctx.reply(`From: ${from.error}.`);
  const to = takeTime(tokens, zone, now, from.at);
  if ('error' in to) return ctx.reply(`To: ${to.error}.`);
  if (tokens.length) return ctx.reply(`I did not understand \`${tokens.join(' ').slice(0, 60)}\`.\n${USAGE}`);
  const o = await oncall.addOverride({ rotation, userId, from: from.at, to: to.at, createdBy: ctx.userId });
  return ctx.reply(`:white_check_mark: Override #${o.id}: ${user(o.userId)} is on call for *${esc(rotation)}* from ${slackDate(o.startsAt)} to ${slackDate(o.endsAt)}.`);
}

/** `/incident oncall …`: who is on call, overrides. */
export const oncallCommands: Subcommand[] = [
  {
    name: 'oncall',
    aliases: ['on-call', 'who'],
    usage: 'oncall [rotation] | oncall override …',
    help: 'who is on call now and next; `oncall help` for overrides',
    async run(ctx) {
      const tokens = ctx.arg.split(/\s+/).filter(Boolean);
      const sub = tokens[0]?.toLowerCase();
      if (sub === 'help') return ctx.reply(USAGE);
      if (sub === 'override') return override(ctx, tokens.slice(1));
      if (sub === 'cancel') {
        const o = await ctx.deps.oncall.cancelOverride(tokens[1] ?? '');
        return ctx.reply(`Override #${o.id} (${user(o.userId)} on *${esc(o.rotation)}*) is cancelled.`);
      }
      if (tokens.length > 1) return ctx.reply(USAGE);
      return show(ctx, tokens[0]);
    },
  },
];
