import type { Db } from '../db/database.js';
import type { ScheduledJob } from '../jobs/scheduler.js';
import { enqueueTask } from '../outbox/tasks.js';
import type { Policy } from '../policy/schema.js';
import type { TaskKind } from '../outbox/kinds.js';

/** Outbox task: post the weekly leadership report for a week. */
export const ReportTask = { weekly: 'report.weekly' } as const satisfies Record<string, TaskKind>;

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY = 86_400_000;

/** Local calendar fields of an instant in a timezone (Mon = 0). */
function local(now: Date, timeZone: string): { y: number; m: number; d: number; dow: number; minutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const dow = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday);
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), dow, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** ISO week (`2026-W48`) of a calendar date. */
export function isoWeek(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  const dow = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - dow + 3); // the Thursday of this week decides the year
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  const week = 1 + Math.round(((date.getTime() - firstThursday.getTime()) / DAY - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * The week whose report is due at `now`: the week of the most recent scheduled day/time (in the
 * policy's timezone). Before this week's time it is last week's, so a report missed while the app
 * was down is still sent, once.
 */
export function dueWeek(policy: Policy, now: Date): string {
  const w = policy.reports.weekly;
  const [hh, mm] = w.time.split(':').map(Number);
  const l = local(now, w.timezone);
  const target = DAYS.indexOf(w.day);
  const passed = l.dow > target || (l.dow === target && l.minutes >= hh * 60 + mm);
  const daysBack = passed ? l.dow - target : l.dow - target + 7;
  const day = new Date(Date.UTC(l.y, l.m - 1, l.d) - daysBack * DAY);
  return isoWeek(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate());
}

/** Cron for the policy's weekly slot, checked every 5 minutes so a restart near the hour still sends it. */
export function weeklyReportJob(db: Db, policy: Policy, onQueued: () => void): ScheduledJob {
  return {
    name: 'weekly-report',
    cron: '*/5 * * * *',
    async run(now) {
      if (!policy.reports.weekly.channel) return;
      const week = dueWeek(policy, now);
      const sent = await db.transaction().execute(async (trx) => {
        const row = await trx.insertInto('sent_reports').values({ key: `weekly:${week}` }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
        if (!row) return false;
        await enqueueTask(trx, { kind: ReportTask.weekly, payload: { week, at: now.toISOString() } });
        return true;
      });
      if (sent) onQueued();
    },
  };
}
