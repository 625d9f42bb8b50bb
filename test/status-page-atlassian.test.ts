import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { startFakeStatuspage, type FakeComponent, type FakeStatuspage } from './support/fake-statuspage.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, lastModal, messageText, submitModal } from './support/flows.js';
import { resolveIncident } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import { postValues, pressApprove, publishPublicUpdate, recordChange } from './support/status-page.js';
import { eventually } from './support/wait.js';

const COMPONENTS = ['Checkout', 'Website'];
const clock = new FakeClock('2026-11-26T09:00:00Z');
let sp: FakeStatuspage;
let checkout: FakeComponent;
let website: FakeComponent;
let t: TestApp;

beforeAll(async () => {
  sp = await startFakeStatuspage();
  checkout = sp.addComponent('Checkout');
  website = sp.addComponent('Website');
  const policy = policySchema.parse({
    services: [{ name: 'checkout-api' }, { name: 'web' }],
    changes: { cab_channel: 'C0CAB', approvers: ['UBEN'] },
    status_page: {
      title: 'Acme status',
      components: [
        { name: 'Checkout', services: ['checkout-api'] },
        { name: 'Website', services: ['web'] },
      ],
      atlassian: { page_id: sp.pageId, api_url: sp.url, components: { Checkout: checkout.id, Website: website.id } },
    },
  });
  t = await startTestApp({ policy, clock, env: { STATUSPAGE_API_KEY: sp.apiKey } });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
  t.fake.addChannel({ id: 'C0CAB', name: 'cab' });
});
afterAll(async () => {
  await t?.stop();
  await sp?.close();
});

let channel: FakeChannel;

