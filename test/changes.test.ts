import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { declareIncident, lastModal, lastResponse, messageText, submitModal, triageValues } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

const SECRET = 'test-changes-secret-0123456789';
const policy = policySchema.parse({
  services: [{ name: 'checkout', tier: 1 }, { name: 'payments-api', tier: 1 }, { name: 'search', tier: 3 }],
  changes: { cab_channel: 'C0CAB', approvers: ['UAPP1', 'UAPP2'] },
});

const clock = new FakeClock('2026-11-26T09:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy, clock, env: { WEBHOOK_SECRET_CHANGES: SECRET } });
  t.fake.addChannel({ id: 'C0CAB', name: 'cab' });
  for (const [id, name] of [['UREQ', 'req'], ['UIMP', 'imp'], ['UAPP1', 'approver1'], ['UAPP2', 'approver2'], ['UCAT', 'cat'], ['UANA', 'ana']]) t.fake.addUser({ id, name });
});
afterAll(() => t?.stop());

const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const at = (minutesFromNow: number) => new Date(clock.now().getTime() + minutesFromNow * 60_000);
const cab = () => t.fake.channels.get('C0CAB')!;
const changeRow = (title: string) => t.app.db.selectFrom('changes').selectAll().where('title', '=', title).executeTakeFirstOrThrow();
const dmText = (userId: string) => (t.fake.dmWith(userId)?.messages ?? []).map((m) => messageText(m));
const reply = async (channelId: string, text: string, userId = 'UREQ', command = '/incident') => lastResponse(t, (await t.slack.command({ text, userId, channelId, command })).responseUrl);

interface ChangeForm {
  title: string;
  services: string[];
  start?: Date;
  end?: Date;
  impact: string | null;
  likelihood: string | null;
  rollback?: string | null;
  implementer?: string;
}
const formValues = (f: ChangeForm) => ({
  title: { title: input.text(f.title) },
  description: { description: input.text(null) },
  services: { services: input.multiSelect(f.services) },
  window_start: { window_start: { type: 'datetimepicker', selected_date_time: unix(f.start ?? at(60)) } },
  window_end: { window_end: { type: 'datetimepicker', selected_date_time: unix(f.end ?? at(120)) } },
  change_impact: { change_impact: input.select(f.impact) },
  likelihood: { likelihood: input.select(f.likelihood) },
  rollback: { rollback: input.text(f.rollback === undefined ? 'Redeploy the previous release (5 min)' : f.rollback) },
  implementer: { implementer: input.user(f.implementer ?? null) },
});
async function newChange(userId: string, f: ChangeForm) {
  await t.slack.command({ text: 'new', userId, channelId: 'CGENERAL', command: '/change' });
  return submitModal(t, userId, 'change_new', formValues(f));
}
const cabRequest = (title: string) => cab().messages.find((m) => messageText(m).includes(title));
const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' }) =>
  fetch(`${t.url}/webhooks/changes`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as any }));

