import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledShift } from '../src/oncall/rotation.js';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { eventually } from './support/wait.js';
import { lastResponse } from './support/flows.js';

const berlinDaily = policySchema.parse({ oncall: { rotations: [{ name: 'primary', members: ['UANA', 'UBEN', 'UCAT'], handoff: '09:00', timezone: 'Europe/Berlin', length: 'daily', start: '2026-03-01' }] } }).oncall.rotations[0];
const nyWeekly = policySchema.parse({ oncall: { rotations: [{ name: 'db', members: ['UDAN', 'UEVE'], handoff: '09:00', timezone: 'America/New_York', length: 'weekly', handoff_day: 'monday', start: '2026-10-05' }] } }).oncall.rotations[0];
const unix = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

describe('rotation handoffs', () => {
  it('hand off at 09:00 Berlin time on both sides of the spring DST change', () => {
    // 28 March: CET (UTC+1), handoff 08:00Z. 29 March: clocks go forward at 02:00; CEST (UTC+2), handoff 07:00Z.
    const before = scheduledShift(berlinDaily, new Date('2026-03-29T06:59:00Z'));
    const after = scheduledShift(berlinDaily, new Date('2026-03-29T07:00:00Z'));
    expect(before.start.toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(before.end.toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(after.start.toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(after.userId).not.toBe(before.userId);
    // The shift across the change is 23 hours long; the order goes on without a skip.
    expect(before.end.getTime() - before.start.getTime()).toBe(23 * 3600_000);
    const order = ['2026-03-27T12:00:00Z', '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z', '2026-03-30T12:00:00Z'].map((d) => scheduledShift(berlinDaily, new Date(d)).userId);
    expect(order).toEqual(['UCAT', 'UANA', 'UBEN', 'UCAT']);
  });

  it('a weekly New York rotation hands off at 09:00 local after the autumn change (14:00Z instead of 13:00Z)', () => {
    const oct = scheduledShift(nyWeekly, new Date('2026-10-30T12:00:00Z'));
    expect(oct.start.toISOString()).toBe('2026-10-26T13:00:00.000Z');
    expect(oct.end.toISOString()).toBe('2026-11-02T14:00:00.000Z');
    expect(scheduledShift(nyWeekly, new Date('2026-11-02T13:59:00Z')).userId).toBe(oct.userId);
    expect(scheduledShift(nyWeekly, new Date('2026-11-02T14:00:00Z')).userId).not.toBe(oct.userId);
  });
});

describe('/incident oncall', () => {
  let t: TestApp;
  const clock = new FakeClock('2026-03-29T06:30:00Z');
  beforeAll(async () => {
    t = await startTestApp({ clock, policy: policySchema.parse({ oncall: { rotations: [berlinDaily, nyWeekly] } }) });
    t.fake.addUser({ id: 'UANA', name: 'ana', tz: 'America/New_York', tz_offset: -14400 });
    for (const id of ['UBEN', 'UCAT', 'UDAN', 'UEVE']) t.fake.addUser({ id, name: id.slice(1).toLowerCase() });
  });
  afterAll(() => t?.stop());

  async function run(text: string, userId = 'UANA'): Promise<string> {
    const res = await t.slack.command({ text, userId, channelId: 'CGENERAL' });
    expect(res.status).toBe(200);
    return (await lastResponse(t, res.responseUrl)).text;
  }

  it('shows who is on now and next, with the handoff at the right local time across the DST change', async () => {
    const text = await run('oncall primary');
    expect(text).toContain('hands off every day at 09:00 Europe/Berlin');
    expect(text).toMatch(/\*Now:\* <@UANA> until <!date\^(\d+)\^/);
    expect(text).toContain(`until <!date^${unix('2026-03-29T07:00:00Z')}^`);
    expect(text).toContain('*Next:* <@UBEN>');
    clock.set('2026-03-29T07:00:00Z');
    expect(await run('oncall primary')).toContain(`*Now:* <@UBEN> until <!date^${unix('2026-03-30T07:00:00Z')}^`);
    const all = await run('oncall');
    expect(all).toContain('*primary*: <@UBEN>');
    expect(all).toContain('*db*: ');
  });

  it('the Home tab shows who is on call now', async () => {
    clock.set('2026-03-29T07:00:00Z');
    await t.slack.event({ type: 'app_home_opened', user: 'UCAT', channel: 'D0HOME', tab: 'home' });
    const home = await eventually(() => t.fake.views.get(t.fake.homeViews.get('UCAT') ?? '')?.view);
    const text = home.blocks.map((b: any) => b.text?.text ?? '').join('\n');
    expect(text).toContain('On call now');
    expect(text).toContain(`• *primary*: <@UBEN> until <!date^${unix('2026-03-30T07:00:00Z')}^`);
  });

  it('an override in the requester\'s timezone puts someone on call, shown and then cancelled', async () => {
    clock.set('2026-12-24T12:00:00Z');
    // Ana is in New York: 18:00 there is 23:00Z.
    const reply = await run('oncall override primary <@UCAT|cat> 2026-12-24 18:00 2026-12-25 09:00');
    expect(reply).toMatch(/Override #(\d+): <@UCAT> is on call for \*primary\*/);
    const id = /#(\d+)/.exec(reply)![1];
    const row = await t.app.db.selectFrom('oncall_overrides').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.starts_at.toISOString()).toBe('2026-12-24T23:00:00.000Z');
    expect(row.ends_at.toISOString()).toBe('2026-12-25T14:00:00.000Z');
    expect(row.created_by).toBe('UANA');

    clock.set('2026-12-24T23:30:00Z');
    const shown = await run('oncall primary');
    expect(shown).toContain(`*Now:* <@UCAT> until <!date^${unix('2026-12-25T14:00:00Z')}^`);
    expect(shown).toContain(`#${id} <@UCAT>`);

    const quick = await run('oncall override primary <@UDAN> now 2h');
    const quickId = /#(\d+)/.exec(quick)![1];
    expect(await run('oncall primary')).toContain(`*Now:* <@UDAN> until <!date^${unix('2026-12-25T01:30:00Z')}^`);
    expect(await run(`oncall cancel ${quickId}`)).toContain(`Override #${quickId}`);
    expect(await run('oncall primary')).toContain('*Now:* <@UCAT>');
  });

  it('answers mistakes with short help', async () => {
    expect(await run('oncall nosuch')).toContain('There is no rotation named `nosuch`');
    expect(await run('oncall override primary <@UCAT> tomorrow 4h')).toContain('From: "tomorrow" is not a time');
    expect(await run('oncall override <@UCAT> now 4h')).toContain('Name the rotation');
    expect(await run('oncall override primary <@UCAT> 2026-12-25 2026-12-24')).toBe('The override must end after it starts.');
    expect(await run('oncall cancel 99999')).toBe('There is no active override #99999.');
  });
});
