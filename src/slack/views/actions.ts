import type { KnownBlock, View } from '@slack/types';
import { actionRef, ACTION_PRIORITIES, type FollowUpAction } from '../../actions/action.js';
import type { Policy } from '../../policy/schema.js';
import { addDays, daysBetween, weekdayOf } from '../../calendar/calendar.js';
import { FollowUpAction as Act, FollowUpBlock, FollowUpCallback } from '../ids.js';
import { incidentRef } from '../../incidents/incident.js';
import { fitting, roomLeft } from './fit.js';
import { esc, mrkdwn, plain, truncate, user } from './format.js';
import { dateInput, modal, option, selectInput, textInput, userInput } from './kit.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A calendar day as people read it: `Tue 1 Dec`. */
export function day(date: string): string {
  const wd = weekdayOf(date);
  return `${wd[0].toUpperCase()}${wd.slice(1)} ${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]}`;
}

/** `due today`, `due in 3 days`, `2 days overdue`… relative to the reader's today. */
export function dueWords(dueDate: string, today: string): string {
  const d = daysBetween(today, dueDate);
  if (d === 0) return `due today (${day(dueDate)})`;
  if (d === 1) return `due tomorrow (${day(dueDate)})`;
  if (d > 1) return `due ${day(dueDate)} (in ${d} days)`;
  return `*${-d} day${d === -1 ? '' : 's'} overdue* (was due ${day(dueDate)})`;
}

/** Where a list of actions is shown, so a button click can re-render the same list. */
export type ActionListScope = { scope: 'mine' | 'all' | 'overdue'; incidentId?: string };

/** What an action button carries: the action, and the list it was clicked in (none for DMs). */
export interface ActionButtonValue {
  a: string;
  l?: ActionListScope;
}

/** Writes a button value. */
export function encodeButton(v: ActionButtonValue): string {
  return JSON.stringify(v);
}

/** Parses a button value this app wrote; anything else yields undefined. */
export function decodeButton(raw: string | undefined): ActionButtonValue | undefined {
  try {
    const v = JSON.parse(raw ?? '');
    if (typeof v?.a !== 'string' || !/^\d+$/.test(v.a)) return undefined;
    const l = v.l && ['mine', 'all', 'overdue'].includes(v.l.scope) ? { scope: v.l.scope, ...(typeof v.l.incidentId === 'string' ? { incidentId: v.l.incidentId } : {}) } : undefined;
    return { a: v.a, ...(l ? { l } : {}) };
  } catch {
    return undefined;
  }
}

/** A link that opens a channel in Slack. */
export function channelLink(channelId: string, teamId: string): string {
  return `https://slack.com/app_redirect?channel=${channelId}&team=${teamId}`;
}

/** One action as a line of mrkdwn; a private incident's action shows no title unless `reveal`. */
export function actionLine(policy: Policy, a: FollowUpAction, o: { today: string; showOwner?: boolean; reveal?: boolean }): string {
  const ref = incidentRef(policy.number_prefix, a.incident);
  const hidden = a.incident.kind === 'security' && !o.reveal;
  const title = hidden ? ':lock: _restricted (security incident)_' : esc(truncate(a.title, 200));
  const tracker = a.trackerUrl && !hidden ? ` · <${a.trackerUrl}|tracker>` : '';
  const owner = o.showOwner ? ` · ${user(a.ownerId)}` : '';
  const due = a.status === 'done' ? `done${a.doneBy ? ` by ${user(a.doneBy)}` : ''}` : dueWords(a.dueDate, o.today);
  const prio = a.priority === 'high' ? ' · :small_red_triangle: high' : a.priority === 'low' ? ' · low' : '';
  const snoozed = a.status === 'open' && a.snoozedUntil && a.snoozedUntil > o.today ? ` · :zzz: snoozed until ${day(a.snoozedUntil)}` : '';
  return `*${actionRef(a)}* ${title}\n${ref}${owner} · ${due}${prio}${snoozed}${tracker}`;
}

/** An action with its Done / Snooze / Reassign / Open incident buttons (two blocks). */
export function actionRow(policy: Policy, a: FollowUpAction, o: { today: string; showOwner?: boolean; reveal?: boolean; list?: ActionListScope }): KnownBlock[] {
  const value = encodeButton({ a: a.id, ...(o.list ? { l: o.list } : {}) });
  const buttons: any[] = [
    { type: 'button', action_id: Act.done, text: plain('Done'), value, style: 'primary' },
    { type: 'button', action_id: Act.snooze, text: plain(`Snooze ${policy.reminders.snooze_days} days`), value },
    { type: 'button', action_id: Act.reassign, text: plain('Reassign'), value },
  ];
  if (a.incident.channelId) buttons.push({ type: 'button', action_id: Act.openIncident, text: plain('Open incident'), value, url: channelLink(a.incident.channelId, a.incident.teamId) });
  return [
    { type: 'section', block_id: `act_text_${a.id}`, text: mrkdwn(actionLine(policy, a, o)) },
    { type: 'actions', block_id: `act_${a.id}`, elements: buttons },
  ];
}