describe('/change new', () => {
  it('shows the risk from the policy matrix as impact and likelihood are chosen', async () => {
    await t.slack.command({ text: 'new', userId: 'UREQ', channelId: 'CGENERAL', command: '/change' });
    const view = await eventually(() => lastModal(t, 'UREQ', 'change_new'));
    expect(view.blocks.find((b: any) => b.block_id === 'window_start').element.initial_date_time).toBe(unix(at(0)));
    expect(view.blocks.find((b: any) => b.block_id === 'implementer').element.initial_user).toBe('UREQ');
    const preview = async (impact: string, likelihood: string) => {
      const values = { change_impact: { change_impact: input.select(impact) }, likelihood: { likelihood: input.select(likelihood) } };
      await t.slack.blockAction({ userId: 'UREQ', actionId: 'likelihood', view: t.fake.views.get(view.id)!.view, values, selectedOption: { value: likelihood } });
      return eventually(() => {
        const text = t.fake.views.get(view.id)!.view.blocks.find((b: any) => b.block_id === 'risk_preview').text.text as string;
        return text.includes(`(${impact} impact × ${likelihood} likelihood)`) ? text : undefined;
      });
    };
    expect(await preview('high', 'high')).toBe('*Risk: critical* — needs CAB approval (posted to <#C0CAB>) _(high impact × high likelihood)_');
    expect(await preview('low', 'medium')).toBe('*Risk: low* — no approval needed (the CAB decides from high) _(low impact × medium likelihood)_');
    t.fake.closeView(view.id);
  });

  it('refuses an incomplete form inline', async () => {
    const res = await newChange('UREQ', { title: 'Bad window', services: [], start: at(120), end: at(60), impact: null, likelihood: 'low', rollback: null });
    expect(res.body).toEqual({
      response_action: 'errors',
      errors: { services: 'Name at least one service.', window_end: 'The window ends before it starts.', change_impact: 'Choose the impact.', rollback: 'Describe how to roll back.' },
    });
    expect(res.viewErrors).toEqual([]);
  });

  it('shows what the service refuses under the input it names: an unknown service under services, a too-long window under its end', async () => {
    const unknown = await newChange('UREQ', { title: 'Move the window manager', services: ['window-manager'], impact: 'low', likelihood: 'low' });
    expect(unknown.body).toEqual({ response_action: 'errors', errors: { services: 'Unknown service "window-manager": use names from the service catalog.' } });
    const both = await t.slack.viewSubmission({
      userId: 'UREQ',
      view: lastModal(t, 'UREQ', 'change_new'),
      values: formValues({ title: 'Move the window manager', services: ['window-manager'], start: at(60), end: at(60 + 40 * 24 * 60), impact: 'low', likelihood: 'low' }),
    });
    expect(both.body).toEqual({
      response_action: 'errors',
      errors: { services: 'Unknown service "window-manager": use names from the service catalog.', window_end: 'A change window can be at most 31 days; split longer work.' },
    });
    expect(both.viewErrors).toEqual([]);
    expect(await t.app.db.selectFrom('changes').select('id').where('title', '=', 'Move the window manager').execute()).toEqual([]);
    t.fake.closeView(lastModal(t, 'UREQ', 'change_new').id);
  });

  it('records a low-risk change as scheduled and sends the requester a receipt', async () => {
    const res = await newChange('UREQ', { title: 'Reindex search', services: ['search'], start: at(-60), end: at(30), impact: 'low', likelihood: 'medium', implementer: 'UIMP' });
    expect(res.body).toBeFalsy();
    const row = await changeRow('Reindex search');
    expect(row).toMatchObject({ status: 'scheduled', risk: 'low', impact: 'low', likelihood: 'medium', services: ['search'], implementer_id: 'UIMP', requested_by: 'UREQ', source: 'slack', rollback_plan: 'Redeploy the previous release (5 min)' });
    await t.settle();
    expect(dmText('UREQ').some((m) => m.startsWith(`:memo: CHG-${row.id} is recorded (risk *low*; no approval needed).`))).toBe(true);
    expect(cabRequest('Reindex search')).toBeUndefined();
  });
});

