import type { KnownBlock } from '@slack/types';
import { actionRef } from '../../actions/action.js';
import type { Catchup } from '../../catchup/service.js';
import { incidentRef } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { effectivePriority } from '../../reviews/requirement.js';
import { duration, escCut, mrkdwn, slackDate, statusEmoji, truncate, user } from './format.js';
import { describeEvent } from './timeline.js';

/** The catch-up as a few lines: what, where it stands, who, the latest update, open actions, the last entries. */
export function catchupMessage(policy: Policy, c: Catchup, now: Date): { text: string; blocks: KnownBlock[] } {
  const i = c.incident;
  const ref = incidentRef(policy.number_prefix, i);
  const status = i.closedAt ? 'closed' : i.status;
  const priority = effectivePriority(policy, i);
  const end = c.resolvedAt ?? now;
  const going = `${c.resolvedAt ? 'lasted' : 'going for'} ${duration(end.getTime() - c.since.getTime())} (${c.sinceImpact ? 'impact started' : 'declared'} ${slackDate(c.since, '{date_short} {time}')})`;
  const roleLabel = (id: string) => policy.roles.find((r) => r.id === id)?.label ?? id;
  const roles = c.roles.length ? c.roles.map((r) => `${roleLabel(r.role)} ${user(r.userId)}`).join(' · ') : '_nobody holds a role yet_';
  const update = c.latestUpdate?.kind === 'update' ? c.latestUpdate : undefined;
  const latest = update
    ? `*Latest update* ${slackDate(update.at, '{time}')} by ${user(update.actorId)} (${update.payload.status}): ${escCut(update.payload.message, 400)}`
    : '*Latest update* none yet';
  const next = i.nextUpdateAt ? ` · next due ${slackDate(i.nextUpdateAt, '{time}')}${i.nextUpdateAt < now ? ' :warning: overdue' : ''}` : '';
  const actions = c.openActionCount
    ? `*Open actions* (${c.openActionCount}) ${c.openActions.map((a) => `${actionRef(a)} ${escCut(a.title, 80)} (${user(a.ownerId)}, due ${a.dueDate})`).join(' · ')}${c.openActionCount > c.openActions.length ? ' · …' : ''}`
    : '*Open actions* none';
  const recent = c.recent.map((e) => `• ${slackDate(e.at, '{time}')} ${truncate(describeEvent(e), 300)}`);
  const head = `${statusEmoji(status)} *${ref}: ${escCut(i.title, 150)}* — ${status}${priority ? ` · ${priority}` : ''} (${i.severity}) · ${going}`;
  const lines = [head, ...(i.description ? [escCut(i.description, 300)] : []), `*Roles* ${roles}`, latest + next, actions];
  const blocks: KnownBlock[] = [
    { type: 'section', text: mrkdwn(lines.join('\n')) },
    ...(recent.length ? [{ type: 'section' as const, text: mrkdwn(`*Recently*\n${recent.join('\n')}`) }] : []),
    { type: 'context', elements: [mrkdwn('Only you can see this catch-up. `/incident catchup` shows it again; `/incident timeline` has everything.')] },
  ];
  return { text: `Catch-up on ${ref}: ${i.title} — ${status}`, blocks };
}
