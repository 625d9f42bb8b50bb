import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FIELDS_POLICY } from './support/fields-policy.js';
import { declareTyped, openForm } from './support/fields-flows.js';
import { declareIncident, lastResponse, messageText } from './support/flows.js';
import { ask, incidentOf, refOf } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import type { FakeChannel } from './support/fake-slack.js';
import { eventually } from './support/wait.js';

let t: TestApp;
let outage: FakeChannel;
let quiet: FakeChannel;
let breach: FakeChannel;
let untyped: FakeChannel;
beforeAll(async () => {
  t = await startTestApp({ policy: policySchema.parse({ ...FIELDS_POLICY, reviews: { required_priorities: [] } }) });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
  outage = await declareTyped(t, { userId: 'UANA', title: 'EU checkout down', type: 'Service outage' });
  quiet = await declareTyped(t, { userId: 'UANA', title: 'Search slow', type: 'Service outage' });
  breach = await declareTyped(t, { userId: 'UBEN', title: 'Keys in a gist', type: 'Security breach', kind: 'security', fields: { field_data_classification: { field_data_classification: input.select('restricted') } } });
  untyped = await declareIncident(t, { userId: 'UANA', title: 'Printer on fire' });
  const form = await openForm(t, 'resolve', 'UANA', outage.id, 'incident_resolve');
  const res = await t.slack.viewSubmission({ userId: 'UANA', view: form, values: { summary: { summary: input.text('Rolled back') }, field_customer_impact: { field_customer_impact: { type: 'number_input', value: '1200' } } } });
  expect(res.body).toBeFalsy();
  const edit = await openForm(t, 'fields', 'UANA', outage.id, 'incident_fields');
  await t.slack.viewSubmission({
    userId: 'UANA',
    view: edit,
    values: { fields_type: { fields_type: input.select('Service outage') }, field_customer_impact: { field_customer_impact: { type: 'number_input', value: '1200' } }, field_affected_regions: { field_affected_regions: input.multiSelect(['eu-west', 'us-east']) } },
  });
  await t.settle();
});
afterAll(() => t?.stop());

describe('types and fields where people look for them', () => {
  it('/incident stats breaks the period down by type', async () => {
    const r = await ask(t, 'stats 7d', 'UANA', 'CGENERAL');
    const text = messageText(r);
    expect(text).toContain('*By type*');
    expect(text).toMatch(/Service outage: 2 \(1 open\) · MTTR \d+s/);
    expect(text).toContain('Security breach: 1 (1 open) · MTTR –');
    expect(text).toContain('No type: 1 (1 open)');
  });

  it('/incident list filters by type, leaving private incidents out', async () => {
    const list = messageText(await ask(t, 'list all type service outage', 'UANA', 'CGENERAL'));
    expect(list).toContain('All incidents of type Service outage (2)');
    expect(list).toContain(refOf(outage));
    expect(list).toContain(refOf(quiet));
    expect(list).not.toContain('Printer on fire');
    const secret = await ask(t, 'list type Security breach', 'UANA', 'CGENERAL');
    expect(secret.text).toBe('No open incidents of type Security breach (private incidents are not listed by type).');
    expect((await ask(t, 'list type Earthquake', 'UANA', 'CGENERAL')).text).toBe('No incident type called "Earthquake". Types: Security breach, Service outage.');
  });

  it('exports a type column and one column per field, private incidents’ fields only to their members', async () => {
    await lastResponse(t, (await t.slack.command({ text: 'export 7d', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
    const file = await eventually(() => [...t.fake.files.values()].find((f) => f.filename === 'incidents-7d.csv' && f.channels.includes(t.fake.ims.get('UANA') ?? '-')));
    const [header, ...lines] = file.content.trim().split('\n');
    expect(header).toMatch(/,resolution_sla_met,type,field:customer_impact,field:affected_regions,field:data_classification,field:regulator_notified$/);
    expect(lines.find((l) => l.includes('EU checkout down'))).toMatch(/,Service outage,1200,eu-west;us-east,,$/);
    expect(lines.find((l) => l.includes('Printer on fire'))).toMatch(/,,,,,$/);
    const secret = lines.find((l) => l.includes('Security incident (restricted)'))!;
    expect(secret).toMatch(/,,,,,$/);
    expect(file.content).not.toContain('restricted,');

    const r = await lastResponse(t, (await t.slack.command({ text: 'dashboard', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
    const link = /(http:\/\/localhost:\d+\/dashboard\?token=\S+)/.exec(r.text)![1].replace('localhost', '127.0.0.1');
    const signIn = await fetch(link, { redirect: 'manual' });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const origin = new URL(link).origin;
    const csv = await (await fetch(`${origin}/dashboard/export.csv?period=7d&type=Service%20outage`, { headers: { cookie } })).text();
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe(header);
    expect(rows.slice(1).map((l) => l.split(',')[1]).sort()).toEqual(['EU checkout down', 'Search slow']);
    const overview = await (await fetch(`${origin}/dashboard?period=7d&type=Service%20outage`, { headers: { cookie } })).text();
    expect(overview).toContain('<option value="Service outage" selected>');
    expect(overview).not.toContain('Printer on fire');
    const stored = await incidentOf(t, outage);
    const page = await (await fetch(`${origin}/dashboard/incidents/${stored.id}`, { headers: { cookie } })).text();
    expect(page).toContain('<tr><th>Type</th><td>Service outage</td></tr>');
    expect(page).toContain('<tr><th>Customers affected</th><td>1200</td></tr>');
    expect(page).toContain('<tr><th>Regions</th><td>eu-west, us-east</td></tr>');
    expect(page).toContain('field_changed');
  });
});