describe('CAB approval', () => {
  it('posts a high-risk change to the CAB; only approvers decide; the decision is recorded and told', async () => {
    await newChange('UREQ', { title: 'Upgrade payments DB', services: ['payments-api'], impact: 'high', likelihood: 'medium', implementer: 'UIMP' });
    const row = await changeRow('Upgrade payments DB');
    expect(row).toMatchObject({ status: 'pending_approval', risk: 'high' });
    await t.settle();
    const request = await eventually(() => cabRequest('Upgrade payments DB'));
    expect(request.blocks!.find((b: any) => b.type === 'actions')!.elements.map((e: any) => e.action_id)).toEqual(['change_approve', 'change_reject']);
    expect((await changeRow('Upgrade payments DB')).cab_ts).toBe(request.ts);
    expect(dmText('UREQ').some((m) => m.includes(`CHG-${row.id} is recorded (risk *high*). It needs CAB approval: the request is in <#C0CAB>.`))).toBe(true);

    const outsider = await t.slack.blockAction({ userId: 'UCAT', actionId: 'change_approve', channelId: 'C0CAB', messageTs: request.ts });
    expect((await lastResponse(t, outsider.responseUrl!)).text).toBe('Only CAB approvers can decide on changes (<@UAPP1>, <@UAPP2>).');
    const outsiderReject = await t.slack.blockAction({ userId: 'UCAT', actionId: 'change_reject', channelId: 'C0CAB', messageTs: request.ts });
    expect((await lastResponse(t, outsiderReject.responseUrl!)).text).toBe('Only CAB approvers can decide on changes (<@UAPP1>, <@UAPP2>).');
    expect([...t.fake.views.values()].some((v) => v.user === 'UCAT' && v.view.callback_id === 'change_reject')).toBe(false);
    expect((await changeRow('Upgrade payments DB')).status).toBe('pending_approval');

    clock.advanceMinutes(3);
    await t.slack.blockAction({ userId: 'UAPP1', actionId: 'change_approve', channelId: 'C0CAB', messageTs: request.ts });
    await t.settle();
    expect(await changeRow('Upgrade payments DB')).toMatchObject({ status: 'approved', decided_by: 'UAPP1', decided_at: clock.now() });
    expect(request.blocks!.some((b: any) => b.type === 'actions')).toBe(false);
    expect(messageText(request)).toContain(`:white_check_mark: *Approved* by <@UAPP1> <!date^${unix(clock.now())}^`);
    for (const u of ['UREQ', 'UIMP']) expect(dmText(u).some((m) => m.startsWith(':white_check_mark: *Approved* by <@UAPP1>'))).toBe(true);

    const late = await t.slack.blockAction({ userId: 'UAPP2', actionId: 'change_approve', value: row.id, channelId: 'C0CAB', messageTs: request.ts });
    expect((await lastResponse(t, late.responseUrl!)).text).toBe(`CHG-${row.id} was already approved by <@UAPP1>.`);
  });

  it('rejecting asks why, and the reason is recorded', async () => {
    await newChange('UREQ', { title: 'Rewrite checkout in a weekend', services: ['checkout'], start: at(-90), end: at(-30), impact: 'high', likelihood: 'high' });
    await t.settle();
    const request = await eventually(() => cabRequest('Rewrite checkout in a weekend'));
    await t.slack.blockAction({ userId: 'UAPP2', actionId: 'change_reject', channelId: 'C0CAB', messageTs: request.ts });
    const empty = await submitModal(t, 'UAPP2', 'change_reject', { reason: { reason: input.text(null) } });
    expect(empty.body).toEqual({ response_action: 'errors', errors: { reason: 'Say why the change is rejected.' } });
    const res = await t.slack.viewSubmission({ userId: 'UAPP2', view: lastModal(t, 'UAPP2', 'change_reject'), values: { reason: { reason: input.text('No rollback tested; split it up') } } });
    expect(res.body).toBeFalsy();
    await t.settle();
    expect(await changeRow('Rewrite checkout in a weekend')).toMatchObject({ status: 'rejected', decided_by: 'UAPP2', decision_note: 'No rollback tested; split it up' });
    expect(messageText(request)).toMatch(/:no_entry: \*Rejected\* by <@UAPP2> .*: No rollback tested; split it up/);
  });

  it('an approver cannot approve their own change when another approver exists', async () => {
    await newChange('UAPP1', { title: 'Rotate TLS certificates', services: ['checkout'], impact: 'high', likelihood: 'medium' });
    await t.settle();
    const request = await eventually(() => cabRequest('Rotate TLS certificates'));
    const own = await t.slack.blockAction({ userId: 'UAPP1', actionId: 'change_approve', channelId: 'C0CAB', messageTs: request.ts });
    expect((await lastResponse(t, own.responseUrl!)).text).toBe(`You requested CHG-${(await changeRow('Rotate TLS certificates')).id}; another approver must decide.`);
    expect((await changeRow('Rotate TLS certificates')).status).toBe('pending_approval');
  });

  it('/change list and /change show', async () => {
    const list = messageText(await reply('CGENERAL', 'list', 'UREQ', '/change'));
    expect(list).toMatch(/\*CHG-\d+\* Upgrade payments DB · payments-api · .* · <@UIMP> · risk high · :white_check_mark: approved/);
    expect(list).toMatch(/\*CHG-\d+\* Rotate TLS certificates .* :hourglass_flowing_sand: awaiting CAB/);
    const id = (await changeRow('Upgrade payments DB')).id;
    const show = messageText(await reply('CGENERAL', `show CHG-${id}`, 'UREQ', '/change'));
    expect(show).toContain(`*CHG-${id}: Upgrade payments DB*`);
    expect(show).toContain('*Risk* risk *high* (high impact × medium likelihood)');
    const help = await t.slack.command({ text: 'frobnicate', userId: 'UREQ', channelId: 'CGENERAL', command: '/change' });
    expect(help.body.text).toContain("I don't know `frobnicate`.");
    expect(help.body.text).toContain('• `/change new` — record a planned change');
    expect(help.body.text).toContain('• `/change help` — this list');
  });
});

