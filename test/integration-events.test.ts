import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATION_EVENT_TYPES, integrationEventSchema, type IntegrationEvent } from '../src/integrations/events.js';
import type { IntegrationSubscriber } from '../src/integrations/registry.js';
import { RetryLater } from '../src/jobs/task-runner.js';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, messageText, submitModal, triageValues } from './support/flows.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

/** What a connector would receive: every event, as it arrives. */
const received: IntegrationEvent[] = [];
const recording: IntegrationSubscriber = {
  name: 'recording',
  events: INTEGRATION_EVENT_TYPES,
  async handle(event) {
    received.push(event);
  },
};
/**
 * A connector whose system is down for the whole run and asks to be tried again in a minute (as a
 * Retry-After would), so its first delivery is never given up while the test runs, however slow.
 */
let outageCalls = 0;
const outage: IntegrationSubscriber = {
  name: 'outage',
  events: INTEGRATION_EVENT_TYPES,
  async handle() {
    outageCalls++;
    throw new RetryLater('503 Service Unavailable', 60_000);
  },
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy: { reviews: { required_priorities: [], due_days: 5, remind_before_days: 2 } }, subscribers: [recording, outage] });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
});
afterAll(() => t?.stop());

const command = async (channelId: string, text: string, userId = 'UANA') => {
  const res = await t.slack.command({ text, userId, channelId });
  expect(res.status).toBe(200);
};
const of = (incidentId: string) => received.filter((e) => e.incident.id === incidentId);

describe('integration events, driven through Slack', () => {
  it('an incident run in Slack reaches a subscriber in order, while a connector that is down holds up nothing', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Search latency over 5s', severity: 'SEV2', commander: 'UBEN' });
    const number = Number(/^inc-(\d+)-/.exec(channel.name)![1]);

    await command(channel.id, 'triage', 'UBEN');
    await submitModal(t, 'UBEN', 'incident_triage', triageValues({ impact: 'significant', urgency: 'high', severity: 'SEV2', business: 'Search is slow' }));
    await command(channel.id, 'update', 'UBEN');
    await submitModal(t, 'UBEN', 'incident_update', { status: { status: input.select('identified') }, message: { message: input.text('Bad index; rebuilding it.') }, next_update: { next_update: input.select('30') } });
    await eventually(() => channel.messages.find((m) => messageText(m).includes('Bad index; rebuilding it.')));
    await command(channel.id, 'resolve', 'UBEN');
    await submitModal(t, 'UBEN', 'incident_resolve', { summary: { summary: input.text('Index rebuilt.') } });
    await command(channel.id, 'close', 'UBEN');
    await eventually(() => channel.topic.includes('closed'));
    await t.settle();

    const incident = await t.app.db.selectFrom('incidents').select(['id', 'number']).where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    const events = await eventually(() => (of(incident.id).some((e) => e.type === 'incident.closed') ? of(incident.id) : undefined), 10_000, 'the closing event');
    expect(events.map((e) => e.type)).toEqual([
      'incident.declared',
      'incident.channel_created',
      'incident.priority_changed',
      'incident.triaged',
      'incident.updated',
      'incident.resolved',
      'incident.closed',
    ]);
    expect(events.map((e) => e.actor)).toEqual(['UANA', null, 'UBEN', 'UBEN', 'UBEN', 'UBEN', 'UBEN']);
    expect(events[0]).toMatchObject({ data: { title: 'Search latency over 5s', severity: 'SEV2', commander: 'UBEN' }, incident: { ref: `INC-${number}`, private: false, channelId: null } });
    expect(events[1]).toMatchObject({ data: { channelId: channel.id, name: channel.name }, incident: { channelId: channel.id } });
    expect(events[3]).toMatchObject({ data: { priority: 'P2', businessImpact: 'Search is slow', first: true }, incident: { priority: 'P2' } });
    expect(events[4].data).toEqual({ audience: 'technical', status: 'identified', message: 'Bad index; rebuilding it.', nextUpdateAt: expect.any(String) });
    expect(events[5].data).toEqual({ summary: 'Index rebuilt.', audiences: [] });
    for (const e of events) expect(integrationEventSchema.parse(e)).toEqual(e);

    // The connector that is down was tried, and its deliveries wait in its own lane, in order.
    expect(outageCalls).toBeGreaterThan(0);
    const waiting = await t.app.db
      .selectFrom('slack_tasks')
      .select('idempotency_key')
      .where('lane', '=', 'integration:outage')
      .where('incident_id', '=', incident.id)
      .where('done_at', 'is', null)
      .orderBy('id')
      .execute();
    expect(waiting.map((w) => w.idempotency_key)).toEqual(events.map((e) => `${e.id}:outage`));

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/incident_officer_integration_deliveries_total\{subscriber="recording",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/incident_officer_integration_deliveries_total\{subscriber="outage",outcome="retry"\} [1-9]/);
    // The connector's backlog is its own series; the Slack outbox reads as drained.
    expect(metrics).toMatch(/incident_officer_outbox_tasks_due\{lane="integration:outage"\} [1-9]/);
    expect(metrics).toMatch(/incident_officer_outbox_tasks_due\{lane="slack"\} 0\n/);
  });

  it('a security incident is not sent to subscribers that did not ask for private incidents', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Leaked API key', kind: 'security' });
    await t.settle();
    const incident = await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(of(incident.id)).toEqual([]);
    const lanes = await t.app.db.selectFrom('slack_tasks').select('lane').distinct().where('incident_id', '=', incident.id).execute();
    expect(lanes).toEqual([{ lane: 'slack' }]);
  });
});
