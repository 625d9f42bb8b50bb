import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { declareIncident, messageText, submitModal } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

const clock = new FakeClock('2026-11-26T09:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCAT', 'cat']]) t.fake.addUser({ id, name });
});
afterAll(() => t?.stop());

const tick = async (app = t) => {
  await app.app.scheduler.runNow('incident-clocks');
  await app.settle();
};
const said = (c: FakeChannel, text: string) => c.messages.filter((m) => messageText(m).includes(text)).length;
const incidentOf = (c: FakeChannel) => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();

describe('no-commander nag', () => {
  it('nags the channel once per interval until someone takes command', async () => {
    clock.set('2026-11-26T09:00:00Z');
    const c = await declareIncident(t, { userId: 'UANA', title: 'Nobody in charge', commander: '' });
    clock.advanceMinutes(5);
    await tick();
    expect(said(c, 'has had no incident commander')).toBe(0);
    clock.advanceMinutes(5);
    await tick();
    await tick();
    expect(said(c, 'has had no incident commander')).toBe(1);
    clock.advanceMinutes(10);
    await tick();
    expect(said(c, 'has had no incident commander')).toBe(2);
    await t.slack.blockAction({ userId: 'UBEN', actionId: 'incident_claim_role:commander', channelId: c.id, messageTs: c.pins[0] });
    await eventually(async () => (await incidentOf(c)).commander_id === 'UBEN');
    clock.advanceMinutes(30);
    await tick();
    expect(said(c, 'has had no incident commander')).toBe(2);
  });
});

describe('update cadence', () => {
  it('nags the comms lead once per interval while an update is overdue, and stops at resolve', async () => {
    clock.set('2026-11-26T12:00:00Z');
    const c = await declareIncident(t, { userId: 'UANA', title: 'Cadence check', severity: 'SEV1' });
    await t.slack.command({ text: 'role comms <@UCAT|cat>', userId: 'UANA', channelId: c.id });
    await t.settle();
    const nags = () => c.messages.filter((m) => messageText(m).includes('an update for')).map((m) => messageText(m));
    clock.advanceMinutes(29);
    await tick();
    expect(nags()).toHaveLength(0);
    clock.advanceMinutes(1);
    await tick();
    await tick();
    expect(nags()).toHaveLength(1);
    expect(nags()[0]).toMatch(/^:hourglass: <@UCAT> an update for INC-\d+ was due/);
    clock.advanceMinutes(15);
    await tick();
    expect(nags()).toHaveLength(1);
    clock.advanceMinutes(15);
    await tick();
    expect(nags()).toHaveLength(2);
    // An update resets the clock: next due 30 minutes after it.
    await t.slack.command({ text: 'update', userId: 'UCAT', channelId: c.id });
    await submitModal(t, 'UCAT', 'incident_update', { status: { status: input.select('identified') }, message: { message: input.text('Found it') }, next_update: { next_update: input.select('none') } });
    clock.advanceMinutes(29);
    await tick();
    expect(nags()).toHaveLength(2);
    clock.advanceMinutes(2);
    await tick();
    expect(nags()).toHaveLength(3);
    await t.slack.command({ text: 'resolve', userId: 'UANA', channelId: c.id });
    await submitModal(t, 'UANA', 'incident_resolve', { summary: { summary: input.text('Fixed') } });
    clock.advanceMinutes(120);
    await tick();
    expect(nags()).toHaveLength(3);
  });
});