describe('what changed, and the cause', () => {
  let c: FakeChannel;
  let deployId: string;

  it('shows the changes of the last 24 h on the services at declaration, with a button to mark the cause', async () => {
    const recent = await post({ id: 'pipeline-100', service: 'checkout', version: 'v2.3.1', deployed_at: at(-120).toISOString(), deployed_by: 'ci-bot', url: 'https://ci.example.com/runs/100' });
    expect(recent.status).toBe(201);
    deployId = recent.body.id.replace('CHG-', '');
    expect((await post({ id: 'pipeline-099', service: 'checkout', deployed_at: at(-30 * 60).toISOString() })).status).toBe(201);

    c = await declareIncident(t, { userId: 'UANA', title: 'Checkout errors after lunch', severity: 'SEV2', serviceList: ['checkout'] });
    const shown = await eventually(() => c.messages.find((m) => messageText(m).includes('*What changed?*')));
    const text = messageText(shown);
    expect(text).toContain(':mag: *What changed?* Changes on checkout in the last 24 h:');
    expect(text).toContain(`*CHG-${deployId}* Deploy checkout v2.3.1`);
    expect(text).toContain('ci-bot · deployment · :rocket: deployed · <https://ci.example.com/runs/100|details>');
    // Not shown: the rejected change (in the window, but it did not happen), the 30 h old deployment,
    // and the TLS change planned for later.
    expect(text).not.toContain('Rewrite checkout');
    expect(text).not.toContain('Rotate TLS');
    const buttons = shown.blocks!.filter((b: any) => b.accessory).map((b: any) => b.accessory.action_id);
    expect(buttons).toEqual([`incident_mark_cause:${deployId}`]);
  });

  it('triage shows only the changes not shown yet', async () => {
    await t.slack.command({ text: 'triage', userId: 'UANA', channelId: c.id });
    await submitModal(t, 'UANA', 'incident_triage', triageValues({ impact: 'moderate', urgency: 'high', category: 'application', services: ['checkout', 'search'] }));
    const shown = c.messages.filter((m) => messageText(m).includes('*What changed?*'));
    expect(shown).toHaveLength(2);
    expect(messageText(shown[1])).toContain('Reindex search');
    expect(messageText(shown[1])).not.toContain('Deploy checkout');
  });

  it('marks a change as the cause with the button or the command; the card and reports can see it', async () => {
    const shown = c.messages.find((m) => messageText(m).includes('*What changed?*'))!;
    const res = await t.slack.blockAction({ userId: 'UANA', actionId: `incident_mark_cause:${deployId}`, channelId: c.id, messageTs: shown.ts });
    expect((await lastResponse(t, res.responseUrl!)).text).toBe(`:link: CHG-${deployId} is recorded as the cause.`);
    await t.settle();
    const incident = await t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();
    expect(incident.caused_by_change_id).toBe(deployId);
    expect(c.messages.some((m) => messageText(m).startsWith(`:link: <@UANA> recorded CHG-${deployId} as the cause: Deploy checkout v2.3.1`))).toBe(true);
    await eventually(() => messageText(c.messages.find((m) => m.ts === c.pins[0])).includes(`*Caused by*\nCHG-${deployId}`));
    const again = await t.slack.blockAction({ userId: 'UANA', actionId: `incident_mark_cause:${deployId}`, channelId: c.id, messageTs: shown.ts });
    expect((await lastResponse(t, again.responseUrl!)).text).toBe(`CHG-${deployId} is already recorded as the cause.`);

    expect((await reply(c.id, 'cause clear', 'UANA')).text).toMatch(/^No change is recorded as the cause of INC-\d+ any more\.$/);
    expect((await reply(c.id, 'cause CHG-99999', 'UANA')).text).toBe('There is no change CHG-99999.');
    expect((await reply(c.id, `cause chg-${deployId}`, 'UANA')).text).toMatch(new RegExp(`^:link: CHG-${deployId} \\(Deploy checkout v2.3.1\\) is recorded as the cause of INC-\\d+\\.$`));
    const kinds = (await t.app.db.selectFrom('timeline_events').select('kind').where('incident_id', '=', incident.id).orderBy('id').execute()).map((r) => r.kind);
    expect(kinds.filter((k) => k.startsWith('cause_'))).toEqual(['cause_linked', 'cause_cleared', 'cause_linked']);
    const caused = await t.app.db.selectFrom('incidents').select((eb) => eb.fn.countAll<string>().as('n')).where('caused_by_change_id', 'is not', null).where('is_drill', '=', false).executeTakeFirstOrThrow();
    expect(Number(caused.n)).toBe(1);
    const show = messageText(await reply('CGENERAL', `show ${deployId}`, 'UREQ', '/change'));
    expect(show).toMatch(/\*Incidents caused by this change\*\n• \*INC-\d+\* Checkout errors after lunch/);
  });

  it('a deployment on a service with an open incident is posted in its channel', async () => {
    const res = await post({ id: 'pipeline-101', services: ['checkout'], title: 'Hotfix checkout timeouts', deployed_by: 'ana' });
    expect(res.body).toMatchObject({ created: true, incidents_notified: 1 });
    await t.settle();
    const msg = await eventually(() => c.messages.find((m) => messageText(m).includes('*New deployment*')));
    expect(messageText(msg)).toMatch(/:rocket: \*New deployment\* on checkout, search while INC-\d+ is open:/);
    expect(messageText(msg)).toContain('Hotfix checkout timeouts');
  });
});

