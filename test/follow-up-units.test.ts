import { describe, expect, it } from 'vitest';
import { defaultPolicy, policySchema } from '../src/policy/schema.js';
import { addDays, daysBetween, isDateOnly, localTime, mondayOf } from '../src/calendar/calendar.js';
import { effectivePriority, reviewRequired } from '../src/reviews/requirement.js';
import { parseActionLine } from '../src/slack/listeners/action-line.js';
import { decodeButton, dueWords } from '../src/slack/views/actions.js';
import { plainText } from '../src/slack/views/review-document.js';

const policy = defaultPolicy();

describe('the one-line action', () => {
  it('reads the escaped mention, the text and a trailing due date', () => {
    expect(parseActionLine('<@U123ABC|ana> Add a lag alert due 2026-12-01')).toEqual({ ownerId: 'U123ABC', title: 'Add a lag alert', dueDate: '2026-12-01' });
    expect(parseActionLine('<@U123ABC> Add a lag alert [due 2026-12-01]')).toEqual({ ownerId: 'U123ABC', title: 'Add a lag alert', dueDate: '2026-12-01' });
    expect(parseActionLine('<@W42> Fix the due process')).toEqual({ ownerId: 'W42', title: 'Fix the due process' });
  });

  it('explains what is wrong', () => {
    expect(parseActionLine('@ana do it')).toHaveProperty('error', expect.stringMatching(/could not tell who @ana is/));
    expect(parseActionLine('do it')).toHaveProperty('error', expect.stringMatching(/^Use `\/incident action @owner/));
    expect(parseActionLine('<@U1> do it due 2026-02-30')).toHaveProperty('error', expect.stringMatching(/"2026-02-30" is not a date/));
    expect(parseActionLine('<@U1> due 2026-02-03')).toHaveProperty('error', expect.stringMatching(/Say what needs doing/));
  });
});

describe('which incidents need a review', () => {
  it('uses the triaged priority, else the one matching the severity', () => {
    expect(effectivePriority(policy, { priority: null, severity: 'SEV1' })).toBe('P1');
    expect(effectivePriority(policy, { priority: 'P3', severity: 'SEV1' })).toBe('P3');
    expect(reviewRequired(policy, { priority: null, severity: 'SEV2', classification: 'incident' })).toBe(true);
    expect(reviewRequired(policy, { priority: null, severity: 'SEV3', classification: 'incident' })).toBe(false);
    expect(reviewRequired(policy, { priority: 'P1', severity: 'SEV4', classification: 'incident' })).toBe(true);
    expect(reviewRequired(policy, { priority: 'P1', severity: 'SEV1', classification: 'security_event' })).toBe(false);
  });

  it('maps custom severities by rank', () => {
    const custom = policySchema.parse({ severities: [{ id: 'critical', description: 'x' }, { id: 'major', description: 'y' }, { id: 'minor', description: 'z' }] });
    expect(effectivePriority(custom, { priority: null, severity: 'major' })).toBe('P2');
    expect(effectivePriority(custom, { priority: null, severity: 'unknown' })).toBeUndefined();
  });

  it('refuses a policy naming an unknown priority', () => {
    const parsed = policySchema.safeParse({ reviews: { required_priorities: ['P9'] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].message).toBe('unknown priority P9');
    expect(policySchema.safeParse({ reminders: { time: '9am' } }).success).toBe(false);
    expect(policySchema.safeParse({ reminders: { weekly_summary: { timezone: 'Mars/Base' } } }).success).toBe(false);
  });
});

describe('calendar arithmetic', () => {
  it('gives local dates, times and weekdays in a zone, or by offset when the zone is unknown', () => {
    const at = new Date('2026-11-29T23:30:00Z'); // Sunday in UTC
    expect(localTime(at, { tz: 'Europe/Berlin', offsetSeconds: 3600 })).toEqual({ date: '2026-11-30', time: '00:30', weekday: 'mon' });
    expect(localTime(at, { tz: 'America/Los_Angeles', offsetSeconds: 0 })).toEqual({ date: '2026-11-29', time: '15:30', weekday: 'sun' });
    expect(localTime(at, { tz: 'Nowhere/Land', offsetSeconds: 19800 })).toEqual({ date: '2026-11-30', time: '05:00', weekday: 'mon' });
  });

  it('adds days across months and counts them', () => {
    expect(addDays('2026-11-28', 5)).toBe('2026-12-03');
    expect(daysBetween('2026-11-20', '2026-11-26')).toBe(6);
    expect(mondayOf('2026-12-06')).toBe('2026-11-30');
    expect(isDateOnly('2026-02-29')).toBe(false);
    expect(isDateOnly('2028-02-29')).toBe(true);
  });

  it('words due dates relative to today', () => {
    expect(dueWords('2026-11-26', '2026-11-26')).toBe('due today (Thu 26 Nov)');
    expect(dueWords('2026-11-20', '2026-11-26')).toBe('*6 days overdue* (was due Fri 20 Nov)');
    expect(dueWords('2026-11-25', '2026-11-26')).toBe('*1 day overdue* (was due Wed 25 Nov)');
  });
});

describe('Slack plumbing', () => {
  it('accepts only button values this app wrote', () => {
    expect(decodeButton('{"a":"12","l":{"scope":"all","incidentId":"3"}}')).toEqual({ a: '12', l: { scope: 'all', incidentId: '3' } });
    expect(decodeButton('{"a":"12","l":{"scope":"everything"}}')).toEqual({ a: '12' });
    expect(decodeButton('{"a":"DROP TABLE"}')).toBeUndefined();
    expect(decodeButton('not json')).toBeUndefined();
  });

  it('turns timeline mrkdwn into plain text for the review document', () => {
    const names = new Map([['UANA', 'Ana Lopez']]);
    expect(plainText('<@UANA> noted: a &lt;b&gt; &amp; <#C123> at <!date^1764000000^{time}|09:00 UTC> <https://x.test|link>', names)).toBe('@Ana Lopez noted: a <b> & #C123 at 09:00 UTC link (https://x.test)');
  });
});
