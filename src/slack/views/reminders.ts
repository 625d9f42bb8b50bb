import type { KnownBlock } from '@slack/types';
import { actionRef } from '../../actions/action.js';
import type { Policy } from '../../policy/schema.js';
import type { DigestContent, EscalationContent, WeeklySummaryContent } from '../../reminders/content.js';
import { REVIEW_STATE_LABEL } from '../../reviews/review.js';
import { FollowUpAction as Act } from '../ids.js';
import { actionLine, actionRow, day, settledLine } from './actions.js';
import { incidentRef } from '../../incidents/incident.js';
import { esc, mrkdwn, plain, slackDate, truncate } from './format.js';

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

/** An owner's daily digest: overdue, due soon, later, and reviews they own. */
export function digestMessage(policy: Policy, c: DigestContent): RenderedReminder {
  const blocks: KnownBlock[] = [{ type: 'header', text: plain('Your follow-up actions', 150) }];
  const open = c.overdue.length + c.dueSoon.length + c.later.length;
  const counts = [c.overdue.length && `${c.overdue.length} overdue`, c.dueSoon.length && `${c.dueSoon.length} due soon`, c.later.length && `${c.later.length} later`, c.snoozedCount && `${c.snoozedCount} snoozed`].filter(Boolean);
  blocks.push({ type: 'context', elements: [mrkdwn(`${counts.join(' · ') || 'Nothing open'} · ${day(c.today)}`)] });
  const listed: string[] = [];
  let rows = 0;
  for (const [title, list] of [[':red_circle: *Overdue*', c.overdue], [':large_orange_circle: *Due soon*', c.dueSoon], [':white_circle: *Later*', c.later]] as const) {
    if (!list.length || rows >= DIGEST_MAX_ROWS) continue;
    blocks.push(section(title));
    for (const a of list) {
      if (rows >= DIGEST_MAX_ROWS) break;
      blocks.push(...actionRow(policy, a, { today: c.today, reveal: true }));
      listed.push(a.id);
      rows++;
    }
  }
  if (open > rows) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${open - rows} more: \`/incident actions\` lists them all.`)] });
  for (const a of c.settled) {
    blocks.push(settledLine(policy, a, { today: c.today, expectedOwner: c.ownerId }));
    listed.push(a.id);
  }
  if (c.reviews.length) {
    const lines = c.reviews.map((r) => {
      const ref = incidentRef(policy.number_prefix, { number: r.incidentNumber });
      const overdue = r.dueAt.getTime() < Date.parse(`${c.today}T00:00:00Z`);
      return `• *${ref}* review (${REVIEW_STATE_LABEL[r.state]}) ${overdue ? '*overdue*, was ' : ''}due ${slackDate(r.dueAt, '{date_short_pretty}')}${r.channelId ? ` · <#${r.channelId}>` : ''}`;
    });
    blocks.push(section(`:memo: *Post-incident reviews you own*\n${lines.join('\n')}`));
    const buttons = c.reviews.slice(0, 5).map((r) => ({ type: 'button' as const, action_id: `${Act.openReview}_${r.incidentId}`, text: plain(`Write ${incidentRef(policy.number_prefix, { number: r.incidentNumber })} review`), value: r.incidentId }));
    blocks.push({ type: 'actions', block_id: 'digest_reviews', elements: buttons });
  }
  const summary = [c.overdue.length && `${c.overdue.length} overdue`, c.dueSoon.length && `${c.dueSoon.length} due soon`, c.reviews.length && `${c.reviews.length} review${c.reviews.length > 1 ? 's' : ''} due`].filter(Boolean).join(', ');
  return {
    text: `Your follow-up actions: ${summary || `${open} open`}`,
    blocks: blocks.slice(0, 50),
    payload: { action_ids: listed, review_incident_ids: c.reviews.map((r) => r.incidentId) },
  };
}

/** The DM to a commander or review owner about actions overdue for days. */
export function escalationMessage(policy: Policy, c: EscalationContent): RenderedReminder {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain('Overdue follow-up actions', 150) },
    section(`:rotating_light: These follow-up actions from incidents you lead or review are *${c.afterDays}+ days overdue*. Nudge the owner, reassign, or mark them done.`),
  ];
  const listed: string[] = [];
  for (const a of c.actions.slice(0, DIGEST_MAX_ROWS)) {
    blocks.push(...actionRow(policy, a, { today: c.today, showOwner: true, reveal: true }));
    listed.push(a.id);
  }
  if (c.actions.length > DIGEST_MAX_ROWS) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${c.actions.length - DIGEST_MAX_ROWS} more: \`/incident actions overdue\`.`)] });
  for (const a of c.settled) {
    blocks.push(settledLine(policy, a, { today: c.today }));
    listed.push(a.id);
  }
  const refs = c.actions.map((a) => actionRef(a)).join(', ');
  return { text: `Overdue follow-up actions need attention: ${refs || 'all dealt with'}`, blocks: blocks.slice(0, 50), payload: { action_ids: listed } };
}

/** The weekly summary for a shared channel: counts by team, and the longest-overdue actions (no private titles). */
export function weeklySummaryMessage(policy: Policy, c: WeeklySummaryContent): RenderedReminder {
  const totals = c.teams.reduce((t, r) => ({ opened: t.opened + r.opened, closed: t.closed + r.closed, overdue: t.overdue + r.overdue, open: t.open + r.open }), { opened: 0, closed: 0, overdue: 0, open: 0 });
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Follow-up actions · week of ${day(c.weekStart)}`, 150) },
    section(`Last 7 days: *${totals.opened}* opened, *${totals.closed}* closed. Now *${totals.open}* open, *${totals.overdue}* overdue.`),
  ];
  const fields = c.teams.map((r) => mrkdwn(`*${esc(r.team ?? 'No team')}*\nopened ${r.opened} · closed ${r.closed} · overdue ${r.overdue} · open ${r.open}`, 2000));
  for (let i = 0; i < fields.length && blocks.length < 30; i += 10) blocks.push({ type: 'section', fields: fields.slice(i, i + 10) });
  if (c.oldestOverdue.length) {
    const today = c.to.toISOString().slice(0, 10);
    const lines = c.oldestOverdue.map((a) => `• ${actionLine(policy, a, { today, showOwner: true, reveal: false }).replace('\n', ' · ')}`);
    blocks.push(section(truncate(`*Longest overdue*\n${lines.join('\n')}`, 2900)));
  }
  return { text: `Follow-up actions this week: ${totals.opened} opened, ${totals.closed} closed, ${totals.overdue} overdue`, blocks, payload: { week_start: c.weekStart } };
}