describe('SLA clocks', () => {
  it('warns at 75 % and at the breach, in the channel and to the commander; the breach is on the timeline and the card', async () => {
    clock.set('2026-11-26T15:00:00Z');
    const c = await declareIncident(t, { userId: 'UANA', title: 'SLA check', severity: 'SEV1', commander: 'UBEN' });
    clock.advanceMinutes(11);
    await tick();
    expect(said(c, 'response SLA')).toBe(0);
    clock.advanceMinutes(1);
    await tick();
    expect(said(c, 'response SLA (P1, 15m): 75 % used')).toBe(1);
    await eventually(() => t.fake.dmWith('UBEN')?.messages.some((m) => messageText(m).includes('response SLA (P1, 15m): 75 % used')));
    clock.advanceMinutes(3);
    await tick();
    await tick();
    expect(said(c, 'response SLA (P1, 15m) *breached*')).toBe(1);
    const incident = await incidentOf(c);
    const breaches = await t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', incident.id).where('kind', '=', 'sla_breached').execute();
    expect(breaches.map((b) => b.payload)).toEqual([{ clock: 'response', priority: 'P1', target_minutes: 15, due_at: '2026-11-26T15:15:00.000Z' }]);
    await eventually(() => messageText(c.messages.find((m) => m.ts === c.pins[0])).includes('Response :rotating_light: *breached*'));
    expect(messageText(c.messages.find((m) => m.ts === c.pins[0]))).toMatch(/Resolution due .* \(3h 45m left\)/);
  });

  it('a met response target stops its clock; the resolution clock goes on', async () => {
    clock.set('2026-11-26T18:00:00Z');
    const c = await declareIncident(t, { userId: 'UANA', title: 'Met target', severity: 'SEV2' });
    clock.advanceMinutes(10);
    await t.slack.command({ text: 'triage', userId: 'UANA', channelId: c.id });
    await submitModal(t, 'UANA', 'incident_triage', {
      category: { category: input.select('network') },
      impact: { impact: input.select('significant') },
      urgency: { urgency: input.select('high') },
      severity: { severity: input.select('SEV2') },
      services: { services: input.text(null) },
      business_impact: { business_impact: input.text(null) },
      classification: { classification: input.radio('incident') },
      reason: { reason: input.text(null) },
    });
    clock.advanceMinutes(30);
    await tick();
    expect(said(c, 'response SLA')).toBe(0);
    clock.advanceMinutes(320); // 360 of 480 minutes: 75 %
    await tick();
    expect(said(c, 'resolution SLA (P2, 8h 0m): 75 % used')).toBe(1);
  });
});

describe('vendor clock', () => {
  it('nags when the contractual response time passes, until the vendor responds', async () => {
    clock.set('2026-11-27T09:00:00Z');
    const c = await declareIncident(t, { userId: 'UANA', title: 'Vendor check', severity: 'SEV3' });
    await t.slack.command({ text: 'vendor', userId: 'UANA', channelId: c.id });
    const bad = await submitModal(t, 'UANA', 'incident_vendor', { vendor: { vendor: input.text('Acme Cloud') }, ticket_ref: { ticket_ref: input.text('ACME-991') }, contact: { contact: input.text(null) }, response_minutes: { response_minutes: input.text('soon') } });
    expect(bad.body.errors.response_minutes).toMatch(/whole number/);
    await submitModal(t, 'UANA', 'incident_vendor', { vendor: { vendor: input.text('Acme Cloud') }, ticket_ref: { ticket_ref: input.text('ACME-991') }, contact: { contact: input.text(null) }, response_minutes: { response_minutes: input.text('30') } });
    await eventually(() => said(c, 'engaged Acme Cloud (ticket ACME-991); contractual response 30m') === 1);
    clock.advanceMinutes(31);
    await tick();
    expect(said(c, 'Acme Cloud (ticket ACME-991) has not responded within the contractual 30m')).toBe(1);
    await t.slack.command({ text: 'vendor responded acme cloud', userId: 'UANA', channelId: c.id });
    await t.settle();
    await eventually(() => said(c, 'recorded that Acme Cloud responded after 31m (outside contract)') === 1);
    clock.advanceMinutes(60);
    await tick();
    expect(said(c, 'has not responded within')).toBe(1);
  });
});

describe('across restarts and replicas', () => {
  it('fires each nag once with two app processes, and after a restart', async () => {
    clock.set('2026-11-28T09:00:00Z');
    const c = await declareIncident(t, { userId: 'UANA', title: 'Two replicas', commander: '' });
    const clockB = new FakeClock('2026-11-28T09:00:00.001Z');
    const second = await startTestApp({ clock: clockB, database: t.database, fake: t.fake });
    try {
      clock.advanceMinutes(10);
      clockB.advanceMinutes(10);
      await Promise.all([tick(), tick(second), tick(), tick(second)]);
      expect(said(c, 'has had no incident commander')).toBe(1);
      await t.restart();
      await tick();
      expect(said(c, 'has had no incident commander')).toBe(1);
      clock.advanceMinutes(10);
      clockB.advanceMinutes(10);
      await Promise.all([tick(second), tick()]);
      expect(said(c, 'has had no incident commander')).toBe(2);
    } finally {
      await second.app.stop();
    }
  });
});
