import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FIELDS_POLICY } from './support/fields-policy.js';
import { declareValues, lastModal, messageText } from './support/flows.js';
import { card, incidentOf, timelineKinds } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy: policySchema.parse({ ...FIELDS_POLICY, reviews: { required_priorities: [] } }) });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
});
afterAll(async () => { if (process.env.DEBUG_LOGS) console.log(t.logs.filter((l) => /"level":(40|50)/.test(l)).join('')); await t?.stop(); });

const blockIds = (view: any) => view.blocks.map((b: any) => b.block_id);
const block = (view: any, id: string) => view.blocks.find((b: any) => b.block_id === id);
const openView = (id: string) => t.fake.views.get(id)!.view;

/** Runs `/incident declare <title>` and returns the form it opens. */
async function openDeclare(title: string) {
  const before = new Set(t.fake.views.keys());
  await t.slack.command({ text: `declare ${title}`, userId: 'UANA', channelId: 'CGENERAL' });
  return eventually(() => {
    const v = lastModal(t, 'UANA', 'incident_declare');
    return before.has(v.id) ? undefined : v;
  });
}

/** Chooses a type in the open declare form and waits until the form shows it. */
async function chooseType(viewId: string, type: string, values: Record<string, Record<string, any>>) {
  const before = openView(viewId).hash;
  const res = await t.slack.blockAction({ userId: 'UANA', actionId: 'incident_type', view: { ...openView(viewId), id: viewId }, values: { ...values, incident_type: { incident_type: input.select(type) } }, selectedOption: { value: type } });
  expect(res.status).toBe(200);
  return eventually(() => (openView(viewId).hash !== before ? openView(viewId) : undefined), 5_000, `declare form redrawn for ${type}`);
}

