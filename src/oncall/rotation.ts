import { DateTime } from 'luxon';
import type { RotationPolicy } from '../policy/signals-schema.js';

/**
 * Who a rotation's schedule puts on call, computed in the rotation's own timezone so the handoff
 * happens at the same wall-clock time every day or week, across daylight-saving changes.
 */

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export interface Shift {
  userId: string;
  start: Date;
  end: Date;
}

function handoffParts(r: RotationPolicy): { hour: number; minute: number } {
  const [hour, minute] = r.handoff.split(':').map(Number);
  return { hour, minute };
}

/** The handoff on a given local date (luxon moves a time that does not exist that day forward). */
function handoffOn(r: RotationPolicy, date: DateTime): DateTime {
  return date.set({ ...handoffParts(r), second: 0, millisecond: 0 });
}

/** Whole local days between two local dates, ignoring their times and DST. */
function daysBetween(a: DateTime, b: DateTime): number {
  const ua = Date.UTC(a.year, a.month - 1, a.day);
  const ub = Date.UTC(b.year, b.month - 1, b.day);
  return Math.round((ub - ua) / 86_400_000);
}

/** The start (local) of the shift that contains `at`. */
function shiftStart(r: RotationPolicy, at: Date): DateTime {
  const local = DateTime.fromJSDate(at, { zone: r.timezone });
  let start = handoffOn(r, local.startOf('day'));
  if (r.length === 'weekly') {
    const target = WEEKDAYS.indexOf(r.handoff_day) + 1;
    const back = (local.weekday - target + 7) % 7;
    start = handoffOn(r, local.startOf('day').minus({ days: back }));
    if (start > local) start = handoffOn(r, start.startOf('day').minus({ days: 7 }));
  } else if (start > local) {
    start = handoffOn(r, local.startOf('day').minus({ days: 1 }));
  }
  return start;
}

function nextStart(r: RotationPolicy, start: DateTime): DateTime {
  return handoffOn(r, start.startOf('day').plus({ days: r.length === 'weekly' ? 7 : 1 }));
}

function memberFor(r: RotationPolicy, start: DateTime): string {
  const anchor = DateTime.fromISO(r.start, { zone: r.timezone });
  const days = daysBetween(anchor, start);
  const index = r.length === 'weekly' ? Math.floor(days / 7) : days;
  const n = r.members.length;
  return r.members[((index % n) + n) % n];
}

/** The scheduled shift (before overrides) that contains `at`. */
export function scheduledShift(r: RotationPolicy, at: Date): Shift {
  const start = shiftStart(r, at);
  return { userId: memberFor(r, start), start: start.toJSDate(), end: nextStart(r, start).toJSDate() };
}

/** The scheduled shift after the one that contains `at`. */
export function followingShift(r: RotationPolicy, at: Date): Shift {
  const current = shiftStart(r, at);
  const start = nextStart(r, current);
  return { userId: memberFor(r, start), start: start.toJSDate(), end: nextStart(r, start).toJSDate() };
}

/** A rotation's handoff rule in words: `every Monday at 09:00 Europe/Berlin`. */
export function describeRotation(r: RotationPolicy): string {
  const day = r.length === 'weekly' ? `every ${r.handoff_day[0].toUpperCase()}${r.handoff_day.slice(1)}` : 'every day';
  return `${day} at ${r.handoff} ${r.timezone}`;
}
