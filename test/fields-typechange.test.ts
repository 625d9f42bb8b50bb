import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FIELDS_POLICY } from './support/fields-policy.js';
import { chooseInForm, declareTyped, openForm, openView } from './support/fields-flows.js';
import { ask, incidentOf, resolveIncident } from './support/follow-up.js';
import { input } from './support/slack-requests.js';

let t: TestApp;
beforeAll(async () => {
  const policy = { ...FIELDS_POLICY, reviews: { required_priorities: [] }, permissions: { fields: { roles: ['commander'] } } };
  t = await startTestApp({ policy: policySchema.parse(policy) });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
});
afterAll(async () => { await t?.stop(); });

const fieldRows = async (incidentId: string) =>
  (await t.app.db.selectFrom('timeline_events').select(['kind', 'actor_id', 'payload']).where('incident_id', '=', incidentId).where('kind', 'in', ['field_changed', 'type_changed']).orderBy('id').execute()).map((r) => [r.kind, r.actor_id, r.payload]);

describe('/incident fields changing the type', () => {
  it('refuses a type whose declare-stage field is left empty, under that field, until it is filled', async () => {
    const channel = await declareTyped(t, { userId: 'UANA', title: 'Odd logins', type: 'Service outage' });
    const form = await openForm(t, 'fields', 'UANA', channel.id, 'incident_fields');
    const redrawn = await chooseInForm(t, 'UANA', form.id, 'fields_type', 'Security breach');
    const classification = redrawn.blocks.find((b: any) => b.block_id === 'field_data_classification');
    expect(classification.optional).toBe(false);

    const refused = await t.slack.viewSubmission({ userId: 'UANA', view: openView(t, form.id), values: { fields_type: { fields_type: input.select('Security breach') }, field_data_classification: { field_data_classification: input.select(null) } } });
    expect(refused.body).toEqual({ response_action: 'errors', errors: { field_data_classification: 'Data classification is required before declaring.' } });
    const unchanged = await incidentOf(t, channel);
    expect(unchanged.incident_type).toBe('Service outage');
    expect(await fieldRows(unchanged.id)).toEqual([]);

    const ok = await t.slack.viewSubmission({ userId: 'UANA', view: openView(t, form.id), values: { fields_type: { fields_type: input.select('Security breach') }, field_data_classification: { field_data_classification: input.select('restricted') } } });
    expect(ok.body).toBeFalsy();
    const stored = await incidentOf(t, channel);
    expect(stored.incident_type).toBe('Security breach');
    expect(stored.custom_fields).toEqual({ data_classification: 'restricted' });
    expect(await fieldRows(stored.id)).toEqual([
      ['type_changed', 'UANA', { from: 'Service outage', to: 'Security breach' }],
      ['field_changed', 'UANA', { key: 'data_classification', label: 'Data classification', field_type: 'select', from: null, to: 'restricted' }],
    ]);
  });

  it('refuses, for a resolved incident, a type whose resolve-stage field is left empty', async () => {
    const channel = await declareTyped(t, { userId: 'UANA', title: 'Leaked key', type: 'Security breach', kind: 'security', fields: { field_data_classification: { field_data_classification: input.select('internal') } } });
    await resolveIncident(t, channel, 'UANA', 'Key rotated');
    const form = await openForm(t, 'fields', 'UANA', channel.id, 'incident_fields');
    const redrawn = await chooseInForm(t, 'UANA', form.id, 'fields_type', 'Service outage');
    expect(redrawn.blocks.find((b: any) => b.block_id === 'field_customer_impact').optional).toBe(false);

    const refused = await t.slack.viewSubmission({ userId: 'UANA', view: openView(t, form.id), values: { fields_type: { fields_type: input.select('Service outage') }, field_customer_impact: { field_customer_impact: { type: 'number_input', value: null } } } });
    expect(refused.body).toEqual({ response_action: 'errors', errors: { field_customer_impact: 'Customers affected is required before resolving.' } });
    const stored = await incidentOf(t, channel);
    expect(stored.incident_type).toBe('Security breach');
    expect(await fieldRows(stored.id)).toEqual([]);
  });

  it('follows permissions.fields: someone else is refused, naming who may', async () => {
    const channel = await declareTyped(t, { userId: 'UANA', title: 'Slow search', type: 'Service outage' });
    const refused = await ask(t, 'fields', 'UBEN', channel.id);
    expect(refused.response_type).toBe('ephemeral');
    expect(refused.text).toMatch(/^Only the .*ommander may change the type and fields of /);

    // A form opened by the commander and submitted by someone else is refused too.
    const form = await openForm(t, 'fields', 'UANA', channel.id, 'incident_fields');
    const bySomeoneElse = await t.slack.viewSubmission({ userId: 'UBEN', view: form, values: { fields_type: { fields_type: input.select('Service outage') }, field_customer_impact: { field_customer_impact: { type: 'number_input', value: '3' } } } });
    expect(bySomeoneElse.body).toMatchObject({ response_action: 'errors', errors: { fields_type: expect.stringMatching(/^Only the .*ommander may/) } });
    expect((await incidentOf(t, channel)).custom_fields).toEqual({});
  });
});
