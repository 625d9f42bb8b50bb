import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { Policy } from '../policy/schema.js';
import { appendTimelineMany } from '../timeline/timeline.js';
import { addDays, isoWeekdays, localTime, mondayOf } from '../calendar/calendar.js';

/**
 * Deciding what is due, as rows in reminder_sends. Every decision is keyed (one digest per owner per
 * local day, one escalation DM per recipient per local day, one summary per week) and inserted with
 * ON CONFLICT DO NOTHING, so running the planner again — on another replica, after a restart, or
 * after hours of downtime — adds nothing twice and catches up with one row, not one per missed run.
 */

/** The local wall-clock time of `now` for a row with the slack_users columns tz and tz_offset under `alias` (UTC when unknown). */
function localTs(now: Date, alias = 'u'): RawBuilder<Date> {
  const tz = sql.ref(`${alias}.tz`);
  const offset = sql.ref(`${alias}.tz_offset`);
  return sql<Date>`case when ${tz} is not null then timezone(${tz}, ${now}::timestamptz)
    else timezone('UTC', ${now}::timestamptz) + make_interval(secs => coalesce(${offset}, 0)) end`;
}

/** The instant the local day after `localDate` begins (for the zone under `alias`): when that day's reminder lapses. */
function endOfLocalDay(localDate: RawBuilder<unknown>, alias = 'u'): RawBuilder<Date> {
  const tz = sql.ref(`${alias}.tz`);
  const offset = sql.ref(`${alias}.tz_offset`);
  return sql<Date>`case when ${tz} is not null then timezone(${tz}, (${localDate} + 1)::timestamp)
    else timezone('UTC', (${localDate} + 1)::timestamp - make_interval(secs => coalesce(${offset}, 0))) end`;
}

/** SQL condition: it is a working day and past the send time in the zone under `alias`. */
function sendWindowOpen(policy: Policy, now: Date, alias = 'u'): RawBuilder<boolean> {
  const lt = localTs(now, alias);
  return sql<boolean>`(extract(isodow from ${lt}) = any(${isoWeekdays(policy.reminders.working_days)}::int[]) and (${lt})::time >= ${policy.reminders.time}::time)`;
}

/** Everyone the reminder job may need the timezone of: owners of open actions and of pending reviews, and escalation recipients. */
export async function peopleToLocate(db: Db, policy: Policy, now: Date): Promise<string[]> {
  const cutoff = addDays(localTime(now, { tz: 'UTC', offsetSeconds: 0 }).date, -policy.reminders.escalate_after_days + 1);
  const { rows } = await sql<{ id: string }>`
    select distinct owner_id as id from follow_up_actions where status = 'open'
    union select owner_id from reviews where state <> 'published' and due_at is not null
    union select i.commander_id from follow_up_actions a join incidents i on i.id = a.incident_id
      where a.status = 'open' and a.due_date <= ${cutoff}::date and i.commander_id is not null
    union select r.owner_id from follow_up_actions a join reviews r on r.incident_id = a.incident_id
      where a.status = 'open' and a.due_date <= ${cutoff}::date`.execute(db);
  return rows.map((r) => r.id);
}

/**
 * Plans today's digest for every owner whose local time is past the send time on a working day and who
 * has an action overdue or due soon (not snoozed), or a review due soon. Returns how many were added.
 */
export async function planDigests(db: Db, policy: Policy, now: Date): Promise<number> {
  const lt = localTs(now);
  const r = policy.reminders;
  const res = await sql`
    with owners as (
      select d.owner_id, u.tz, u.tz_offset, (${lt})::date as local_date
      from (select distinct owner_id from follow_up_actions where status = 'open'
            union select owner_id from reviews where state <> 'published' and due_at is not null) d
      left join slack_users u on u.user_id = d.owner_id
      where coalesce(u.deleted, false) = false and ${sendWindowOpen(policy, now)}
    )
    insert into reminder_sends (key, kind, recipient, local_date, not_before, expires_at, created_at, payload)
    select 'digest:' || o.owner_id || ':' || o.local_date, 'digest', o.owner_id, o.local_date, ${now}, ${endOfLocalDay(sql`o.local_date`, 'o')}, ${now}, '{}'::jsonb
    from owners o
    where exists (select 1 from follow_up_actions a where a.owner_id = o.owner_id and a.status = 'open'
                    and (a.snoozed_until is null or a.snoozed_until <= o.local_date)
                    and a.due_date <= o.local_date + ${r.due_soon_days}::int)
       or exists (select 1 from reviews rv where rv.owner_id = o.owner_id and rv.state <> 'published' and rv.due_at is not null
                    and rv.due_at <= ${now}::timestamptz + make_interval(days => ${policy.reviews.remind_before_days}))
    on conflict (key) do nothing`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}

