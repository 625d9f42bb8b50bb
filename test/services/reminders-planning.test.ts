import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReminderKind } from '../../src/db/schema.js';
import { planDigests, planEscalations, planWeeklySummary } from '../../src/reminders/planner.js';
import { startDomain, type Domain } from '../support/domain.js';
import { buildAction, buildResolvedIncident, buildReview, buildSlackUser } from '../support/factories.js';

/**
 * The reminder planner decides in SQL who gets a DM today, in each person's own timezone, once per
 * local day. Policy defaults: 09:00 on working days (mon–fri), due soon = within 3 days, escalation
 * after 3 days overdue, reviews reminded 2 days before they are due.
 */

const sends = (d: Domain, kind: ReminderKind) =>
  d.db.selectFrom('reminder_sends').select(['key', 'recipient', 'local_date', 'payload']).where('kind', '=', kind).orderBy('key').execute();

describe('daily digests', () => {
  let d: Domain;
  const plan = () => planDigests(d.db, d.policy, d.clock.now());

  beforeAll(async () => {
    d = await startDomain({ now: '2026-11-20T12:00:00Z' });
    await buildSlackUser(d, { userId: 'UBERLIN', tz: 'Europe/Berlin', tzOffset: 3600 });
    await buildSlackUser(d, { userId: 'UNEWYORK', tz: 'America/New_York', tzOffset: -18000 });
    await buildSlackUser(d, { userId: 'ULATER', tz: 'Europe/Berlin', tzOffset: 3600 });
    await buildSlackUser(d, { userId: 'USNOOZED', tz: 'Europe/Berlin', tzOffset: 3600 });
    await buildSlackUser(d, { userId: 'ULEFT', tz: 'Europe/Berlin', tzOffset: 3600, deleted: true });
    const incident = await buildResolvedIncident(d);
    const add = (ownerId: string, dueDate: string) => buildAction(d, { incidentId: incident.id, ownerId, dueDate });
    await add('UBERLIN', '2026-12-02');
    await add('UNEWYORK', '2026-12-01');
    await add('UNOPROFILE', '2026-12-01');
    await add('ULATER', '2026-12-20');
    await d.actions.snooze((await add('USNOOZED', '2026-12-01')).id, 'USNOOZED', 14);
    await add('ULEFT', '2026-12-01');
  });
  afterAll(() => d?.stop());

  it('go out at 09:00 local on a working day, to owners with an action due soon, once per local day', async () => {
    d.clock.set('2026-11-30T07:59:00Z'); // Monday, 08:59 in Berlin
    expect(await plan()).toBe(0);
    d.clock.set('2026-11-30T08:00:00Z'); // 09:00 in Berlin, 03:00 in New York, 08:00 UTC
    expect(await plan()).toBe(1);
    expect(await plan()).toBe(0);
    d.clock.set('2026-11-30T14:00:00Z'); // 09:00 in New York; owners without a profile count as UTC
    expect(await plan()).toBe(2);
    expect((await sends(d, 'digest')).map((s) => [s.key, s.local_date])).toEqual([
      ['digest:UBERLIN:2026-11-30', '2026-11-30'],
      ['digest:UNEWYORK:2026-11-30', '2026-11-30'],
      ['digest:UNOPROFILE:2026-11-30', '2026-11-30'],
    ]);
  });

  it('skip weekends, snoozed actions and people who left the workspace', async () => {
    d.clock.set('2026-12-05T12:00:00Z'); // Saturday
    expect(await plan()).toBe(0);
    d.clock.set('2026-12-04T15:00:00Z'); // Friday afternoon everywhere: the snooze (until 2026-12-04) has ended
    await plan();
    const recipients = (await sends(d, 'digest')).filter((s) => s.local_date === '2026-12-04').map((s) => s.recipient);
    expect(recipients).toEqual(['UBERLIN', 'UNEWYORK', 'UNOPROFILE', 'USNOOZED']);
  });

  it('remind the owner of a review due within two days, with no action at all', async () => {
    d.clock.set('2026-12-07T12:00:00Z');
    const review = await buildReview(d, { incident: { commanderId: 'UREVIEWER' } }); // due 2026-12-12 12:00
    d.clock.set('2026-12-09T12:00:00Z');
    await plan();
    expect((await sends(d, 'digest')).some((s) => s.recipient === review.ownerId)).toBe(false);
    d.clock.set('2026-12-10T12:00:00Z');
    await plan();
    expect((await sends(d, 'digest')).map((s) => s.key)).toContain('digest:UREVIEWER:2026-12-10');
  });
});