describe('Atlassian Statuspage kept in step with the status page', () => {
  it('creates the Statuspage incident only once the post is approved, with its components and their states', async () => {
    channel = await declareIncident(t, { userId: 'UANA', title: 'Payments OOM', severity: 'SEV1', serviceList: ['checkout-api'] });
    await t.slack.command({ text: 'role comms <@UBEN>', userId: 'UANA', channelId: channel.id });
    await t.settle();
    await publishPublicUpdate(t, channel, { author: 'UANA', components: COMPONENTS, status: 'investigating', message: 'OOM', title: 'Card payments failing', body: 'Some card payments fail.', states: { Checkout: 'major_outage' } });
    await t.settle();
    expect(sp.writes()).toEqual([]);
    await pressApprove(t, channel, 'UBEN');
    await eventually(() => sp.sent('POST').length === 1 || undefined);
    expect(sp.sent('POST')[0]).toMatchObject({
      name: 'Card payments failing',
      status: 'investigating',
      body: 'Some card payments fail.',
      component_ids: [checkout.id],
      components: { [checkout.id]: 'major_outage' },
      deliver_notifications: true,
    });
    expect(sp.calls.every((c) => c.path.startsWith(`/pages/${sp.pageId}/`))).toBe(true);
  });

  it('updates it to resolved once, through a rate limit, and never sends a post twice', async () => {
    clock.advanceMinutes(30);
    await resolveIncident(t, channel, 'UANA', 'Rolled back');
    await t.settle();
    sp.rateLimit(1, 1);
    const offer = await eventually(() => channel.messages.find((m) => (m.blocks ?? []).some((b: any) => b.elements?.some((e: any) => e.action_id === 'status_open_resolved'))));
    await t.slack.blockAction({ userId: 'UANA', actionId: 'status_open_resolved', channelId: channel.id, messageTs: offer.ts });
    const form = await eventually(() => lastModal(t, 'UANA', 'status_post'));
    await t.slack.viewSubmission({ userId: 'UANA', view: form, values: postValues(COMPONENTS, { status: 'resolved', title: 'Card payments failing', body: 'Card payments work again.', states: { Checkout: 'operational' } }) });
    await submitModal(t, 'UANA', 'status_post_preview', {});
    await pressApprove(t, channel, 'UBEN');
    await eventually(() => sp.sent('PATCH').length === 1 || undefined, 15_000, 'the resolved PATCH after the rate limit');
    const [incident] = sp.allIncidents();
    expect(sp.sent('PATCH')[0]).toMatchObject({ status: 'resolved', body: 'Card payments work again.', components: { [checkout.id]: 'operational' } });
    expect(incident.status).toBe('resolved');
    expect(sp.writes().map((c) => `${c.method} ${c.status}`)).toEqual(['POST 201', 'PATCH 429', 'PATCH 200']);
    await t.settle();
    expect(sp.sent('POST')).toHaveLength(1);
    expect(sp.sent('PATCH')).toHaveLength(1);
  });

  it('creates a change published as maintenance as a scheduled incident, and moves it to in progress and completed with its window', async () => {
    const before = sp.writes().length;
    const start = new Date(clock.now().getTime() + 60 * 60_000);
    const end = new Date(start.getTime() + 30 * 60_000);
    await recordChange(t, 'UBEN', { title: 'Website load balancer swap', services: ['web'], start, end, publish: true });
    await eventually(() => sp.writes().length === before + 1 || undefined);
    expect(sp.sent('POST')[1]).toMatchObject({ name: 'Website load balancer swap', status: 'scheduled', component_ids: [website.id], scheduled_for: start.toISOString(), scheduled_until: end.toISOString() });
    const tick = async (at: Date, writes: number) => {
      clock.set(at);
      await t.app.scheduler.runNow('status-maintenance');
      await eventually(() => sp.writes().length === writes || undefined);
    };
    await tick(new Date(start.getTime() + 60_000), before + 2);
    expect(sp.sent('PATCH').at(-1)).toMatchObject({ status: 'in_progress', components: { [website.id]: 'under_maintenance' } });
    await tick(new Date(end.getTime() + 60_000), before + 3);
    expect(sp.sent('PATCH').at(-1)).toMatchObject({ status: 'completed', components: { [website.id]: 'operational' } });
    // A tick with nothing new sends nothing.
    await t.app.scheduler.runNow('status-maintenance');
    await t.settle();
    expect(sp.writes()).toHaveLength(before + 3);
  });

  it('deletes the scheduled incident, once, when the CAB rejects the change behind a maintenance', async () => {
    const before = sp.writes().length;
    const start = new Date(clock.now().getTime() + 24 * 60 * 60_000);
    await recordChange(t, 'UANA', { title: 'Risky website migration', services: ['web'], start, end: new Date(start.getTime() + 60 * 60_000), publish: true, risk: 'high' });
    await eventually(() => sp.writes().length === before + 1 || undefined);
    const scheduled = sp.allIncidents().find((i) => i.name === 'Risky website migration')!;
    expect(scheduled).toMatchObject({ status: 'scheduled', component_ids: [website.id] });

    const request = await eventually(() => t.fake.channels.get('C0CAB')!.messages.find((m) => messageText(m).includes('Risky website migration')));
    await t.slack.blockAction({ userId: 'UBEN', actionId: 'change_reject', channelId: 'C0CAB', messageTs: request.ts });
    await submitModal(t, 'UBEN', 'change_reject', { reason: { reason: input.text('Not during the sale') } });
    await t.settle();
    clock.advanceMinutes(1);
    await t.app.scheduler.runNow('status-maintenance');
    await eventually(() => sp.writes().length === before + 2 || undefined, 15_000, 'the DELETE of the scheduled incident');
    expect(sp.writes().slice(before).map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([`POST /pages/${sp.pageId}/incidents 201`, `DELETE /pages/${sp.pageId}/incidents/${scheduled.id} 200`]);
    expect(sp.incident(scheduled.id)).toBeUndefined();
    // Statuspage has answered the DELETE; the link records it once the app has read that answer.
    const link = () => t.app.db.selectFrom('statuspage_links').select(['statuspage_incident_id', 'last_status', 'last_error']).where('statuspage_incident_id', '=', scheduled.id).executeTakeFirst();
    const withdrawn = await eventually(async () => ((await link())?.last_status === 'withdrawn' ? link() : undefined), 15_000, 'the withdrawal recorded');
    expect(withdrawn).toEqual({ statuspage_incident_id: scheduled.id, last_status: 'withdrawn', last_error: null });

    // Later ticks send nothing more.
    clock.advanceMinutes(1);
    await t.app.scheduler.runNow('status-maintenance');
    await t.settle();
    expect(sp.writes()).toHaveLength(before + 2);
  });

  it('tells the incident channel once when Statuspage keeps failing a post, and gets it through when it recovers', async () => {
    const second = await declareIncident(t, { userId: 'UANA', title: 'Website 502s', severity: 'SEV1', serviceList: ['web'] });
    await t.slack.command({ text: 'role comms <@UBEN>', userId: 'UANA', channelId: second.id });
    await t.settle();
    const posts = sp.sent('POST').length;
    sp.failNext(3, 503);
    await publishPublicUpdate(t, second, { author: 'UANA', approver: 'UBEN', components: COMPONENTS, status: 'investigating', message: '502', title: 'Website errors', body: 'Some pages fail to load.', states: { Website: 'partial_outage' } });
    await eventually(() => sp.sent('POST').length === posts + 1 || undefined, 20_000, 'the post getting through');
    await t.settle();
    const told = second.messages.filter((m) => (m.text ?? '').includes('Statuspage has not taken the post "Website errors"'));
    expect(told).toHaveLength(1);
    expect(sp.allIncidents().filter((i) => i.name === 'Website errors')).toHaveLength(1);
  });
});
