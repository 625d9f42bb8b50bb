import type { KnownBlock } from '@slack/types';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import type { Page, PageTarget } from '../../paging/repository.js';
import type { Policy } from '../../policy/schema.js';
import { PagingAction } from '../ids.js';
import { esc, mrkdwn, plain, slackDate, truncate, user } from './format.js';

/** Who the level is, in words: `the primary on-call` or `you`. */
function via(t: PageTarget): string {
  return t.rotation ? ` as the *${esc(t.rotation)}* on-call` : '';
}

type PageView = { target: PageTarget; page: Page; incident?: Incident; others: PageTarget[] };

/** `<@U1>, <@U2> (level 3)`: whom the page is with now. */
function current(v: PageView): string {
  const people = v.others.filter((o) => o.level === v.page.level).map((o) => user(o.userId));
  return `${people.join(', ') || 'nobody'} (level ${v.page.level + 1})`;
}

/** Where the page stands, for someone paged who has not declined it. */
function pageStatus(v: PageView, wait: number): string {
  const { target: t, page } = v;
  if (page.status === 'acknowledged') {
    return page.acknowledgedBy === t.userId ? `:white_check_mark: You acknowledged ${slackDate(page.acknowledgedAt!)}.` : `:white_check_mark: Acknowledged by ${user(page.acknowledgedBy)} ${slackDate(page.acknowledgedAt!)}.`;
  }
  if (page.status === 'cancelled') return ':ballot_box_with_check: The incident was resolved; this page is closed.';
  if (page.status === 'unanswered') return ':warning: Nobody acknowledged this page.';
  if (page.level > t.level) return `:arrow_up: Not acknowledged in time; escalated to ${current(v)}.`;
  return `Acknowledge within ${wait} minute${wait === 1 ? '' : 's'}${page.escalateAt ? ` (by ${slackDate(page.escalateAt, '{time}')})` : ''}, or it escalates${page.level + 1 < page.levels.length ? ' to the next level' : ''}.`;
}

/** What became of a page after this person declined it: confirmed to them, with where it went next. */
function afterDecline(v: PageView): string {
  const { target: t, page } = v;
  const declined = `:x: You declined${t.respondedAt ? ` ${slackDate(t.respondedAt, '{time}')}` : ''}`;
  if (page.status === 'acknowledged') return `${declined}; ${user(page.acknowledgedBy)} acknowledged ${slackDate(page.acknowledgedAt!)}.`;
  if (page.status === 'cancelled') return `${declined}; the incident was resolved and this page is closed.`;
  const later = v.others.filter((o) => o.level > t.level);
  if (page.status === 'unanswered') {
    const told = page.requestedBy ? ` and ${user(page.requestedBy)} was told` : '';
    return later.length
      ? `${declined}; the page went on to ${[...new Set(later.map((o) => user(o.userId)))].join(', ')}, but nobody acknowledged it: it is unanswered${told}.`
      : `${declined}; nobody else was left to page, so the page is unanswered${told}.`;
  }
  if (page.level > t.level) return `${declined}; the page went on to ${current(v)}.`;
  const waiting = v.others.filter((o) => o.level === t.level && o.id !== t.id && o.response !== 'declined').map((o) => user(o.userId));
  return `${declined}. Waiting for ${waiting.join(', ') || 'the others at this level'}.`;
}

/** A paged person's DM: the ask with Acknowledge / Decline while it is theirs to answer, then its outcome. */
export function pageMessage(policy: Policy, v: PageView): { text: string; blocks: KnownBlock[] } {
  const { target: t, page, incident } = v;
  const ref = incident ? incidentRef(policy.number_prefix, incident) : undefined;
  const who = page.requestedBy ? ` by ${user(page.requestedBy)}` : '';
  const about = incident
    ? `*${ref}* (${incident.severity}${incident.priority ? `, ${incident.priority}` : ''}): ${esc(truncate(incident.title, 200))}${incident.channelId ? `\nJoin <#${incident.channelId}>` : '\nYou will be invited to its channel.'}`
    : esc(truncate(page.reason, 500));
  const level = page.levels[t.level];
  const wait = level?.after_minutes ?? policy.paging.ack_timeout_minutes;
  const head = `:rotating_light: *You are paged*${who}${via(t)} (level ${t.level + 1}).`;
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(`${head}\n${about}`) }];
  if (incident && page.reason && page.reason !== incident.title) blocks.push({ type: 'section', text: mrkdwn(`> ${esc(truncate(page.reason, 500))}`) });

  const status = t.response === 'declined' ? afterDecline(v) : pageStatus(v, wait);
  blocks.push({ type: 'context', elements: [mrkdwn(status)] });
  if (page.status === 'open' && t.level === page.level && t.response !== 'declined') {
    blocks.push({
      type: 'actions',
      block_id: `page_actions_${page.id}`,
      elements: [
        { type: 'button', action_id: PagingAction.acknowledge, text: plain('Acknowledge'), value: page.id, style: 'primary' },
        { type: 'button', action_id: PagingAction.decline, text: plain('Decline'), value: page.id, style: 'danger' },
      ],
    });
  }
  return { text: `You are paged${ref ? ` for ${ref}` : ''}: ${truncate(incident?.title ?? page.reason, 150)}`, blocks };
}

/** Whom a new page reached, for the person who asked. */
export function pageSummary(targets: PageTarget[], page: Page): string {
  const now = targets.filter((t) => t.level === page.level);
  if (!now.length) return ':warning: Nobody could be paged: the rotations named have nobody on call. The page is recorded as unanswered.';
  const names = now.map((t) => `${user(t.userId)}${t.rotation ? ` (${esc(t.rotation)} on-call)` : ''}`).join(', ');
  const wait = page.levels[page.level]?.after_minutes;
  const next = page.level + 1 < page.levels.length ? `; without an acknowledgement in ${wait} minutes it escalates to level ${page.level + 2}` : '';
  return `:rotating_light: Paged ${names}${next}.`;
}
