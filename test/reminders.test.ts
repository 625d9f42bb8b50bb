import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import type { FakeChannel, FakeMessage } from './support/fake-slack.js';
import { declareIncident, lastModal, messageText, submitModal } from './support/flows.js';
import { ask, buttonIds, expectInOrder, incidentOf, timelineKinds } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
let channel: FakeChannel;
let incidentId: string;
// The actions are added two weeks before the week the test follows (Thursday 26 November onwards).
const clock = new FakeClock('2026-11-12T06:00:00Z');
const ids: Record<string, string> = {};

const base = defaultPolicy();
beforeAll(async () => {
  t = await startTestApp({ clock, policy: { actions: { ...base.actions, teams: [{ id: 'platform', members: ['UANA', 'UBEN'] }] } } });
  t.fake.addUser({ id: 'UANA', name: 'ana', tz: 'Europe/Berlin', tz_offset: 3600 });
  t.fake.addUser({ id: 'UBEN', name: 'ben', tz: 'America/New_York', tz_offset: -18000 });
  t.fake.addUser({ id: 'UCAT', name: 'cat', tz: 'Asia/Tokyo', tz_offset: 32400 });
  t.fake.addUser({ id: 'UDAN', name: 'dan', tz: 'Mars/Olympus_Mons', tz_offset: 19800 });
  t.fake.addUser({ id: 'UCOM', name: 'com', tz: 'UTC', tz_offset: 0 });
  channel = await declareIncident(t, { userId: 'UCOM', title: 'Replication lag on orders-db', severity: 'SEV2', commander: 'UCOM' });
  incidentId = (await incidentOf(t, channel)).id;
  const add = async (key: string, owner: string, text: string, due: string, where = channel) => {
    const r = await ask(t, `action <@${owner}> ${text} due ${due}`, 'UCOM', where.id);
    ids[key] = /A-(\d+)/.exec(r.text)![1];
  };
  await add('anaOverdue', 'UANA', 'Alert on replication lag', '2026-11-20');
  await add('anaSoon', 'UANA', 'Document the failover runbook', '2026-11-27');
  await add('anaLater', 'UANA', 'Load-test the new replica', '2026-12-20');
  await add('benSoon', 'UBEN', 'Right-size the orders-db instance', '2026-11-28');
  await add('catLater', 'UCAT', 'Review backup retention', '2026-12-30');
  await add('danSoon', 'UDAN', 'Rotate replication credentials', '2026-11-26');
  const secret = await declareIncident(t, { userId: 'UCOM', title: 'Credential stuffing on login', severity: 'SEV2', kind: 'security', commander: 'UCOM' });
  await add('secret', 'UCAT', 'Rate-limit the login endpoint per IP', '2026-11-21', secret);
  await t.settle();
  t.fake.calls = [];
});
afterAll(() => t?.stop());

const digests = (user: string): FakeMessage[] => (t.fake.dmWith(user)?.messages ?? []).filter((m) => m.text?.startsWith('Your follow-up actions'));
const runAt = async (iso: string) => {
  clock.set(iso);
  expect(await t.app.scheduler.runNow('reminders')).toBe(true);
  await t.settle();
};

