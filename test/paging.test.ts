import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { declareIncident, lastResponse, messageText, submitModal } from './support/flows.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';
import { FakePagerDuty } from './support/webhooks.js';

let t: TestApp;
let pd: FakePagerDuty;
const clock = new FakeClock('2026-11-26T09:00:00Z');
const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000042';

beforeAll(async () => {
  pd = await FakePagerDuty.start();
  t = await startTestApp({
    clock,
    env: { PAGERDUTY_ROUTING_KEY: ROUTING_KEY, PAGERDUTY_EVENTS_URL: pd.url },
    policy: policySchema.parse({
      oncall: { rotations: [{ name: 'primary', members: ['UPRI'] }, { name: 'secondary', members: ['USEC'] }, { name: 'database', members: ['UDBA'] }] },
      paging: { ack_timeout_minutes: 5, escalation: [{ rotation: 'primary' }, { rotation: 'secondary', after_minutes: 10 }, { users: ['UMGR'] }] },
    }),
  });
  for (const id of ['UANA', 'UPRI', 'USEC', 'UMGR', 'UDBA', 'UOTHER']) t.fake.addUser({ id, name: id.slice(1).toLowerCase() });
});
afterAll(async () => {
  await t?.stop();
  await pd?.close();
});

const dm = (user: string) => t.fake.dmWith(user)?.messages ?? [];
const lastDm = (user: string) => dm(user).at(-1);
const buttons = (m: { blocks?: any[] } | undefined) => (m?.blocks ?? []).flatMap((b: any) => b.elements ?? []).filter((e: any) => e.type === 'button').map((e: any) => e.action_id);
async function press(user: string, action: 'page_acknowledge' | 'page_decline', target = user) {
  const m = lastDm(target)!;
  const res = await t.slack.blockAction({ userId: user, actionId: action, channelId: t.fake.dmWith(target)!.id, messageTs: m.ts });
  await t.settle();
  return res;
}
async function escalationRuns() {
  await t.app.scheduler.runNow('paging.escalate');
  await t.settle();
}