interface EscalationCandidate {
  action_id: string;
  incident_id: string;
  title: string;
  owner_id: string;
  due_date: string;
  days_overdue: number;
  recipient: string;
  local_date: string;
  expires_at: Date;
}

/**
 * Escalates actions overdue for `escalate_after_days` (in the owner's timezone, not snoozed) to the
 * incident commander and the review owner: one DM per recipient per local day, sent in the recipient's
 * own send window, and each action escalated once per recipient and due date. Returns DMs planned.
 */
export async function planEscalations(db: Db, policy: Policy, now: Date): Promise<number> {
  const n = policy.reminders.escalate_after_days;
  const ownerLt = localTs(now, 'ou');
  const { rows } = await sql<EscalationCandidate>`
    with overdue as (
      select a.id, a.incident_id, a.title, a.owner_id, a.due_date, ((${ownerLt})::date - a.due_date) as days_overdue, i.commander_id, rv.owner_id as review_owner
      from follow_up_actions a
      join incidents i on i.id = a.incident_id
      left join reviews rv on rv.incident_id = a.incident_id
      left join slack_users ou on ou.user_id = a.owner_id
      where a.status = 'open' and a.due_date <= (${ownerLt})::date - ${n}::int
        and (a.snoozed_until is null or a.snoozed_until <= (${ownerLt})::date)
    ), pairs as (
      select distinct o.*, r.recipient from overdue o
      cross join lateral (values (o.commander_id), (o.review_owner)) r(recipient)
      where r.recipient is not null and r.recipient <> o.owner_id
        and not exists (select 1 from action_escalations e where e.action_id = o.id and e.recipient_id = r.recipient and e.due_date = o.due_date)
    )
    select p.id as action_id, p.incident_id, p.title, p.owner_id, p.due_date::text as due_date, p.days_overdue, p.recipient,
      (${localTs(now)})::date::text as local_date, ${endOfLocalDay(sql`(${localTs(now)})::date`)} as expires_at
    from pairs p left join slack_users u on u.user_id = p.recipient
    where coalesce(u.deleted, false) = false and ${sendWindowOpen(policy, now)}
    order by p.recipient, p.due_date, p.id`.execute(db);
  const byRecipient = new Map<string, EscalationCandidate[]>();
  for (const c of rows) byRecipient.set(c.recipient, [...(byRecipient.get(c.recipient) ?? []), c]);
  let planned = 0;
  for (const [recipient, list] of byRecipient) {
    const key = `escalation:${recipient}:${list[0].local_date}`;
    const added = await db.transaction().execute(async (trx) => {
      const send = await trx
        .insertInto('reminder_sends')
        .values({ key, kind: 'escalation', recipient, local_date: list[0].local_date, not_before: now, expires_at: new Date(list[0].expires_at.getTime() + 6 * 86_400_000), created_at: now, payload: JSON.stringify({ action_ids: list.map((c) => c.action_id) }), claimed_until: null, claimed_by: null, channel_id: null, message_ts: null, last_error: null, sent_at: null })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('id')
        .executeTakeFirst();
      // Today's escalation DM to this person is already planned: what became overdue since waits for tomorrow's.
      if (!send) return false;
      await trx.insertInto('action_escalations').values(list.map((c) => ({ action_id: c.action_id, recipient_id: recipient, due_date: c.due_date, send_key: key, created_at: now }))).onConflict((oc) => oc.doNothing()).execute();
      await appendTimelineMany(
        trx,
        list.map((c) => ({
          incidentId: c.incident_id,
          actorId: null,
          kind: 'action_escalated' as const,
          payload: { action_id: c.action_id, title: c.title, owner: c.owner_id, recipient, days_overdue: c.days_overdue, due: c.due_date },
          dedupeKey: `action_escalated:${c.action_id}:${c.due_date}:${recipient}`,
          at: now,
        })),
      );
      return true;
    });
    if (added) planned++;
  }
  return planned;
}

/** Plans this week's summary post once its day and time have come (in the summary's timezone). */
export async function planWeeklySummary(db: Db, policy: Policy, now: Date, channel: string | undefined): Promise<number> {
  const w = policy.reminders.weekly_summary;
  if (!w.enabled || !channel) return 0;
  const local = localTime(now, { tz: w.timezone, offsetSeconds: 0 });
  const monday = mondayOf(local.date);
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const sendDate = addDays(monday, days.indexOf(w.day));
  if (local.date < sendDate || (local.date === sendDate && local.time < w.time)) return 0;
  const res = await sql`
    insert into reminder_sends (key, kind, recipient, local_date, not_before, expires_at, created_at, payload)
    values (${`weekly_summary:${monday}`}, 'weekly_summary', ${channel}, ${sendDate}::date, ${now}, timezone(${w.timezone}, (${monday}::date + 7)::timestamp), ${now}, ${JSON.stringify({ week_start: monday })}::jsonb)
    on conflict (key) do nothing`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}
