import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, declareValues, lastModal, lastResponse, messageText, submitModal, triageValues } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

const policy = policySchema.parse({
  services: [
    { name: 'checkout', description: 'Web checkout', owner: 'checkout-team', tier: 1, depends_on: ['payments-api'], runbook: 'https://wiki.example.com/runbooks/checkout', vendors: ['Acme Payments'] },
    { name: 'payments-api', owner: 'S0PAY', tier: 1, vendors: ['Acme Payments'], invite_owner_for: ['P1', 'P2', 'P3'] },
    { name: 'search', owner: 'search-team', tier: 3 },
  ],
  vendors: [
    { name: 'Acme Payments', contacts: ['+1 555 0100', 'support@acme.example'], response_minutes: 60, response_minutes_by_priority: { P1: 15 } },
    { name: 'CloudCo', contacts: ['cloud@example.com'], response_minutes: 120 },
  ],
});

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UOWN1', 'olga'], ['UOWN2', 'omar'], ['UPAY', 'pat'], ['USRCH', 'sam']]) t.fake.addUser({ id, name });
  t.fake.addUsergroup({ id: 'S0CHK', handle: 'checkout-team', users: ['UOWN1', 'UOWN2'] });
  t.fake.addUsergroup({ id: 'S0PAY', handle: 'payments-oncall', users: ['UPAY'] });
  t.fake.addUsergroup({ id: 'S0SRCH', handle: 'search-team', users: ['USRCH'] });
});
afterAll(() => t?.stop());