describe('paging on a P1 declaration', () => {
  let incident: any;

  it('DMs the primary on-call with Acknowledge / Decline, invites them, and triggers PagerDuty (retried)', async () => {
    pd.failNext(500);
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Checkout down for everyone', severity: 'SEV1', services: 'checkout' });
    incident = await t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    const page = await eventually(() => lastDm('UPRI'));
    expect(messageText(page)).toContain('You are paged');
    expect(messageText(page)).toContain(`INC-${incident.number}`);
    expect(messageText(page)).toContain('as the *primary* on-call (level 1)');
    expect(buttons(page)).toEqual(['page_acknowledge', 'page_decline']);
    expect(dm('USEC')).toHaveLength(0);
    await eventually(() => channel.members.has('UPRI'));

    const trigger = await eventually(() => pd.events.find((e) => e.event_action === 'trigger'), 10_000);
    expect(pd.attempts).toBeGreaterThanOrEqual(2);
    expect(trigger).toMatchObject({
      routing_key: ROUTING_KEY,
      dedup_key: `incident-officer-${incident.id}`,
      payload: { summary: `INC-${incident.number}: Checkout down for everyone (SEV1)`, source: 'incident-officer', severity: 'critical', group: 'checkout' },
    });
    const kinds = (await t.app.db.selectFrom('timeline_events').select('kind').where('incident_id', '=', incident.id).execute()).map((r) => r.kind);
    expect(kinds).toContain('paged');
  });

  it('escalates to the next level only once the wait is over', async () => {
    clock.advanceMinutes(4);
    await escalationRuns();
    expect(dm('USEC')).toHaveLength(0);
    clock.advanceMinutes(1);
    await escalationRuns();
    const second = await eventually(() => lastDm('USEC'));
    expect(messageText(second)).toContain('as the *secondary* on-call (level 2)');
    expect(buttons(second)).toEqual(['page_acknowledge', 'page_decline']);
    const first = lastDm('UPRI')!;
    expect(first.edited).toBe(true);
    expect(messageText(first)).toContain('Not acknowledged in time; escalated to <@USEC> (level 2).');
    expect(buttons(first)).toEqual([]);
    // Running again at the same time changes nothing: each level is paged once.
    await escalationRuns();
    expect(dm('USEC')).toHaveLength(1);
    expect(dm('UMGR')).toHaveLength(0);
  });

  it('a decline escalates at once; an acknowledgement stops the page and sets the incident acknowledged (MTTA)', async () => {
    await press('USEC', 'page_decline');
    const third = await eventually(() => lastDm('UMGR'));
    expect(messageText(third)).toContain('level 3');
    expect(messageText(lastDm('USEC'))).toMatch(/You declined <!date\^\d+\^\{time\}\|2026-11-26 09:05 UTC>; the page went on to <@UMGR> \(level 3\)\./);

    // Someone who was not paged cannot answer.
    const stranger = await press('UANA', 'page_acknowledge', 'UMGR');
    expect((await lastResponse(t, stranger.responseUrl!)).text).toBe('This page was not sent to you.');

    clock.advanceMinutes(2);
    await press('UMGR', 'page_acknowledge');
    const row = await t.app.db.selectFrom('incidents').select('acknowledged_at').where('id', '=', incident.id).executeTakeFirstOrThrow();
    expect(row.acknowledged_at?.toISOString()).toBe('2026-11-26T09:07:00.000Z');
    const page = await t.app.db.selectFrom('pages').selectAll().where('incident_id', '=', incident.id).executeTakeFirstOrThrow();
    expect(page).toMatchObject({ status: 'acknowledged', acknowledged_by: 'UMGR', level: 2 });
    expect(messageText(lastDm('UMGR'))).toContain('You acknowledged');
    expect(messageText(lastDm('UPRI'))).toContain('Acknowledged by <@UMGR>');
    expect(messageText(lastDm('USEC'))).toMatch(/You declined <!date[^>]+>; <@UMGR> acknowledged <!date/);
    expect(buttons(lastDm('UMGR'))).toEqual([]);
    await eventually(() => t.fake.messagesIn(incident.channel_id).find((m) => messageText(m).includes('<@UMGR> acknowledged the page after 7m')));
    await eventually(() => pd.events.find((e) => e.event_action === 'acknowledge' && e.dedup_key === `incident-officer-${incident.id}`));

    // Later acknowledgements do not move the time.
    clock.advanceMinutes(30);
    await escalationRuns();
    expect(dm('UMGR')).toHaveLength(1);
    const again = await t.app.db.selectFrom('incidents').select('acknowledged_at').where('id', '=', incident.id).executeTakeFirstOrThrow();
    expect(again.acknowledged_at?.toISOString()).toBe('2026-11-26T09:07:00.000Z');
  });

  it('resolving the incident resolves the PagerDuty alert', async () => {
    await t.slack.command({ text: 'resolve', userId: 'UANA', channelId: incident.channel_id });
    await submitModal(t, 'UANA', 'incident_resolve', { summary: { summary: input.text('Rolled back the release') } });
    const resolve = await eventually(() => pd.events.find((e) => e.event_action === 'resolve'));
    expect(resolve).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: `incident-officer-${incident.id}`, client: 'Incident Officer' });
    expect(pd.events.filter((e) => e.event_action === 'trigger')).toHaveLength(1);
  });

  it('a SEV3 declaration pages nobody', async () => {
    const before = t.fake.callsTo('chat.postMessage').filter((c) => /^U/.test(c.args.channel)).length;
    await declareIncident(t, { userId: 'UANA', title: 'Slow admin page', severity: 'SEV3' });
    expect(t.fake.callsTo('chat.postMessage').filter((c) => /^U/.test(c.args.channel)).length).toBe(before);
  });
});

