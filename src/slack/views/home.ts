import type { KnownBlock, View } from '@slack/types';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { effectivePriority } from '../../triage/priority.js';
import { fitting, roomLeft } from './fit.js';
import { channel, esc, field, mrkdwn, plain, slackDate, statusEmoji, truncate } from './format.js';
import { seconds } from './stats.js';
import type { Summary } from '../../reports/service.js';

export const HOME_PAGE_SIZE = 15;
export const HOME_PAGE_ACTION = 'home_page';

export interface HomeSection {
  blocks: KnownBlock[];
}

/** The App Home tab: my incidents and roles (paginated), other sections, and the 30-day numbers. */
export function homeView(
  policy: Policy,
  o: { mine: (Incident & { myRoles: string[] })[]; total: number; offset: number; summary: Summary; sections?: HomeSection[] },
): View {
  const roleLabel = (id: string) => policy.roles.find((r) => r.id === id)?.label ?? id;
  const blocks: KnownBlock[] = [{ type: 'header', text: plain('My incidents') }];
  if (!o.mine.length) blocks.push({ type: 'section', text: mrkdwn('You are not in any open incident. :sunny:') });
  for (const i of o.mine) {
    const title = isPrivate(i) ? ':lock: security incident' : esc(truncate(i.title, 120));
    const roles = i.myRoles.length ? i.myRoles.map(roleLabel).join(', ') : i.reporterId ? 'reporter' : '';
    blocks.push({
      type: 'section',
      text: mrkdwn(`${statusEmoji(i.status)} *${incidentRef(policy.number_prefix, i)}* ${title}\n${effectivePriority(policy, i)} · ${i.status} · ${channel(i.channelId)} · since ${slackDate(i.declaredAt, '{date_short} {time}')}${roles ? ` · you: ${roles}` : ''}`),
    });
  }
  const pager = [];
  if (o.offset > 0) pager.push({ type: 'button' as const, action_id: `${HOME_PAGE_ACTION}:prev`, text: plain('Newer'), value: String(Math.max(0, o.offset - HOME_PAGE_SIZE)) });
  if (o.offset + o.mine.length < o.total) pager.push({ type: 'button' as const, action_id: `${HOME_PAGE_ACTION}:next`, text: plain('Older'), value: String(o.offset + HOME_PAGE_SIZE) });
  if (pager.length) {
    blocks.push({ type: 'context', elements: [mrkdwn(`${o.offset + 1}–${o.offset + o.mine.length} of ${o.total}`)] });
    blocks.push({ type: 'actions', block_id: 'home_pager', elements: pager });
  }
  const s = o.summary.stats;
  const numbers: KnownBlock[] = [
    { type: 'divider' },
    { type: 'header', text: plain('Last 30 days') },
    {
      type: 'section',
      fields: [
        field(`*Incidents*\n${s.total} (${s.open} open)`),
        field(`*MTTA*\n${seconds(s.mtta.mean)} mean · p90 ${seconds(s.mtta.p90)}`),
        field(`*MTTR*\n${seconds(s.mttr.mean)} mean · p90 ${seconds(s.mttr.p90)}`),
        field(`*By priority*\n${policy.priorities.map((p) => `${p.id} ${s.byPriority[p.id] ?? 0}`).join(' · ')}`),
      ],
    },
    { type: 'context', elements: [mrkdwn('`/incident stats` for more · `/incident dashboard` for charts')] },
  ];
  // Whole sections only (each keeps its own footer), as many as the tab holds.
  const sections = (o.sections ?? []).map((x): KnownBlock[] => [{ type: 'divider' }, ...x.blocks]);
  blocks.push(...sections.slice(0, fitting(sections, roomLeft('view', blocks, numbers))).flat(), ...numbers);
  return { type: 'home', blocks };
}