const stored = (c: FakeChannel) => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();
const timeline = async (c: FakeChannel) => t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', (await stored(c)).id).orderBy('id').execute();
const card = (c: FakeChannel) => c.messages.find((m) => m.ts === c.pins[0]);
const reply = async (c: FakeChannel | string, text: string, userId = 'UANA') => lastResponse(t, (await t.slack.command({ text, userId, channelId: typeof c === 'string' ? c : c.id })).responseUrl);
describe('service catalog in the forms', () => {
  it('offers the catalog grouped by tier in the declare form, and stores what was chosen', async () => {
    await t.slack.command({ text: 'declare Checkout slow', userId: 'UANA', channelId: 'CGENERAL' });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_declare'));
    const field = view.blocks.find((b: any) => b.block_id === 'services');
    expect(field.element.type).toBe('multi_static_select');
    expect(field.element.option_groups.map((g: any) => [g.label.text, g.options.map((o: any) => o.value)])).toEqual([
      ['Tier 1 · critical', ['checkout', 'payments-api']],
      ['Tier 3 · medium', ['search']],
    ]);
    expect(field.element.option_groups[0].options[0].description.text).toBe('Tier 1 · critical · @checkout-team');
    t.fake.closeView(view.id);
    const c = await declareIncident(t, { userId: 'UANA', title: 'Search results empty', severity: 'SEV3', serviceList: ['search'] });
    expect((await stored(c)).services).toEqual(['search']);
  });

  it('preselects the incident services in triage and keeps names that are not in the catalog', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'CRM sync lagging', severity: 'SEV4', serviceList: ['search'] });
    await t.app.db.updateTable('incidents').set({ services: ['search', 'legacy-crm'] }).where('channel_id', '=', c.id).execute();
    await t.slack.command({ text: 'triage', userId: 'UANA', channelId: c.id });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_triage'));
    const field = view.blocks.find((b: any) => b.block_id === 'services');
    expect(field.element.initial_options.map((o: any) => o.value)).toEqual(['search', 'legacy-crm']);
    expect(field.element.option_groups.at(-1)).toMatchObject({ label: { text: 'Not in the catalog' }, options: [{ value: 'legacy-crm' }] });
    await submitModal(t, 'UANA', 'incident_triage', triageValues({ impact: 'minor', urgency: 'low', category: 'application', severity: 'SEV3', services: ['search', 'checkout'] }));
    expect((await stored(c)).services).toEqual(['search', 'checkout']);
  });

  it('searches a catalog of more than 100 services through the options handler', async () => {
    const big = policySchema.parse({ services: Array.from({ length: 600 }, (_, i) => ({ name: `svc-${String(i).padStart(3, '0')}`, tier: (i % 4) + 1, owner: `team-${i % 7}` })) });
    const t2 = await startTestApp({ policy: big });
    try {
      t2.fake.addUser({ id: 'UANA', name: 'ana' });
      await t2.slack.command({ text: 'declare Many services', userId: 'UANA', channelId: 'CGENERAL' });
      const view = await eventually(() => lastModal(t2, 'UANA', 'incident_declare'));
      const field = view.blocks.find((b: any) => b.block_id === 'services');
      expect(field.element).toMatchObject({ type: 'multi_external_select', action_id: 'services', min_query_length: 0 });
      const all = await t2.slack.blockSuggestion({ userId: 'UANA', actionId: 'services', value: '', view });
      expect(all.status).toBe(200);
      expect(all.body.options).toHaveLength(100);
      const some = await t2.slack.blockSuggestion({ userId: 'UANA', actionId: 'services', value: 'SVC-01', view });
      expect(some.body.options.map((o: any) => o.value)).toEqual(['svc-010', 'svc-011', 'svc-012', 'svc-013', 'svc-014', 'svc-015', 'svc-016', 'svc-017', 'svc-018', 'svc-019']);
      const none = await t2.slack.blockSuggestion({ userId: 'UANA', actionId: 'services', value: 'nothing-like-it', view });
      expect(none.body.options).toEqual([]);
      // Too many to list in one message: each tier shows its services with open incidents, and a count of the rest.
      const res = await t2.slack.viewSubmission({ userId: 'UANA', view, values: declareValues({ userId: 'UANA', title: 'Many services', severity: 'SEV3', serviceList: ['svc-010'] }) });
      expect(res.body).toBeFalsy();
      const list = await lastResponse(t2, (await t2.slack.command({ text: 'services', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
      expect(messageText(list)).toContain('*Tier 3 · medium*\n• *svc-010* · @team-3 · :rotating_light: 1 open\n_149 more without open incidents_');
      expect(messageText(list)).toContain('*Tier 1 · critical*\n_150 more without open incidents_');
    } finally {
      await t2.stop();
    }
  });
});

describe('owner teams', () => {
  it('invites and pages the owner teams of a P1 incident, once, and links the runbook on the card', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Checkout down', severity: 'SEV1', serviceList: ['checkout', 'search'] });
    await eventually(() => ['UOWN1', 'UOWN2', 'USRCH'].every((u) => c.members.has(u)));
    const rows = await timeline(c);
    const owners = rows.filter((r) => r.kind === 'owners_paged');
    expect(owners).toHaveLength(1);
    expect(owners[0].payload).toMatchObject({ to: 'P1', usergroups: ['checkout-team', 'search-team'], services: ['checkout', 'search'] });
    expect(owners[0].actor_id).toBe('UANA');
    expect(rows.filter((r) => r.kind === 'paged').map((r) => r.payload)).toEqual(
      expect.arrayContaining([expect.objectContaining({ usergroup: 'checkout-team', users: ['UOWN1', 'UOWN2'] }), expect.objectContaining({ usergroup: 'search-team', users: ['USRCH'] })]),
    );
    const page = c.messages.find((m) => messageText(m).includes('<!subteam^S0CHK>'));
    expect(messageText(page)).toMatch(/you are paged for INC-\d+ \(P1\) by <@UANA>\. Your team owns checkout, search\./);
    expect(messageText(card(c))).toContain('checkout (<https://wiki.example.com/runbooks/checkout|runbook>), search');
    // Owner pages are not escalations: the announcement channel only has the declaration.
    expect(t.fake.channelByName('incidents')!.messages.some((m) => messageText(m).includes('escalated'))).toBe(false);
  });

  it('does not page owners below their priorities; pages them when triage raises it, and not twice', async () => {
    const c = await declareIncident(t, { userId: 'UBEN', title: 'Search ranking odd', severity: 'SEV3', serviceList: ['search'] });
    await t.settle();
    expect(c.members.has('USRCH')).toBe(false);
    expect((await timeline(c)).some((r) => r.kind === 'owners_paged')).toBe(false);
    for (let i = 0; i < 2; i++) {
      await t.slack.command({ text: 'triage', userId: 'UBEN', channelId: c.id });
      await submitModal(t, 'UBEN', 'incident_triage', triageValues({ impact: 'significant', urgency: 'high', category: 'application', severity: 'SEV3', services: ['search'] }));
    }
    expect((await stored(c)).priority).toBe('P2');
    await eventually(() => c.members.has('USRCH'));
    const owners = (await timeline(c)).filter((r) => r.kind === 'owners_paged');
    expect(owners.map((r) => [r.payload.to, r.payload.usergroups, r.actor_id])).toEqual([['P2', ['search-team'], 'UBEN']]);
  });

  it("a service's own invite_owner_for applies (payments-api owners come at P3 too)", async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Refunds slow', severity: 'SEV3', serviceList: ['payments-api'] });
    await eventually(() => c.members.has('UPAY'));
    expect((await timeline(c)).find((r) => r.kind === 'owners_paged')!.payload).toMatchObject({ to: 'P3', usergroups: ['S0PAY'] });
  });
});

