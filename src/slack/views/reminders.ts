import type { KnownBlock } from '@slack/types';
import { actionRef } from '../../actions/action.js';
import type { Policy } from '../../policy/schema.js';
import type { DigestContent, EscalationContent, WeeklySummaryContent } from '../../reminders/content.js';
import { REVIEW_STATE_LABEL } from '../../reviews/review.js';
import { FollowUpAction as Act } from '../ids.js';
import { actionLine, actionRow, day, settledLine } from './actions.js';
import { incidentRef } from '../../incidents/incident.js';
import { fitting, roomLeft, SECTION_CHUNK } from './fit.js';
import { escCut, field, fitLines, mrkdwn, plain, slackDate } from './format.js';

/** At most this many actions get their own buttons in one DM (two blocks each, under Slack's 50). */
export const DIGEST_MAX_ROWS = 18;

/** A reminder as a Slack message. */
export interface RenderedReminder {
  text: string;
  blocks: KnownBlock[];
  /** The actions (and reviews) the message lists, to refresh it in place when one changes. */
  payload: Record<string, unknown>;
}

function section(text: string): KnownBlock {
  return { type: 'section', text: mrkdwn(text) };
}

/** A row of a reminder: blocks that stay together, and the action they list (if any). */
interface Row {
  blocks: KnownBlock[];
  id?: string;
}

/**
 * Rows between a head and a tail, as many as the message holds; the footer (for the number of actions
 * left out) and the tail always stay.
 */
function fitRows(head: KnownBlock[], rows: Row[], tail: KnownBlock[], footer: (shownActions: number) => KnownBlock[]): { blocks: KnownBlock[]; listed: string[] } {
  const shown = fitting(rows.map((r) => r.blocks), roomLeft('message', head, tail, footer(0)));
  const kept = rows.slice(0, shown);
  const listed = kept.flatMap((r) => (r.id ? [r.id] : []));
  return { blocks: [...head, ...kept.flatMap((r) => r.blocks), ...footer(listed.length), ...tail], listed };
}

/** An owner's daily digest: overdue, due soon, later, and reviews they own. */
export function digestMessage(policy: Policy, c: DigestContent): RenderedReminder {
  const open = c.overdue.length + c.dueSoon.length + c.later.length;
  const counts = [c.overdue.length && `${c.overdue.length} overdue`, c.dueSoon.length && `${c.dueSoon.length} due soon`, c.later.length && `${c.later.length} later`, c.snoozedCount && `${c.snoozedCount} snoozed`].filter(Boolean);
  const head: KnownBlock[] = [
    { type: 'header', text: plain('Your follow-up actions', 150) },
    { type: 'context', elements: [mrkdwn(`${counts.join(' · ') || 'Nothing open'} · ${day(c.today)}`)] },
  ];
  const rows: Row[] = [];
  for (const [title, list] of [[':red_circle: *Overdue*', c.overdue], [':large_orange_circle: *Due soon*', c.dueSoon], [':white_circle: *Later*', c.later]] as const) {
    list.slice(0, Math.max(0, DIGEST_MAX_ROWS - rows.length)).forEach((a, i) => {
      const row = actionRow(policy, a, { today: c.today, reveal: true });
      rows.push({ blocks: i === 0 ? [section(title), ...row] : row, id: a.id });
    });
  }
  const settled = c.settled.map((a) => ({ blocks: [settledLine(policy, a, { today: c.today, expectedOwner: c.ownerId })], id: a.id }));
  const tail: KnownBlock[] = [];
  if (c.reviews.length) {
    const lines = c.reviews.map((r) => {
      const ref = incidentRef(policy.number_prefix, { number: r.incidentNumber });
      const overdue = r.dueAt.getTime() < Date.parse(`${c.today}T00:00:00Z`);
      return `• *${ref}* review (${REVIEW_STATE_LABEL[r.state]}) ${overdue ? '*overdue*, was ' : ''}due ${slackDate(r.dueAt, '{date_short_pretty}')}${r.channelId ? ` · <#${r.channelId}>` : ''}`;
    });
    const heading = ':memo: *Post-incident reviews you own*';
    tail.push(section(`${heading}\n${fitLines(lines, SECTION_CHUNK - heading.length).text}`));
    const buttons = c.reviews.slice(0, 5).map((r) => ({ type: 'button' as const, action_id: `${Act.openReview}_${r.incidentId}`, text: plain(`Write ${incidentRef(policy.number_prefix, { number: r.incidentNumber })} review`), value: r.incidentId }));
    tail.push({ type: 'actions', block_id: 'digest_reviews', elements: buttons });
  }
  // Open actions come first; actions dealt with since the digest was sent follow them.
  const openRows = rows.length;
  const footer = (shown: number): KnownBlock[] => (open > Math.min(shown, openRows) ? [{ type: 'context', elements: [mrkdwn(`…and ${open - Math.min(shown, openRows)} more: \`/incident actions\` lists them all.`)] }] : []);
  const { blocks, listed } = fitRows(head, [...rows, ...settled], tail, footer);
  const summary = [c.overdue.length && `${c.overdue.length} overdue`, c.dueSoon.length && `${c.dueSoon.length} due soon`, c.reviews.length && `${c.reviews.length} review${c.reviews.length > 1 ? 's' : ''} due`].filter(Boolean).join(', ');
  return {
    text: `Your follow-up actions: ${summary || `${open} open`}`,
    blocks,
    payload: { action_ids: listed, review_incident_ids: c.reviews.map((r) => r.incidentId) },
  };
}