describe('escalations of overdue actions', () => {
  let d: Domain;
  let first: string;
  let second: string;
  let own: string;
  let incidentId: string;
  const plan = () => planEscalations(d.db, d.policy, d.clock.now());

  beforeAll(async () => {
    d = await startDomain({ now: '2026-11-20T12:00:00Z' });
    await buildSlackUser(d, { userId: 'UCMD', tz: 'Europe/Berlin', tzOffset: 3600 });
    await buildSlackUser(d, { userId: 'UREV', tz: 'America/Los_Angeles', tzOffset: -28800 });
    const review = await buildReview(d, { incident: { commanderId: 'UCMD' }, content: { ownerId: 'UREV' } });
    incidentId = review.incidentId;
    first = (await buildAction(d, { incidentId, ownerId: 'UOWN', dueDate: '2026-11-23' })).id;
    second = (await buildAction(d, { incidentId, ownerId: 'UOWN', dueDate: '2026-11-24' })).id;
    own = (await buildAction(d, { incidentId, ownerId: 'UCMD', dueDate: '2026-11-20' })).id; // the commander's own: escalated to the review owner only
  });
  afterAll(() => d?.stop());

  it('go to the commander and the review owner, each in their own morning, once per local day', async () => {
    d.clock.set('2026-11-26T10:00:00Z'); // Thursday: 3 days past the first due date; 11:00 in Berlin, 02:00 in Los Angeles
    expect(await plan()).toBe(1);
    d.clock.set('2026-11-26T17:00:00Z'); // 09:00 in Los Angeles
    expect(await plan()).toBe(1);
    expect(await plan()).toBe(0);
    const planned = await sends(d, 'escalation');
    expect(planned.map((s) => ({ key: s.key, actions: s.payload.action_ids }))).toEqual([
      { key: 'escalation:UCMD:2026-11-26', actions: [first] },
      { key: 'escalation:UREV:2026-11-26', actions: [own, first] },
    ]);
    const rows = await d.db.selectFrom('action_escalations').select(['action_id', 'recipient_id', 'due_date']).orderBy('recipient_id').execute();
    expect(rows).toEqual([
      { action_id: first, recipient_id: 'UCMD', due_date: '2026-11-23' },
      { action_id: own, recipient_id: 'UREV', due_date: '2026-11-20' },
      { action_id: first, recipient_id: 'UREV', due_date: '2026-11-23' },
    ]);
    const events = (await d.incidents.timeline(incidentId)).filter((e) => e.kind === 'action_escalated').map((e) => [e.payload.action_id, e.payload.recipient, e.payload.days_overdue]);
    expect(events).toEqual([
      [first, 'UCMD', 3],
      [own, 'UREV', 6],
      [first, 'UREV', 3],
    ]);
  });

  it('escalate each action once per recipient: the next day only what newly became overdue', async () => {
    d.clock.set('2026-11-27T17:00:00Z');
    expect(await plan()).toBe(2);
    const today = (await sends(d, 'escalation')).filter((s) => s.local_date === '2026-11-27');
    expect(today.map((s) => [s.recipient, s.payload.action_ids])).toEqual([
      ['UCMD', [second]],
      ['UREV', [second]],
    ]);
  });
});

describe('the weekly summary', () => {
  let d: Domain;
  beforeAll(async () => {
    d = await startDomain({ policy: { reminders: { weekly_summary: { day: 'mon', time: '09:00', timezone: 'Europe/Berlin' } } } });
  });
  afterAll(() => d?.stop());

  it('is planned once per week, from its day and time in its own timezone', async () => {
    const plan = (at: string) => planWeeklySummary(d.db, d.policy, new Date(at), 'CSUMMARY');
    expect(await plan('2026-11-30T07:59:00Z')).toBe(0);
    expect(await planWeeklySummary(d.db, d.policy, new Date('2026-11-30T08:00:00Z'), undefined)).toBe(0);
    expect(await plan('2026-11-30T08:00:00Z')).toBe(1);
    expect(await plan('2026-12-03T08:00:00Z')).toBe(0);
    expect(await plan('2026-12-07T09:00:00Z')).toBe(1);
    expect((await sends(d, 'weekly_summary')).map((s) => [s.key, s.recipient, s.local_date])).toEqual([
      ['weekly_summary:2026-11-30', 'CSUMMARY', '2026-11-30'],
      ['weekly_summary:2026-12-07', 'CSUMMARY', '2026-12-07'],
    ]);
  });
});