describe('the daily digest', () => {
  it('goes out at 09:00 in each owner\'s own timezone, one per owner, grouped by urgency', async () => {
    await runAt('2026-11-26T07:30:00Z'); // 08:30 Berlin, 02:30 New York, 16:30 Tokyo, 13:00 +05:30
    expect(digests('UANA')).toHaveLength(0);
    // Dan's zone is unknown here: his Slack offset (+05:30) applies, so 09:00 came at 03:30 UTC.
    expect(digests('UDAN')).toHaveLength(1);
    // Cat's own actions: one due in a month, and an overdue one from a (private) security incident.
    expect(digests('UCAT')).toHaveLength(1);
    expect(messageText(digests('UCAT')[0])).toContain('Rate-limit the login endpoint per IP');

    await runAt('2026-11-26T08:05:00Z'); // 09:05 Berlin
    expect(digests('UANA')).toHaveLength(1);
    expect(digests('UBEN')).toHaveLength(0);
    const text = messageText(digests('UANA')[0]);
    expectInOrder(text, ['1 overdue · 1 due soon · 1 later', 'Overdue', 'Alert on replication lag', '6 days overdue', 'Due soon', 'Document the failover runbook', 'due tomorrow (Fri 27 Nov)', 'Later', 'Load-test the new replica']);
    expect(text).not.toContain('Right-size');
    const rows = digests('UANA')[0].blocks!.filter((b: any) => b.type === 'actions');
    expect(rows).toHaveLength(3);
    expect(buttonIds({ blocks: [rows[0]] })).toEqual(['action_done', 'action_snooze', 'action_reassign', 'action_open_incident']);
    expect(rows[0].elements[1].text.text).toBe('Snooze 7 days');
    expect(rows[0].elements[3].url).toContain(`channel=${channel.id}`);

    await runAt('2026-11-26T14:05:00Z'); // 09:05 New York
    expect(digests('UBEN')).toHaveLength(1);
    expect(messageText(digests('UBEN')[0])).toContain('Right-size the orders-db instance');
    for (const u of ['UANA', 'UBEN', 'UCAT', 'UDAN']) expect(digests(u), u).toHaveLength(1);
    const sends = await t.app.db.selectFrom('reminder_sends').selectAll().where('kind', '=', 'digest').execute();
    expect(sends.map((s) => `${s.recipient}:${s.local_date}:${s.status}`).sort()).toEqual(['UANA:2026-11-26:sent', 'UBEN:2026-11-26:sent', 'UCAT:2026-11-26:sent', 'UDAN:2026-11-26:sent']);
  });

  it('keeps the timezone from Slack in Postgres, asking again only when it is old', async () => {
    const cached = await t.app.db.selectFrom('slack_users').selectAll().orderBy('user_id').execute();
    expect(cached.find((u) => u.user_id === 'UANA')).toMatchObject({ tz: 'Europe/Berlin', tz_offset: 3600 });
    expect(cached.find((u) => u.user_id === 'UDAN')).toMatchObject({ tz: null, tz_offset: 19800 });
    expect(t.fake.callsTo('users.info').filter((c) => c.args.user === 'UANA')).toHaveLength(1);
  });

  it('Done in the DM updates that message in place and the incident timeline', async () => {
    const dm = t.fake.dmWith('UANA')!;
    const msg = digests('UANA')[0];
    const before = dm.messages.length;
    const res = await t.slack.blockAction({ userId: 'UANA', actionId: 'action_done', channelId: dm.id, messageTs: msg.ts, blockId: `act_${ids.anaOverdue}` });
    expect(res.status).toBe(200);
    await t.settle();
    await eventually(() => msg.edited && messageText(msg).includes('done by <@UANA>'));
    expect(dm.messages).toHaveLength(before);
    expect(messageText(msg)).toContain(`~A-${ids.anaOverdue} Alert on replication lag~`);
    expect(msg.blocks!.some((b: any) => b.block_id === `act_${ids.anaOverdue}`)).toBe(false);
    expect(msg.blocks!.some((b: any) => b.block_id === `act_${ids.anaSoon}`)).toBe(true);
    const done = await t.app.db.selectFrom('follow_up_actions').selectAll().where('id', '=', ids.anaOverdue).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'done', done_by: 'UANA' });
    const event = await t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', incidentId).where('kind', '=', 'action_done').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_id: 'UANA', payload: { action_id: ids.anaOverdue, title: 'Alert on replication lag' } });
    // A second click (e.g. a retry) changes nothing more.
    await t.slack.blockAction({ userId: 'UANA', actionId: 'action_done', channelId: dm.id, messageTs: msg.ts, blockId: `act_text_${ids.anaOverdue}`, value: JSON.stringify({ a: ids.anaOverdue }), actionType: 'button' });
    await t.settle();
    expect((await timelineKinds(t, incidentId)).filter((k) => k === 'action_done')).toHaveLength(1);
  });

  it('Snooze and Reassign update the DM too; the new owner is told', async () => {
    const dm = t.fake.dmWith('UANA')!;
    const msg = digests('UANA')[0];
    await t.slack.blockAction({ userId: 'UANA', actionId: 'action_snooze', channelId: dm.id, messageTs: msg.ts, blockId: `act_${ids.anaSoon}` });
    await t.settle();
    await eventually(() => messageText(msg).includes('snoozed until Thu 3 Dec'));
    expect((await t.app.db.selectFrom('follow_up_actions').select('snoozed_until').where('id', '=', ids.anaSoon).executeTakeFirstOrThrow()).snoozed_until).toBe('2026-12-03');

    await t.slack.blockAction({ userId: 'UANA', actionId: 'action_reassign', channelId: dm.id, messageTs: msg.ts, blockId: `act_${ids.anaLater}` });
    const form = await eventually(() => lastModal(t, 'UANA', 'action_reassign_modal'));
    expect(messageText({ blocks: form.blocks })).toContain('Load-test the new replica');
    await submitModal(t, 'UANA', 'action_reassign_modal', { action_new_owner: { action_new_owner: input.user('UCAT') } });
    await eventually(() => messageText(msg).includes('reassigned to <@UCAT>'));
    expect(msg.blocks!.filter((b: any) => b.type === 'actions')).toHaveLength(0);
    const told = await eventually(() => t.fake.dmWith('UCAT')!.messages.find((m) => messageText(m).includes('gave you a follow-up action') && messageText(m).includes('Load-test')));
    expect(messageText(told)).toContain('<@UANA> gave you');
    expect((await timelineKinds(t, incidentId)).filter((k) => k === 'action_snoozed' || k === 'action_reassigned')).toEqual(['action_snoozed', 'action_reassigned']);
  });

  it('skips weekends, and the next working day brings a new digest', async () => {
    await runAt('2026-11-28T10:00:00Z'); // Saturday
    await runAt('2026-11-29T15:00:00Z'); // Sunday
    for (const u of ['UANA', 'UBEN', 'UCAT', 'UDAN']) expect(digests(u), u).toHaveLength(1);
    await runAt('2026-11-30T08:05:00Z'); // Monday 09:05 Berlin
    // Ana's remaining action is snoozed until Thursday: she has nothing due, so no digest.
    expect(digests('UANA')).toHaveLength(1);
    expect(digests('UCAT')).toHaveLength(2);
    expect(messageText(digests('UCAT')[1])).toContain('Load-test the new replica');
  });
});

