import { sql } from 'kysely';
import type { FollowUpAction } from '../actions/action.js';
import { findActionsByIds, listActions, openActionsOf } from '../actions/repository.js';
import type { Db } from '../db/database.js';
import type { IncidentKind } from '../incidents/incident.js';
import type { Policy } from '../policy/schema.js';
import type { ReviewState } from '../reviews/review.js';
import { addDays, daysBetween, localTime, UTC_ZONE, type Zone } from '../calendar/calendar.js';
import { zonesOf } from './profiles.js';
import type { ReminderSend } from './sends.js';

/** A review its owner is reminded of. */
export interface ReviewReminder {
  incidentId: string;
  incidentNumber: number;
  incidentKind: IncidentKind;
  channelId: string | null;
  state: ReviewState;
  dueAt: Date;
}

/** An owner's digest: their open actions, most urgent first, as of their local today. */
export interface DigestContent {
  kind: 'digest';
  ownerId: string;
  today: string;
  overdue: FollowUpAction[];
  dueSoon: FollowUpAction[];
  later: FollowUpAction[];
  /** Actions listed in the message that were done, snoozed or reassigned since it was sent. */
  settled: FollowUpAction[];
  snoozedCount: number;
  reviews: ReviewReminder[];
}

/** Overdue actions escalated to a commander or review owner. */
export interface EscalationContent {
  kind: 'escalation';
  recipientId: string;
  today: string;
  afterDays: number;
  actions: FollowUpAction[];
  settled: FollowUpAction[];
}

/** One team's line in the weekly summary. */
export interface TeamCounts {
  team: string | null;
  opened: number;
  closed: number;
  overdue: number;
  open: number;
}

/** The weekly summary of follow-up actions. */
export interface WeeklySummaryContent {
  kind: 'weekly_summary';
  channel: string;
  weekStart: string;
  from: Date;
  to: Date;
  teams: TeamCounts[];
  /** The longest-overdue actions (private incidents' titles are withheld when rendered). */
  oldestOverdue: FollowUpAction[];
}

/** What a reminder says, by kind. */
export type ReminderContent = DigestContent | EscalationContent | WeeklySummaryContent;

/** Days overdue of an open action as of `today` (0 or less: not overdue). */
export function daysOverdue(a: Pick<FollowUpAction, 'dueDate'>, today: string): number {
  return daysBetween(a.dueDate, today);
}

function isSnoozed(a: FollowUpAction, today: string): boolean {
  return a.snoozedUntil !== null && a.snoozedUntil > today;
}

function byUrgency(a: FollowUpAction, b: FollowUpAction): number {
  return a.dueDate.localeCompare(b.dueDate) || a.createdAt.getTime() - b.createdAt.getTime() || Number(a.id) - Number(b.id);
}

/**
 * Builds what each reminder says, fresh, for a batch of deliveries: one query per kind for the whole
 * batch rather than one per person. A delivery with nothing left to say maps to null.
 */
export async function loadContents(db: Db, policy: Policy, sends: ReminderSend[], now: Date): Promise<Map<string, ReminderContent | null>> {
  const out = new Map<string, ReminderContent | null>();
  const digests = sends.filter((s) => s.kind === 'digest');
  if (digests.length) {
    const owners = digests.map((s) => s.recipient);
    const [zones, actions, reviews] = await Promise.all([
      zonesOf(db, owners),
      openActionsOf(db, owners),
      reviewsDue(db, policy, owners, now),
    ]);
    for (const s of digests) {
      const zone = zones.get(s.recipient) ?? UTC_ZONE;
      const mine = actions.filter((a) => a.ownerId === s.recipient);
      const content = digestOf(policy, s.recipient, zone, now, mine, reviews.filter((r) => r.ownerId === s.recipient));
      const urgent = content.overdue.length + content.dueSoon.length + content.reviews.length;
      out.set(s.id, urgent > 0 ? content : null);
    }
  }
  for (const s of sends.filter((x) => x.kind === 'escalation')) {
    const ids = (s.payload.action_ids as string[] | undefined) ?? [];
    const today = localTime(now, (await zonesOf(db, [s.recipient])).get(s.recipient) ?? UTC_ZONE).date;
    const actions = (await findActionsByIds(db, ids)).filter((a) => a.status === 'open').sort(byUrgency);
    out.set(s.id, actions.length ? { kind: 'escalation', recipientId: s.recipient, today, afterDays: policy.reminders.escalate_after_days, actions, settled: [] } : null);
  }
  for (const s of sends.filter((x) => x.kind === 'weekly_summary')) {
    const summary = await weeklySummary(db, s.recipient, String(s.payload.week_start ?? s.localDate), now);
    // A week with nothing opened, closed or open has nothing to report.
    out.set(s.id, summary.teams.some((t) => t.opened || t.closed || t.open) ? summary : null);
  }
  return out;
}

