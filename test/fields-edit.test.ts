import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FIELDS_POLICY } from './support/fields-policy.js';
import { chooseInForm, declareTyped, openForm, openView } from './support/fields-flows.js';
import { messageText } from './support/flows.js';
import { ask, card, incidentOf, resolveIncident } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy: policySchema.parse({ ...FIELDS_POLICY, reviews: { required_priorities: [] } }) });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
});
afterAll(async () => { if (process.env.DEBUG_LOGS) console.log(t.logs.filter((l) => /"level":(40|50)/.test(l)).join('')); await t?.stop(); });

const fieldRows = async (incidentId: string) =>
  (await t.app.db.selectFrom('timeline_events').select(['kind', 'actor_id', 'payload']).where('incident_id', '=', incidentId).where('kind', 'in', ['field_changed', 'type_changed']).orderBy('id').execute()).map((r) => [r.kind, r.actor_id, r.payload]);
const cardShows = (channel: { id: string }, text: string) =>
  eventually(() => (messageText(card(t.fake.channels.get(channel.id)!)).includes(text) ? true : undefined), 10_000, `card showing ${text}`);

describe('/incident fields', () => {
  it('edits the fields in a modal: each change a timeline row, the card shows them', async () => {
    const channel = await declareTyped(t, { userId: 'UANA', title: 'EU checkout down', type: 'Service outage' });
    await cardShows(channel, '*Customers affected:* _not set_');
    const form = await openForm(t, 'fields', 'UBEN', channel.id, 'incident_fields');
    expect(form.blocks.map((b: any) => b.block_id)).toEqual(['fields_type', 'field_customer_impact', 'field_affected_regions']);
    expect(form.blocks[0].element.initial_option.value).toBe('Service outage');
    const res = await t.slack.viewSubmission({
      userId: 'UBEN',
      view: form,
      values: {
        fields_type: { fields_type: input.select('Service outage') },
        field_customer_impact: { field_customer_impact: { type: 'number_input', value: '1200' } },
        field_affected_regions: { field_affected_regions: input.multiSelect(['eu-west', 'us-east']) },
      },
    });
    expect(res.body).toBeFalsy();
    const stored = await incidentOf(t, channel);
    expect(stored.custom_fields).toEqual({ customer_impact: 1200, affected_regions: ['eu-west', 'us-east'] });
    expect(await fieldRows(stored.id)).toEqual([
      ['field_changed', 'UBEN', { key: 'customer_impact', label: 'Customers affected', field_type: 'number', from: null, to: 1200 }],
      ['field_changed', 'UBEN', { key: 'affected_regions', label: 'Regions', field_type: 'multi_select', from: null, to: ['eu-west', 'us-east'] }],
    ]);
    await cardShows(channel, '*Customers affected:* 1200');
    await cardShows(channel, '*Regions:* eu-west, us-east');
    const timeline = await ask(t, 'timeline', 'UBEN', channel.id);
    expect(JSON.stringify(timeline)).toContain('set Customers affected: 1200');

    // A number that is not one is refused under its input.
    const again = await openForm(t, 'fields', 'UBEN', channel.id, 'incident_fields');
    expect(again.blocks[1].element.initial_value).toBe('1200');
    const bad = await t.slack.viewSubmission({ userId: 'UBEN', view: again, values: { fields_type: { fields_type: input.select('Service outage') }, field_customer_impact: { field_customer_impact: { type: 'number_input', value: 'lots' } } } });
    expect(bad.body).toEqual({ response_action: 'errors', errors: { field_customer_impact: 'Customers affected must be a number.' } });
  });

  it('switches the form’s fields with the type, and records the new type', async () => {
    const channel = await declareTyped(t, { userId: 'UANA', title: 'Strange traffic', type: 'Service outage' });
    const form = await openForm(t, 'fields', 'UANA', channel.id, 'incident_fields');
    const redrawn = await chooseInForm(t, 'UANA', form.id, 'fields_type', 'Security breach');
    expect(redrawn.blocks.map((b: any) => b.block_id)).toEqual(['fields_type', 'field_data_classification', 'field_regulator_notified']);
    const res = await t.slack.viewSubmission({
      userId: 'UANA',
      view: openView(t, form.id),
      values: { fields_type: { fields_type: input.select('Security breach') }, field_data_classification: { field_data_classification: input.select('internal') } },
    });
    expect(res.body).toBeFalsy();
    const stored = await incidentOf(t, channel);
    expect(stored.incident_type).toBe('Security breach');
    expect((await fieldRows(stored.id)).map((r) => r[0])).toEqual(['type_changed', 'field_changed']);
    await cardShows(channel, '*Type:* Security breach');
  });

  it('asks for the fields needed to resolve in the resolve form, refusing inline while they are empty', async () => {
    const channel = await declareTyped(t, { userId: 'UANA', title: 'Payments slow', type: 'Service outage' });
    const byCommand = await ask(t, 'close', 'UANA', channel.id);
    expect(byCommand.text).toContain('Resolve the incident before closing it');
    // Resolving through a status update names the field under the message.
    const update = await openForm(t, 'update', 'UANA', channel.id, 'incident_update');
    const byUpdate = await t.slack.viewSubmission({ userId: 'UANA', view: update, values: { status: { status: input.select('resolved') }, message: { message: input.text('Fixed') }, next_update: { next_update: input.select(null) } } });
    expect(byUpdate.body).toEqual({ response_action: 'errors', errors: { message: 'Customers affected is required before resolving.' } });
    const form = await openForm(t, 'resolve', 'UANA', channel.id, 'incident_resolve');
    expect(form.blocks.map((b: any) => b.block_id)).toEqual(['summary', 'field_customer_impact']);
    const refused = await t.slack.viewSubmission({ userId: 'UANA', view: form, values: { summary: { summary: input.text('Rolled back') }, field_customer_impact: { field_customer_impact: { type: 'number_input', value: null } } } });
    expect(refused.body).toEqual({ response_action: 'errors', errors: { field_customer_impact: 'Customers affected is required before resolving.' } });
    expect((await incidentOf(t, channel)).resolved_at).toBeNull();
    const ok = await t.slack.viewSubmission({ userId: 'UANA', view: form, values: { summary: { summary: input.text('Rolled back') }, field_customer_impact: { field_customer_impact: { type: 'number_input', value: '40' } } } });
    expect(ok.body).toBeFalsy();
    const stored = await incidentOf(t, channel);
    expect(stored.resolved_at).not.toBeNull();
    expect(stored.custom_fields).toEqual({ customer_impact: 40 });
  });

  it('refuses to close until the close-stage field is set, naming it', async () => {
    const channel = await declareTyped(t, { userId: 'UANA', title: 'Token leak', type: 'Security breach', kind: 'security', fields: { field_data_classification: { field_data_classification: input.select('confidential') } } });
    await resolveIncident(t, channel, 'UANA', 'Tokens revoked');
    const refused = await ask(t, 'close', 'UANA', channel.id);
    expect(refused.text).toBe('Fill in Regulator notified before closing (`/incident fields`).');
    expect((await incidentOf(t, channel)).closed_at).toBeNull();
    const form = await openForm(t, 'fields', 'UANA', channel.id, 'incident_fields');
    await t.slack.viewSubmission({
      userId: 'UANA',
      view: form,
      values: { fields_type: { fields_type: input.select('Security breach') }, field_data_classification: { field_data_classification: input.select('confidential') }, field_regulator_notified: { field_regulator_notified: input.select('not required') } },
    });
    const closed = await ask(t, 'close', 'UANA', channel.id);
    expect(closed.text).toMatch(/is closed\.$/);
    expect((await incidentOf(t, channel)).closed_at).not.toBeNull();
  });
});
