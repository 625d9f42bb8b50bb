import type { Weekday } from '../policy/schema.js';

/** A calendar day 'YYYY-MM-DD' (no time, no zone). */
export type DateOnly = string;

const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  return f;
}

/** Where a person is: an IANA timezone, or (when Slack's is unknown here) a fixed UTC offset in seconds. */
export interface Zone {
  tz: string | null;
  offsetSeconds: number;
}

/** Where nothing better is known. */
export const UTC_ZONE: Zone = { tz: 'UTC', offsetSeconds: 0 };

/** The local date, time and weekday of an instant in a zone. */
export function localTime(at: Date, zone: Zone): { date: DateOnly; time: string; weekday: Weekday } {
  if (zone.tz) {
    try {
      const parts = Object.fromEntries(formatter(zone.tz).formatToParts(at).map((p) => [p.type, p.value]));
      const date = `${parts.year}-${parts.month}-${parts.day}`;
      return { date, time: `${parts.hour}:${parts.minute}`, weekday: weekdayOf(date) };
    } catch {
      // An unknown zone name falls back to the offset below.
    }
  }
  const shifted = new Date(at.getTime() + zone.offsetSeconds * 1000).toISOString();
  const date = shifted.slice(0, 10);
  return { date, time: shifted.slice(11, 16), weekday: weekdayOf(date) };
}

/** The weekday of a calendar day. */
export function weekdayOf(date: DateOnly): Weekday {
  return WEEKDAYS[new Date(`${date}T12:00:00Z`).getUTCDay()];
}

/** The day `days` after (or before) a day. */
export function addDays(date: DateOnly, days: number): DateOnly {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: DateOnly, to: DateOnly): number {
  return Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);
}

/** True for a real calendar date written as YYYY-MM-DD. */
export function isDateOnly(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The Monday of the week a date falls in (ISO weeks start on Monday). */
export function mondayOf(date: DateOnly): DateOnly {
  const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
  return addDays(date, -((dow + 6) % 7));
}

/** ISO day-of-week numbers (Monday = 1) for policy weekday names, as PostgreSQL's isodow gives them. */
export function isoWeekdays(days: Weekday[]): number[] {
  return days.map((d) => ((WEEKDAYS.indexOf(d) + 6) % 7) + 1);
}