/** The DM to a commander or review owner about actions overdue for days. */
export function escalationMessage(policy: Policy, c: EscalationContent): RenderedReminder {
  const head: KnownBlock[] = [
    { type: 'header', text: plain('Overdue follow-up actions', 150) },
    section(`:rotating_light: These follow-up actions from incidents you lead or review are *${c.afterDays}+ days overdue*. Nudge the owner, reassign, or mark them done.`),
  ];
  const rows: Row[] = c.actions.slice(0, DIGEST_MAX_ROWS).map((a) => ({ blocks: actionRow(policy, a, { today: c.today, showOwner: true, reveal: true }), id: a.id }));
  const settled = c.settled.map((a) => ({ blocks: [settledLine(policy, a, { today: c.today })], id: a.id }));
  const openRows = rows.length;
  const footer = (shown: number): KnownBlock[] =>
    c.actions.length > Math.min(shown, openRows) ? [{ type: 'context', elements: [mrkdwn(`…and ${c.actions.length - Math.min(shown, openRows)} more: \`/incident actions overdue\`.`)] }] : [];
  const { blocks, listed } = fitRows(head, [...rows, ...settled], [], footer);
  const refs = c.actions.map((a) => actionRef(a)).join(', ');
  return { text: `Overdue follow-up actions need attention: ${refs || 'all dealt with'}`, blocks, payload: { action_ids: listed } };
}

/** The weekly summary for a shared channel: counts by team, and the longest-overdue actions (no private titles). */
export function weeklySummaryMessage(policy: Policy, c: WeeklySummaryContent): RenderedReminder {
  const totals = c.teams.reduce((t, r) => ({ opened: t.opened + r.opened, closed: t.closed + r.closed, overdue: t.overdue + r.overdue, open: t.open + r.open }), { opened: 0, closed: 0, overdue: 0, open: 0 });
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Follow-up actions · week of ${day(c.weekStart)}`, 150) },
    section(`Last 7 days: *${totals.opened}* opened, *${totals.closed}* closed. Now *${totals.open}* open, *${totals.overdue}* overdue.`),
  ];
  const fields = c.teams.map((r) => field(`*${escCut(r.team ?? 'No team', 200)}*\nopened ${r.opened} · closed ${r.closed} · overdue ${r.overdue} · open ${r.open}`));
  const tail: KnownBlock[] = [];
  if (c.oldestOverdue.length) {
    const today = c.to.toISOString().slice(0, 10);
    const lines = c.oldestOverdue.map((a) => `• ${actionLine(policy, a, { today, showOwner: true, reveal: false }).replace('\n', ' · ')}`);
    tail.push(section(`*Longest overdue*\n${fitLines(lines, SECTION_CHUNK - 20).text}`));
  }
  const chunks: KnownBlock[][] = [];
  for (let i = 0; i < fields.length; i += 10) chunks.push([{ type: 'section', fields: fields.slice(i, i + 10) }]);
  const more = (teams: number): KnownBlock[] => (teams ? [{ type: 'context', elements: [mrkdwn(`…and ${teams} more teams.`)] }] : []);
  const shown = fitting(chunks, roomLeft('message', blocks, tail, more(c.teams.length)));
  blocks.push(...chunks.slice(0, shown).flat(), ...more(c.teams.length - Math.min(c.teams.length, shown * 10)), ...tail);
  return { text: `Follow-up actions this week: ${totals.opened} opened, ${totals.closed} closed, ${totals.overdue} overdue`, blocks, payload: { week_start: c.weekStart } };
}
