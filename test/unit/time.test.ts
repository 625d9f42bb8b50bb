import { describe, expect, it } from 'vitest';
import { describeRotation, followingShift, scheduledShift } from '../../src/oncall/rotation.js';
import { policySchema } from '../../src/policy/schema.js';
import { addDays, daysBetween, isoWeekdays, localTime, mondayOf, weekdayOf } from '../../src/calendar/calendar.js';

const rotation = (r: Record<string, unknown>) => policySchema.parse({ oncall: { rotations: [{ name: 'primary', members: ['UANA', 'UBEN', 'UCAT'], ...r }] } }).oncall.rotations[0];
const berlinDaily = rotation({ handoff: '09:00', timezone: 'Europe/Berlin', length: 'daily', start: '2026-03-01' });
const iso = (d: Date) => d.toISOString();

describe('rotation shifts', () => {
  it('hand over to the next member, and the following shift spans the DST change at local time', () => {
    const now = new Date('2026-03-28T12:00:00Z');
    const current = scheduledShift(berlinDaily, now);
    const next = followingShift(berlinDaily, now);
    expect([current.userId, iso(current.start), iso(current.end)]).toEqual(['UANA', '2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z']);
    expect([next.userId, iso(next.start), iso(next.end)]).toEqual(['UBEN', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
  });

  it('count back before the rotation’s start date without a negative index', () => {
    expect(scheduledShift(berlinDaily, new Date('2026-03-01T08:00:00Z')).userId).toBe('UANA');
    expect(scheduledShift(berlinDaily, new Date('2026-03-01T07:59:00Z')).userId).toBe('UCAT');
    expect(scheduledShift(berlinDaily, new Date('2026-02-27T12:00:00Z')).userId).toBe('UBEN');
  });

  it('a handoff time that does not exist on the spring-forward day moves forward by the gap', () => {
    const night = rotation({ handoff: '02:30', timezone: 'Europe/Berlin', length: 'daily', start: '2026-03-01' });
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST, so 02:30 becomes 03:30 CEST (01:30Z).
    expect(iso(scheduledShift(night, new Date('2026-03-29T01:30:00Z')).start)).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(scheduledShift(night, new Date('2026-03-29T01:29:00Z')).start)).toBe('2026-03-28T01:30:00.000Z');
  });

  it('weekly: before the handoff on the handoff day is still last week’s shift', () => {
    const weekly = rotation({ members: ['UDAN', 'UEVE'], handoff: '10:00', timezone: 'UTC', length: 'weekly', handoff_day: 'wednesday', start: '2026-11-04' });
    const before = scheduledShift(weekly, new Date('2026-11-25T09:59:00Z'));
    const after = scheduledShift(weekly, new Date('2026-11-25T10:00:00Z'));
    expect([before.userId, iso(before.start)]).toEqual(['UDAN', '2026-11-18T10:00:00.000Z']);
    expect([after.userId, iso(after.start), iso(after.end)]).toEqual(['UEVE', '2026-11-25T10:00:00.000Z', '2026-12-02T10:00:00.000Z']);
    expect(describeRotation(weekly)).toBe('every Wednesday at 10:00 UTC');
    expect(describeRotation(berlinDaily)).toBe('every day at 09:00 Europe/Berlin');
  });
});

describe('calendar days', () => {
  it('read the local date and time across a DST change', () => {
    expect(localTime(new Date('2026-03-29T00:59:00Z'), { tz: 'Europe/Berlin', offsetSeconds: 3600 })).toEqual({ date: '2026-03-29', time: '01:59', weekday: 'sun' });
    expect(localTime(new Date('2026-03-29T01:00:00Z'), { tz: 'Europe/Berlin', offsetSeconds: 3600 })).toEqual({ date: '2026-03-29', time: '03:00', weekday: 'sun' });
    expect(localTime(new Date('2026-01-01T04:00:00Z'), { tz: null, offsetSeconds: -5 * 3600 })).toEqual({ date: '2025-12-31', time: '23:00', weekday: 'wed' });
  });

  it('count across year ends and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(daysBetween('2026-12-03', '2026-11-30')).toBe(-3);
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
  });

  it('name weekdays and Mondays, and map policy weekdays to PostgreSQL’s isodow', () => {
    expect(weekdayOf('2026-11-30')).toBe('mon');
    expect(mondayOf('2026-11-30')).toBe('2026-11-30');
    expect(mondayOf('2027-01-03')).toBe('2026-12-28');
    expect(isoWeekdays(['mon', 'fri', 'sat', 'sun'])).toEqual([1, 5, 6, 7]);
  });
});