describe('the weekly summary', () => {
  it('goes to the announcement channel on Monday at 09:00, once, by team, without private titles', async () => {
    const posts = () => t.fake.channelByName('incidents')!.messages.filter((m) => m.text?.startsWith('Follow-up actions this week'));
    // The first run (Thursday) caught up with the summary of that week, once.
    expect(posts().map((m) => m.blocks![0].text.text)).toEqual(['Follow-up actions · week of Mon 23 Nov']);
    await runAt('2026-11-30T09:05:00Z'); // (08:05 UTC ran already: too early)
    await runAt('2026-11-30T09:10:00Z');
    await runAt('2026-12-02T09:10:00Z');
    expect(posts()).toHaveLength(2);
    const text = messageText(posts()[1]);
    expect(text).toContain('Follow-up actions · week of Mon 30 Nov');
    expect(text).toContain('Last 7 days: *0* opened, *1* closed. Now *6* open, *4* overdue.');
    expect(text).toContain('*platform*\nopened 0 · closed 1 · overdue 2 · open 2');
    expect(text).toContain('*No team*\nopened 0 · closed 0 · overdue 2 · open 4');
    expect(text).toContain('Longest overdue');
    expect(text).toContain(':lock: _restricted (security incident)_');
    expect(text).not.toContain('Rate-limit');
    expect(text.indexOf('restricted')).toBeLessThan(text.indexOf('Rotate replication credentials'));
  });
});