describe('/incident services', () => {
  it('lists the catalog by tier with open incident counts', async () => {
    const r = await reply('CGENERAL', 'services');
    const text = messageText(r);
    expect(text).toContain('Service catalog (3)');
    // Open so far: checkout 2 (one re-triaged onto it), payments-api 1, search 4.
    expect(text).toContain('*Tier 1 · critical*\n• *checkout* · @checkout-team · :rotating_light: 2 open\n• *payments-api* · <!subteam^S0PAY> · :rotating_light: 1 open\n*Tier 3 · medium*\n• *search* · @search-team · :rotating_light: 4 open');
  });

  it('shows one service: owner, dependencies, runbook, vendors, its open incidents and those upstream', async () => {
    const text = messageText(await reply('CGENERAL', 'services checkout'));
    expect(text).toContain('*Owner* @checkout-team · *Tier 1 · critical*');
    expect(text).toContain('*Depends on* payments-api · *Needed by* _nothing in the catalog_');
    expect(text).toContain('<https://wiki.example.com/runbooks/checkout|');
    expect(text).toContain('*Acme Payments* responds within 1h 0m (P1 15m) · +1 555 0100, support@acme.example');
    expect(text).toMatch(/\*Open incidents \(2\)\*\n:mag: \*INC-\d+\* Checkout down · P1 · investigating · <#C\w+>\n:mag: \*INC-\d+\* CRM sync lagging · P4/);
    expect(text).toMatch(/\*Open incidents on what it depends on\*\n.*Refunds slow · P3 .*\(payments-api\)/);
    const needed = messageText(await reply('CGENERAL', 'services payments-api'));
    expect(needed).toContain('*Needed by* checkout');
    const unknown = await reply('CGENERAL', 'services checkuot');
    expect(unknown.text).toBe('No service called "checkuot" in the catalog. `/incident services` lists the catalog.');
    const partial = await reply('CGENERAL', 'services pay');
    expect(messageText(partial)).toContain('Service: payments-api');
  });
});

describe('catalog vendors', () => {
  it("offers the incident's vendors first and prefills their contract at its priority; choosing another refills", async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Card auth failing', severity: 'SEV1', serviceList: ['payments-api'] });
    await t.slack.command({ text: 'vendor', userId: 'UANA', channelId: c.id });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_vendor'));
    const block = (v: any, id: string) => v.blocks.find((b: any) => b.block_id === id);
    expect(block(view, 'catalog_vendor').element.options.map((o: any) => [o.value, o.description.text])).toEqual([
      ['Acme Payments', '15m response at P1 · behind this incident'],
      ['CloudCo', '2h 0m response at P1'],
    ]);
    expect(block(view, 'catalog_vendor').element.initial_option.value).toBe('Acme Payments');
    expect(block(view, 'response_minutes').element.initial_value).toBe('15');
    expect(block(view, 'contact').element.initial_value).toBe('+1 555 0100, support@acme.example');
    expect(messageText({ blocks: [block(view, 'vendor_contract')] })).toContain('*Acme Payments*: contractual response 15m at P1');

    await t.slack.blockAction({ userId: 'UANA', actionId: 'catalog_vendor', view: t.fake.views.get(view.id)!.view, selectedOption: { value: 'CloudCo' }, values: { catalog_vendor: { catalog_vendor: input.select('CloudCo') } } });
    const updated = await eventually(() => {
      const v = t.fake.views.get(view.id)!.view;
      return block(v, 'response_minutes~1') ? v : undefined;
    });
    expect(block(updated, 'response_minutes~1').element.initial_value).toBe('120');
    expect(block(updated, 'contact~1').element.initial_value).toBe('cloud@example.com');

    const res = await submitModal(t, 'UANA', 'incident_vendor', {
      catalog_vendor: { catalog_vendor: input.select('CloudCo') },
      vendor: { vendor: input.text(null) },
      ticket_ref: { ticket_ref: input.text('CC-42') },
      'contact~1': { 'contact~1': input.text('cloud@example.com') },
      'response_minutes~1': { 'response_minutes~1': input.text('120') },
    });
    expect(res.body).toBeFalsy();
    const engaged = await t.app.db.selectFrom('vendor_engagements').selectAll().where('incident_id', '=', (await stored(c)).id).executeTakeFirstOrThrow();
    expect(engaged).toMatchObject({ vendor: 'CloudCo', ticket_ref: 'CC-42', contact: 'cloud@example.com', response_minutes: 120 });
  });

  it('asks for a vendor when none is chosen or named', async () => {
    const c = await declareIncident(t, { userId: 'UBEN', title: 'Vendorless', severity: 'SEV4' });
    await t.slack.command({ text: 'vendor', userId: 'UBEN', channelId: c.id });
    const res = await submitModal(t, 'UBEN', 'incident_vendor', {
      catalog_vendor: { catalog_vendor: input.select(null) },
      vendor: { vendor: input.text(null) },
      ticket_ref: { ticket_ref: input.text(null) },
      contact: { contact: input.text(null) },
      response_minutes: { response_minutes: input.text('60') },
    });
    expect(res.body).toEqual({ response_action: 'errors', errors: { vendor: 'Choose a catalog vendor above, or name another one here.' } });
    expect(res.viewErrors).toEqual([]);
  });
});