/** Splits an owner's open actions into overdue, due soon and later (snoozed ones only counted). */
export function digestOf(policy: Policy, ownerId: string, zone: Zone, now: Date, open: FollowUpAction[], reviews: (ReviewReminder & { ownerId: string })[]): DigestContent {
  const today = localTime(now, zone).date;
  const soon = addDays(today, policy.reminders.due_soon_days);
  const active = open.filter((a) => !isSnoozed(a, today)).sort(byUrgency);
  return {
    kind: 'digest',
    ownerId,
    today,
    overdue: active.filter((a) => a.dueDate < today),
    dueSoon: active.filter((a) => a.dueDate >= today && a.dueDate <= soon),
    later: active.filter((a) => a.dueDate > soon),
    settled: [],
    snoozedCount: open.length - active.length,
    reviews: reviews.map(({ ownerId: _o, ...r }) => r),
  };
}

/**
 * A sent digest or escalation as it should read now, for refreshing it in place: the same actions it
 * listed, those still open where they were, the others marked done / snoozed / reassigned.
 */
export async function contentForMessage(db: Db, policy: Policy, send: ReminderSend, now: Date): Promise<ReminderContent | null> {
  if (send.kind === 'weekly_summary') return null;
  const ids = (send.payload.action_ids as string[] | undefined) ?? [];
  const zone = (await zonesOf(db, [send.recipient])).get(send.recipient) ?? UTC_ZONE;
  const today = localTime(now, zone).date;
  const actions = (await findActionsByIds(db, ids)).sort(byUrgency);
  const stillOpen = (a: FollowUpAction) => a.status === 'open' && !isSnoozed(a, today) && (send.kind !== 'digest' || a.ownerId === send.recipient);
  const settled = actions.filter((a) => !stillOpen(a));
  if (send.kind === 'escalation') {
    return { kind: 'escalation', recipientId: send.recipient, today, afterDays: policy.reminders.escalate_after_days, actions: actions.filter(stillOpen), settled };
  }
  const reviewIds = (send.payload.review_incident_ids as string[] | undefined) ?? [];
  const reviews = (await reviewsDue(db, policy, [send.recipient], now, true)).filter((r) => reviewIds.includes(r.incidentId));
  const digest = digestOf(policy, send.recipient, zone, now, actions.filter(stillOpen), reviews);
  return { ...digest, settled, snoozedCount: 0 };
}

/** Unpublished reviews these people own that are due within the policy's reminder window (or all, with `any`). */
async function reviewsDue(db: Db, policy: Policy, owners: string[], now: Date, any = false): Promise<(ReviewReminder & { ownerId: string })[]> {
  if (!owners.length) return [];
  let q = db
    .selectFrom('reviews as r')
    .innerJoin('incidents as i', 'i.id', 'r.incident_id')
    .select(['r.incident_id', 'r.owner_id', 'r.state', 'r.due_at', 'i.number', 'i.kind', 'i.channel_id'])
    .where('r.owner_id', 'in', owners)
    .where('r.state', '<>', 'published')
    .where('r.due_at', 'is not', null);
  if (!any) q = q.where('r.due_at', '<=', new Date(now.getTime() + policy.reviews.remind_before_days * 86_400_000));
  const rows = await q.orderBy('r.due_at').execute();
  return rows.map((r) => ({ incidentId: r.incident_id, ownerId: r.owner_id, state: r.state, dueAt: r.due_at!, incidentNumber: r.number, incidentKind: r.kind, channelId: r.channel_id }));
}

/** Actions opened and closed in the week before `now`, and open/overdue now, by team. */
export async function weeklySummary(db: Db, channel: string, weekStart: string, now: Date): Promise<WeeklySummaryContent> {
  const from = new Date(now.getTime() - 7 * 86_400_000);
  const today = localTime(now, UTC_ZONE).date;
  const { rows } = await sql<{ team: string | null; opened: string; closed: string; overdue: string; open: string }>`
    select team,
      count(*) filter (where created_at > ${from} and created_at <= ${now}) as opened,
      count(*) filter (where status = 'done' and done_at > ${from} and done_at <= ${now}) as closed,
      count(*) filter (where status = 'open' and due_date < ${today}::date) as overdue,
      count(*) filter (where status = 'open') as open
    from follow_up_actions
    where status = 'open' or done_at > ${from} or created_at > ${from}
    group by team
    order by team nulls last`.execute(db);
  const overdue = await listActions(db, { overdueBefore: today, limit: 10 });
  return {
    kind: 'weekly_summary',
    channel,
    weekStart,
    from,
    to: now,
    teams: rows.map((r) => ({ team: r.team, opened: Number(r.opened), closed: Number(r.closed), overdue: Number(r.overdue), open: Number(r.open) })),
    oldestOverdue: overdue.actions,
  };
}