describe('declaring an incident of a type', () => {
  it('asks for the type first, then shows its fields in place, with its privacy and severity preselected', async () => {
    const opened = await openDeclare('Keys leaked');
    expect(opened.blocks[0]).toMatchObject({ block_id: 'incident_type', type: 'input', dispatch_action: true, element: { type: 'static_select' } });
    expect(blockIds(opened).filter((id: string) => id.startsWith('field_'))).toEqual([]);

    const typed = { title: { title: input.text('Keys leaked') }, description: { description: input.text('Found in a public repo') } };
    const breach = await chooseType(opened.id, 'Security breach', typed);
    expect(blockIds(breach).filter((id: string) => id.startsWith('field_'))).toEqual(['field_data_classification', 'field_regulator_notified']);
    // A field without a label reads as its key in words; the declare-stage one must be filled, the close-stage one may wait.
    expect(block(breach, 'field_data_classification')).toMatchObject({ optional: false, label: { text: 'Data classification' }, element: { type: 'static_select' } });
    expect(block(breach, 'field_regulator_notified')).toMatchObject({ optional: true, label: { text: 'Regulator notified' }, hint: { text: 'Needed before it can be closed.' } });
    expect(block(breach, 'kind').element.initial_option.value).toBe('security');
    expect(block(breach, 'severity').element.initial_option.value).toBe('SEV1');
    expect(block(breach, 'title').element.initial_value).toBe('Keys leaked');
    expect(JSON.parse(breach.private_metadata)).toMatchObject({ channelId: 'CGENERAL', type: 'Security breach' });

    const outage = await chooseType(opened.id, 'Service outage', { ...typed, kind: { kind: input.radio('security') }, severity: { severity: input.select('SEV1') } });
    expect(blockIds(outage).filter((id: string) => id.startsWith('field_'))).toEqual(['field_customer_impact', 'field_affected_regions']);
    expect(block(outage, 'field_customer_impact')).toMatchObject({ optional: true, label: { text: 'Customers affected' }, element: { type: 'number_input' } });
    expect(block(outage, 'field_affected_regions').element).toMatchObject({ type: 'multi_static_select', options: [{ value: 'eu-west' }, { value: 'us-east' }, { value: 'ap-south' }] });
    expect(block(outage, 'kind').element.initial_option.value).toBe('service');
  });

  it('leaves a choice made on a form that has changed since to the later redraw', async () => {
    const opened = await openDeclare('Twice');
    const stale = { ...openView(opened.id), id: opened.id };
    await chooseType(opened.id, 'Service outage', {});
    const errorsBefore = t.logs.filter((l) => /"level":50/.test(l)).length;
    const res = await t.slack.blockAction({ userId: 'UANA', actionId: 'incident_type', view: stale, values: { incident_type: { incident_type: input.select('Security breach') } }, selectedOption: { value: 'Security breach' } });
    expect(res.status).toBe(200);
    await t.settle();
    expect(blockIds(openView(opened.id))).toContain('field_customer_impact');
    expect(t.logs.filter((l) => /"level":50/.test(l)).length).toBe(errorsBefore);
  });

  it('lets the declarer make an incident of a private type public', async () => {
    const opened = await openDeclare('Odd logins');
    const view = await chooseType(opened.id, 'Security breach', {});
    expect(block(view, 'kind').element.initial_option.value).toBe('security');
    const values = {
      ...declareValues({ userId: 'UANA', title: 'Odd logins', severity: 'SEV3', kind: 'service' }),
      incident_type: { incident_type: input.select('Security breach') },
      field_data_classification: { field_data_classification: input.select('internal') },
    };
    const res = await t.slack.viewSubmission({ userId: 'UANA', view: { ...view, id: opened.id }, values });
    expect(res.body).toBeFalsy();
    const stored = await t.app.db.selectFrom('incidents').selectAll().where('title', '=', 'Odd logins').executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ kind: 'service', incident_type: 'Security breach', severity: 'SEV3' });
  });

  it('refuses the declaration inline until the declare-stage field is filled, then opens a private channel named by the type with its playbook', async () => {
    const opened = await openDeclare('Keys leaked');
    const view = await chooseType(opened.id, 'Security breach', {});
    const values = {
      ...declareValues({ userId: 'UANA', title: 'Keys leaked', severity: 'SEV1', kind: 'security' }),
      incident_type: { incident_type: input.select('Security breach') },
      field_data_classification: { field_data_classification: input.select(null) },
      field_regulator_notified: { field_regulator_notified: input.select(null) },
    };
    const refused = await t.slack.viewSubmission({ userId: 'UANA', view: { ...view, id: opened.id }, values });
    expect(refused.body).toEqual({ response_action: 'errors', errors: { field_data_classification: 'Data classification is required before declaring.' } });
    expect(refused.viewErrors).toEqual([]);
    expect(await t.app.db.selectFrom('incidents').select('id').where('title', '=', 'Keys leaked').execute()).toEqual([]);

    const before = new Set(t.fake.channels.keys());
    const ok = await t.slack.viewSubmission({ userId: 'UANA', view: { ...openView(opened.id), id: opened.id }, values: { ...values, field_data_classification: { field_data_classification: input.select('restricted') } } });
    expect(ok.body).toBeFalsy();
    await t.settle();
    const channel = await eventually(() => [...t.fake.channels.values()].find((c) => !before.has(c.id) && !c.is_im && c.pins.length > 0), 10_000, 'incident channel');
    expect(channel.name).toMatch(/^sec-\d+$/);
    expect(channel.is_private).toBe(true);
    const stored = await incidentOf(t, channel);
    expect(stored).toMatchObject({ incident_type: 'Security breach', kind: 'security', custom_fields: { data_classification: 'restricted' } });
    const text = await eventually(() => {
      const shown = messageText(card(channel));
      return shown.includes('*Type:* Security breach') ? shown : undefined;
    }, 10_000, 'the card with the type');
    expect(text).toContain('*Data classification:* restricted');
    expect(text).toContain('*Regulator notified:* _not set_');
    await eventually(() => channel.messages.some((m) => messageText(m).includes('Preserve evidence')), 10_000, 'the type’s playbook');
    expect(await timelineKinds(t, stored.id)).toContain('checklist_posted');
  });
});