describe('POST /webhooks/changes', () => {
  it('needs the bearer token', async () => {
    const none = await post({ id: 'x', service: 'checkout' }, { 'content-type': 'application/json' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="changes"');
    const wrong = await post({ id: 'x', service: 'checkout' }, { authorization: 'Bearer nope', 'content-type': 'application/json' });
    expect(wrong.status).toBe(401);
    expect(await t.app.db.selectFrom('changes').select('id').where('external_id', '=', 'x').executeTakeFirst()).toBeUndefined();
  });

  it('answers 4xx with a reason for a bad body', async () => {
    expect((await post('{"id": ', undefined)).body).toEqual({ error: 'the body is not valid JSON' });
    expect((await post({ id: 'x' })).body).toEqual({ error: 'service: name the deployed service in "service" (or a list in "services")' });
    expect((await post({ id: 'x', service: 'chekout' })).body).toEqual({ error: 'Unknown service "chekout": use names from the service catalog.' });
    expect((await post({ id: 'x', service: 'checkout', deployed_at: 'yesterday' })).body.error).toBe('deployed_at: must be an ISO 8601 time such as 2026-11-26T14:02:00Z');
    const text = await fetch(`${t.url}/webhooks/changes`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'text/plain' }, body: 'deploy' });
    expect(text.status).toBe(415);
    const big = await post({ id: 'x', service: 'checkout', description: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    expect(await t.app.db.selectFrom('changes').select('id').where('external_id', '=', 'x').executeTakeFirst()).toBeUndefined();
  });

  it('records a deployment once, however often it is delivered', async () => {
    const first = await post({ id: 'pipeline-200', service: 'Search', version: '7.1', environment: 'production', extra_field: 'ignored' });
    expect(first.status).toBe(201);
    const second = await post({ id: 'pipeline-200', service: 'search', version: '7.1' });
    expect(second).toMatchObject({ status: 200, body: { id: first.body.id, created: false } });
    const rows = await t.app.db.selectFrom('changes').selectAll().where('external_id', '=', 'pipeline-200').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ title: 'Deploy search 7.1 (production)', services: ['search'], status: 'deployed', source: 'webhook', starts_at: clock.now() });
  });

  it('stores a deployment whose text holds NUL or lone surrogates, which PostgreSQL refuses as they are', async () => {
    const res = await post({ id: 'pipeline-\u0000nul', service: 'search', title: 'Ship \u0000search \ud800', deployed_by: 'ci\u0000' });
    expect(res.status).toBe(201);
    const row = await t.app.db.selectFrom('changes').selectAll().where('external_id', '=', 'pipeline-nul').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ title: 'Ship search \ufffd', implementer_name: 'ci' });
  });

  it('answers 404 when no secret is configured', async () => {
    const t2 = await startTestApp({ policy });
    try {
      const res = await fetch(`${t2.url}/webhooks/changes`, { method: 'POST', headers: { authorization: 'Bearer anything', 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'the changes webhook is not configured (set WEBHOOK_SECRET_CHANGES)' });
      const other = await fetch(`${t2.url}/webhooks/prometheus`, { method: 'POST', body: '{}' });
      expect(other.status).toBe(404);
    } finally {
      await t2.stop();
    }
  });
});