describe('/incident page', () => {
  it('pages a rotation, then the rest of the escalation path', async () => {
    const res = await t.slack.command({ text: 'page database replication lag on db-3', userId: 'UANA', channelId: 'CGENERAL' });
    expect((await lastResponse(t, res.responseUrl)).text).toBe(':rotating_light: Paged <@UDBA> (database on-call); without an acknowledgement in 5 minutes it escalates to level 2.');
    await t.settle();
    const msg = await eventually(() => lastDm('UDBA'));
    expect(messageText(msg)).toContain('replication lag on db-3');
    expect(messageText(msg)).toContain('by <@UANA>');
    const page = await t.app.db.selectFrom('pages').selectAll().where('reason', '=', 'replication lag on db-3').executeTakeFirstOrThrow();
    expect(page.levels.map((l) => l.rotation ?? l.users)).toEqual(['database', 'primary', 'secondary', ['UMGR']]);
  });

  it('pages a person; when nobody acknowledges, the page is unanswered and the requester told', async () => {
    const res = await t.slack.command({ text: 'page <@UOTHER|other> can you look at the VPN?', userId: 'UANA', channelId: 'CGENERAL' });
    expect((await lastResponse(t, res.responseUrl)).text).toBe(':rotating_light: Paged <@UOTHER>.');
    await t.settle();
    await eventually(() => lastDm('UOTHER'));
    clock.advanceMinutes(5);
    await escalationRuns();
    expect(messageText(lastDm('UOTHER'))).toContain('Nobody acknowledged this page');
    const told = await eventually(() => dm('UANA').find((m) => messageText(m).includes('Nobody acknowledged your page')));
    expect(messageText(told)).toContain('can you look at the VPN?');
    // A press on the DM as it was before it updated (the buttons are gone now).
    const page = await t.app.db.selectFrom('pages').select('id').where('reason', '=', 'can you look at the VPN?').executeTakeFirstOrThrow();
    const late = await t.slack.blockAction({ userId: 'UOTHER', actionId: 'page_acknowledge', value: page.id, channelId: t.fake.dmWith('UOTHER')!.id, messageTs: lastDm('UOTHER')!.ts });
    expect((await lastResponse(t, late.responseUrl!)).text).toBe('This page is no longer open.');
  });

  it('a decline by the last person left is confirmed to them, not reported as "nobody acknowledged"', async () => {
    const res = await t.slack.command({ text: 'page <@UOTHER|other> the CDN bill doubled', userId: 'UANA', channelId: 'CGENERAL' });
    expect((await lastResponse(t, res.responseUrl)).text).toBe(':rotating_light: Paged <@UOTHER>.');
    await t.settle();
    await eventually(() => dm('UOTHER').find((m) => messageText(m).includes('the CDN bill doubled')));
    await press('UOTHER', 'page_decline');
    const mine = messageText(lastDm('UOTHER'));
    expect(mine).toMatch(/You declined <!date[^>]+>; nobody else was left to page, so the page is unanswered and <@UANA> was told\./);
    expect(mine).not.toContain('Nobody acknowledged');
    expect(buttons(lastDm('UOTHER'))).toEqual([]);
    const told = await eventually(() => dm('UANA').find((m) => messageText(m).includes('the CDN bill doubled')));
    expect(messageText(told)).toContain('Nobody acknowledged your page (the CDN bill doubled) after 1 level: <@UOTHER> declined.');
  });

  it('explains what it needs', async () => {
    const res = await t.slack.command({ text: 'page', userId: 'UANA', channelId: 'CGENERAL' });
    expect((await lastResponse(t, res.responseUrl)).text).toContain('Usage: `/incident page <rotation|@user> [message]`. Rotations: `primary`, `secondary`, `database`.');
    const bad = await t.slack.command({ text: 'page nobody-here', userId: 'UANA', channelId: 'CGENERAL' });
    expect((await lastResponse(t, bad.responseUrl)).text).toContain('`nobody-here` is neither a rotation nor a person.');
  });
});