/** A listed action that was dealt with since: one context line instead of its buttons. */
export function settledLine(policy: Policy, a: FollowUpAction, o: { today: string; expectedOwner?: string }): KnownBlock {
  const ref = incidentRef(policy.number_prefix, a.incident);
  const what =
    a.status === 'done'
      ? `:white_check_mark: done${a.doneBy ? ` by ${user(a.doneBy)}` : ''}`
      : a.snoozedUntil && a.snoozedUntil > o.today
        ? `:zzz: snoozed until ${day(a.snoozedUntil)}`
        : `:arrow_right: reassigned to ${user(a.ownerId)}`;
  return { type: 'context', block_id: `act_done_${a.id}`, elements: [mrkdwn(`~${actionRef(a)} ${esc(truncate(a.title, 150))}~ (${ref}) · ${what}`)] };
}

/** What the action form carries to its submission. */
export interface ActionModalMetadata {
  incidentId: string;
  /** The review modal this one was pushed from, to refresh its list of actions. */
  reviewViewId?: string;
}

/** The add-action modal (also pushed from the review modal). */
export function actionModal(policy: Policy, o: { incidentRef: string; title?: string; ownerId: string; today: string; metadata: ActionModalMetadata }): View {
  const priorities = ACTION_PRIORITIES.map((p) => option(p, p[0].toUpperCase() + p.slice(1)));
  return modal({
    callbackId: FollowUpCallback.actionModal,
    title: `Action for ${o.incidentRef}`,
    submit: 'Add action',
    metadata: o.metadata,
    blocks: [
      textInput(FollowUpBlock.actionTitle, 'What needs doing?', { multiline: true, max: 300, initial: o.title, placeholder: 'Alert when replication lag exceeds 30 s' }),
      userInput(FollowUpBlock.actionOwner, 'Owner', { initial: o.ownerId }),
      dateInput(FollowUpBlock.actionDue, 'Due date', { initial: addDays(o.today, policy.actions.default_due_days) }),
      selectInput(FollowUpBlock.actionPriority, 'Priority', priorities, { initial: 'medium' }),
      textInput(FollowUpBlock.actionTracker, 'Tracker link', { optional: true, placeholder: 'https://tracker.example.com/OPS-123', max: 500 }),
    ],
  });
}

/** Asks for the action's new owner. */
export function reassignModal(o: { action: FollowUpAction; metadata: { actionId: string; list?: ActionListScope; responseUrl?: string } }): View {
  return modal({
    callbackId: FollowUpCallback.reassignModal,
    title: `Reassign ${actionRef(o.action)}`,
    submit: 'Reassign',
    metadata: o.metadata,
    blocks: [
      { type: 'section', text: mrkdwn(`*${actionRef(o.action)}* ${esc(truncate(o.action.title, 500))}\nNow with ${user(o.action.ownerId)}`) },
      userInput(FollowUpBlock.newOwner, 'New owner'),
    ],
  });
}

const MAX_ROWS = 18;

/** `/incident actions …`: the actions of one scope with their buttons (done ones as plain lines). */
export function actionList(policy: Policy, actions: FollowUpAction[], o: { heading: string; total: number; today: string; viewer: string; list: ActionListScope; inChannel: boolean; empty: string }): { text: string; blocks: KnownBlock[] } {
  if (!actions.length) return { text: o.empty, blocks: [{ type: 'section', text: mrkdwn(o.empty) }] };
  const head: KnownBlock[] = [{ type: 'header', text: plain(`${o.heading} (${o.total})`, 150) }];
  const items: KnownBlock[][] = [];
  let rows = 0;
  for (const a of actions) {
    const reveal = o.inChannel || a.ownerId === o.viewer;
    if (a.status === 'done') items.push([{ type: 'context', elements: [mrkdwn(actionLine(policy, a, { today: o.today, showOwner: true, reveal }))] }]);
    else if (rows < MAX_ROWS) {
      items.push(actionRow(policy, a, { today: o.today, showOwner: o.list.scope !== 'mine', reveal, list: o.list }));
      rows++;
    }
  }
  const footer = (shown: number): KnownBlock[] => (o.total > shown ? [{ type: 'context', elements: [mrkdwn(`Showing the ${shown} most urgent of ${o.total}.`)] }] : []);
  const shown = fitting(items, roomLeft('message', head, footer(0)));
  return { text: `${o.heading}: ${o.total}`, blocks: [...head, ...items.slice(0, shown).flat(), ...footer(shown)] };
}

/** The DM telling someone an action is now theirs. */
export function actionAssignedMessage(policy: Policy, a: FollowUpAction, o: { by: string; today: string }): { text: string; blocks: KnownBlock[] } {
  const ref = incidentRef(policy.number_prefix, a.incident);
  return {
    text: `${user(o.by)} gave you follow-up action ${actionRef(a)} from ${ref}`,
    blocks: [
      { type: 'section', text: mrkdwn(`:clipboard: ${user(o.by)} gave you a follow-up action from *${ref}*:`) },
      ...(a.status === 'open' && !(a.snoozedUntil && a.snoozedUntil > o.today) ? actionRow(policy, a, { today: o.today, reveal: true }) : [settledLine(policy, a, { today: o.today })]),
    ],
  };
}
