import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { FIELDS_POLICY } from './support/fields-policy.js';
import { chooseInForm } from './support/fields-flows.js';
import { declareValues, lastModal, messageText } from './support/flows.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';
import { alertmanagerGroup, policyWith, postWebhook, WEBHOOK_ENV } from './support/webhooks.js';

let t: TestApp;
const TRIAGE = 'CTRIAGE01';
beforeAll(async () => {
  t = await startTestApp({ env: WEBHOOK_ENV, policy: policyWith({ ...FIELDS_POLICY, signals: { triage_channel: TRIAGE } }) });
  t.fake.addChannel({ id: TRIAGE, name: 'alerts-triage', members: new Set([t.fake.botUserId]) });
  t.fake.addUser({ id: 'UANA', name: 'ana' });
});
afterAll(() => t?.stop());

describe('declaring a typed incident from a signal', () => {
  it('keeps what the signal filled in and the link to its alert group when the type redraws the form', async () => {
    const res = await postWebhook(t, 'alertmanager', alertmanagerGroup({ groupKey: '{}:{alertname="CheckoutLatency"}', alertname: 'CheckoutLatency', instances: ['api-1'], service: 'checkout' }));
    expect(res.status).toBe(200);
    const post = await eventually(() => t.fake.messagesIn(TRIAGE).find((m) => messageText(m).includes('CheckoutLatency')));
    await t.slack.blockAction({ userId: 'UANA', actionId: 'signal_declare', channelId: TRIAGE, messageTs: post.ts });
    const opened = await eventually(() => lastModal(t, 'UANA', 'incident_declare'));
    const shown = { title: { title: input.text('CheckoutLatency on api-1') }, severity: { severity: input.select('SEV1') }, services: { services: input.text('checkout') } };
    const view = await chooseInForm(t, 'UANA', opened.id, 'incident_type', 'Service outage', shown);
    const block = (id: string) => view.blocks.find((b: any) => b.block_id === id);
    expect(block('title').element.initial_value).toBe('CheckoutLatency on api-1');
    expect(block('severity').element.initial_option.value).toBe('SEV1');
    expect(block('field_customer_impact')).toBeDefined();
    expect(JSON.parse(view.private_metadata).origin).toEqual(JSON.parse(opened.private_metadata).origin);

    const values = { ...declareValues({ userId: 'UANA', title: 'Checkout latency', severity: 'SEV1', services: 'checkout' }), incident_type: { incident_type: input.select('Service outage') }, field_affected_regions: { field_affected_regions: input.multiSelect(['eu-west']) } };
    const done = await t.slack.viewSubmission({ userId: 'UANA', view, values });
    expect(done.body).toBeFalsy();
    await t.settle();
    const incident = await t.app.db.selectFrom('incidents').selectAll().where('title', '=', 'Checkout latency').executeTakeFirstOrThrow();
    expect(incident).toMatchObject({ incident_type: 'Service outage', custom_fields: { affected_regions: ['eu-west'] } });
    const group = await t.app.db.selectFrom('signal_groups').selectAll().where('group_key', '=', '{}:{alertname="CheckoutLatency"}').executeTakeFirstOrThrow();
    expect(group.incident_id).toBe(incident.id);
  });
});
