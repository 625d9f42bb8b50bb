import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, lastModal, messageText, submitModal } from './support/flows.js';
import { ask, incidentOf, resolveIncident, timelineKinds } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import { approvalRequest, postValues as postFormValues, pressApprove as pressApproveAs, publishPublicUpdate, recordChange } from './support/status-page.js';
import { incidentsSchema, maintenancesSchema, readWidgetJson, statusSchema, summarySchema } from './support/statuspage-widget.js';
import { eventually } from './support/wait.js';

const exportDir = mkdtempSync(path.join(tmpdir(), 'status-export-'));
const policy = policySchema.parse({
  services: [{ name: 'checkout-api' }, { name: 'payments' }, { name: 'web' }, { name: 'search' }],
  status_page: {
    title: 'Acme status',
    components: [
      { name: 'Checkout', services: ['checkout-api', 'payments'] },
      { name: 'Website', services: ['web'] },
    ],
    export_dir: exportDir,
  },
});

const clock = new FakeClock('2026-11-26T09:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy, clock });
  for (const [id, name] of [['UANA', 'ana.lead'], ['UBEN', 'ben.comms'], ['UCAT', 'cat.bystander']]) t.fake.addUser({ id, name });
});
afterAll(() => t?.stop());

const json = <T extends Parameters<typeof readWidgetJson>[1]>(name: string, schema: T) => readWidgetJson(`${t.url}/status/api/v2/${name}`, schema);
const page = async () => (await fetch(`${t.url}/status/`)).text();
const pressApprove = (c: FakeChannel, userId: string) => pressApproveAs(t, c, userId);
const said = (responseUrl: string | undefined) => t.fake.responses.filter((r) => r.url === responseUrl).map((r) => String(r.body?.text ?? ''));

const postValues = (o: Parameters<typeof postFormValues>[1]) => postFormValues(['Checkout', 'Website'], o);

let channel: FakeChannel;
let declaredAt: Date;

describe('a public update, from Slack to the page', () => {
  it('is written from /incident update, previewed, and waits for a second person', async () => {
    channel = await declareIncident(t, { userId: 'UANA', title: 'Payments pod OOM in eu-west-2 (ana on it)', severity: 'SEV1', serviceList: ['checkout-api'] });
    declaredAt = clock.now();
    clock.advanceMinutes(10);
    await t.slack.command({ text: 'update', userId: 'UANA', channelId: channel.id });
    const form = await eventually(() => lastModal(t, 'UANA', 'incident_update'));
    expect(JSON.stringify(form.blocks)).toContain('Public status page');
    const res = await t.slack.viewSubmission({
      userId: 'UANA',
      view: form,
      values: { status: { status: input.select('identified') }, message: { message: input.text('OOM on payments-7f9; rolling back in #inc-1') }, next_update: { next_update: input.select('30') }, audiences: { audiences: input.checkboxes(['public']) } },
    });
    expect(res.viewErrors).toEqual([]);
    expect(res.body.response_action).toBe('update');
    await t.settle();
    // The internal update went to the channel; the public form is prefilled from the incident.
    expect(channel.messages.some((m) => messageText(m).includes('OOM on payments-7f9'))).toBe(true);
    const postForm = lastModal(t, 'UANA', 'status_post');
    const blocks = postForm.blocks as any[];
    expect(blocks.find((b) => b.block_id === 'status_component:0').element.initial_option.value).toBe('partial_outage');
    expect(blocks.find((b) => b.block_id === 'status_component:1').element.initial_option.value).toBe('none');
    expect(blocks.find((b) => b.block_id === 'status_public_title').element.initial_value).toBe('Payments pod OOM in eu-west-2 (ana on it)');
    // The public text starts as a sentence for customers, never as the responders' own update.
    expect(blocks.find((b) => b.block_id === 'status_public_body').element.initial_value).toBe('We have found the cause of the problems with Checkout and are working on a fix.');

    const preview = await t.slack.viewSubmission({ userId: 'UANA', view: postForm, values: postValues({ status: 'identified', title: 'Card payments failing', body: 'Some card payments fail at checkout. We found the cause and are fixing it.', states: { Checkout: 'major_outage' } }) });
    expect(preview.body.response_action).toBe('push');
    expect(preview.body.view.submit.text).toBe('Ask for approval');
    expect(messageText({ blocks: preview.body.view.blocks })).toContain('Card payments failing');
    const previewView = lastModal(t, 'UANA', 'status_post_preview');
    const sent = await t.slack.viewSubmission({ userId: 'UANA', view: previewView, values: {} });
    expect(sent.body.response_action).toBe('clear');
    await t.settle();

    // Nothing public yet.
    const { body: summary } = await json('summary.json', summarySchema);
    expect(summary.incidents).toEqual([]);
    expect(summary.components.find((c) => c.name === 'Checkout')!.status).toBe('operational');
    expect(summary.status.indicator).toBe('none');
    const request = approvalRequest(channel);
    expect(messageText(request)).toContain('waiting for approval');
  });

  it('refuses the author and people without an approver role, then publishes on a communications lead approval', async () => {
    const own = await pressApprove(channel, 'UANA');
    expect(said(own.responseUrl).join('\n')).toContain('someone else must approve it');
    const bystander = await pressApprove(channel, 'UCAT');
    expect(said(bystander.responseUrl).join('\n')).toContain('can approve public posts');
    expect((await json('summary.json', summarySchema)).body.incidents).toEqual([]);

    await ask(t, 'role comms <@UBEN>', 'UANA', channel.id);
    clock.advanceMinutes(2);
    const approved = await pressApprove(channel, 'UBEN');
    expect(said(approved.responseUrl).join('\n')).toContain('Published');
    await t.settle();
    // The channel is told, with the page's link, and the request shows who approved it.
    const told = await eventually(() => channel.messages.find((m) => messageText(m).includes('status page> now shows')));
    expect(messageText(told)).toMatch(/<http:\/\/localhost:\d+\/status\/\|status page> now shows \*Identified\*: Card payments failing/);
    expect(messageText(approvalRequest(channel) ?? channel.messages.find((m) => messageText(m).includes('approved by <@UBEN>')))).toContain('approved by <@UBEN>');
    const incident = await incidentOf(t, channel);
    expect(await timelineKinds(t, incident.id)).toEqual(expect.arrayContaining(['public_post_proposed', 'public_post_published']));
  });

  it('shows on the page and in the JSON, as a Statuspage widget reads it, and nothing internal leaks', async () => {
    const { body: summary, cors } = await json('summary.json', summarySchema);
    expect(cors).toBe('*');
    expect(summary.page.name).toBe('Acme status');
    expect(summary.status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(summary.components.map((c) => [c.name, c.status])).toEqual([['Checkout', 'major_outage'], ['Website', 'operational']]);
    expect(summary.incidents).toHaveLength(1);
    const [incident] = summary.incidents;
    expect(incident).toMatchObject({ name: 'Card payments failing', status: 'identified', impact: 'critical' });
    expect(incident.incident_updates[0].body).toBe('Some card payments fail at checkout. We found the cause and are fixing it.');
    expect(incident.components.map((c) => c.name)).toEqual(['Checkout']);
    expect((await json('status.json', statusSchema)).body.status.indicator).toBe('critical');

    const html = await page();
    expect(html).toContain('Card payments failing');
    expect(html).toContain('Major outage');
    for (const internal of ['Payments pod OOM', 'payments-7f9', 'inc-1', 'ana', 'UANA', 'UBEN', 'ben.comms', channel.id]) {
      expect(html).not.toContain(internal);
      expect(JSON.stringify(summary)).not.toContain(internal);
    }
    // The static copy says the same.
    const exported = await eventually(() => {
      const s = summarySchema.parse(JSON.parse(readFileSync(path.join(exportDir, 'api/v2/summary.json'), 'utf8')));
      return s.incidents.length ? s : undefined;
    });
    expect(exported.status.indicator).toBe('critical');
    expect(readFileSync(path.join(exportDir, 'index.html'), 'utf8')).toContain('href="api/v2/summary.json"');
    expect(readdirSync(exportDir).sort()).toEqual(['api', 'history.atom', 'index.html']);
  });

  it('proposes the public "resolved" post when the incident is resolved, and the history keeps the outage window', async () => {
    clock.advanceMinutes(48);
    await resolveIncident(t, channel, 'UANA', 'Rolled back payments-7f9');
    await t.settle();
    const offer = await eventually(() => channel.messages.find((m) => messageText(m).includes('still shows it as *Identified*')));
    await t.slack.blockAction({ userId: 'UANA', actionId: 'status_open_resolved', channelId: channel.id, messageTs: offer.ts });
    const form = await eventually(() => lastModal(t, 'UANA', 'status_post'));
    const blocks = form.blocks as any[];
    expect(blocks.find((b) => b.block_id === 'status_public_status').element.initial_option.value).toBe('resolved');
    expect(blocks.find((b) => b.block_id === 'status_component:0').element.initial_option.value).toBe('operational');
    expect(blocks.find((b) => b.block_id === 'status_public_title').element.initial_value).toBe('Card payments failing');
    await t.slack.viewSubmission({ userId: 'UANA', view: form, values: postValues({ status: 'resolved', title: 'Card payments failing', body: 'Card payments work again.', states: { Checkout: 'operational' } }) });
    await submitModal(t, 'UANA', 'status_post_preview', {});
    clock.advanceMinutes(5);
    await pressApprove(channel, 'UBEN');

    const { body: summary } = await json('summary.json', summarySchema);
    expect(summary.incidents).toEqual([]);
    expect(summary.status.indicator).toBe('none');
    const { body: history } = await json('incidents.json', incidentsSchema);
    expect(history.incidents).toHaveLength(1);
    const [past] = history.incidents;
    expect(past.status).toBe('resolved');
    expect(past.incident_updates.map((u) => u.status)).toEqual(['resolved', 'identified']);
    expect(past.started_at).toBe(declaredAt.toISOString());
    // Down from the declaration (09:00) to the resolution (10:00): one hour of the 10 h 05 of the day so far.
    const html = await page();
    expect(html).toContain('2026-11-26: major outage, 90.08 % uptime');
    expect(html).toContain('Checkout: 99.95 % uptime over 90 days');
    expect(html).toContain('Website: 100.00 % uptime over 90 days');
    const atom = await (await fetch(`${t.url}/status/history.atom`)).text();
    expect(atom.match(/<entry>/g)).toHaveLength(2);
    expect(atom).toContain('Card payments failing: Resolved');
  });
});

describe('a corrected impact start', () => {
  it('moves the outage window on the page: uptime counts from when the impact really began', async () => {
    await t.slack.command({ text: 'timestamps', userId: 'UANA', channelId: channel.id });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_timestamps'));
    const values: Record<string, Record<string, unknown>> = { time_reason: { time_reason: input.text('Errors began before anyone noticed') } };
    for (const b of view.blocks.filter((b: any) => b.element?.type === 'datetimepicker')) {
      const initial = b.element.initial_date_time;
      values[b.block_id] = { [b.block_id]: input.dateTime(b.block_id === 'time_impact_started' ? '2026-11-26T08:00:00Z' : initial ? new Date(initial * 1000) : null) };
    }
    const res = await t.slack.viewSubmission({ userId: 'UANA', view, values });
    expect(res.viewErrors).toEqual([]);
    await t.settle();
    const [past] = (await json('incidents.json', incidentsSchema)).body.incidents;
    expect(past.started_at).toBe('2026-11-26T08:00:00.000Z');
    // Down from 08:00 to the resolution at 10:00: two hours of the 10 h 05 of the day so far.
    expect(await page()).toContain('2026-11-26: major outage, 80.16 % uptime');
  });
});

describe('a lower priority', () => {
  it('publishes at once, without an approver, as the policy asks approval for P1 and P2 only', async () => {
    const minor = await declareIncident(t, { userId: 'UCAT', title: 'Slow search', severity: 'SEV3', serviceList: ['web'] });
    await publishPublicUpdate(t, minor, { author: 'UCAT', components: ['Checkout', 'Website'], status: 'investigating', message: 'search p95 up', title: 'Website search is slow', body: 'Searches take longer than usual.', states: { Website: 'degraded_performance' } });
    await t.settle();
    expect(approvalRequest(minor)).toBeUndefined();
    const { body } = await json('summary.json', summarySchema);
    expect(body.incidents.map((i) => [i.name, i.impact])).toEqual([['Website search is slow', 'minor']]);
    expect(body.components.find((c) => c.name === 'Website')!.status).toBe('degraded_performance');
    await publishPublicUpdate(t, minor, { author: 'UCAT', components: ['Checkout', 'Website'], status: 'resolved', message: 'fixed', title: 'Website search is slow', body: 'Search is fast again.', states: { Website: 'operational' } });
    expect((await json('summary.json', summarySchema)).body.incidents).toEqual([]);
  });
});

describe('a security incident', () => {
  it('never appears on the page, and its public form starts blank', async () => {
    const before = await page();
    const secret = await declareIncident(t, { userId: 'UANA', title: 'Leaked admin credentials', severity: 'SEV1', kind: 'security', serviceList: ['web'] });
    await t.slack.command({ text: 'update', userId: 'UANA', channelId: secret.id });
    const form = await eventually(() => lastModal(t, 'UANA', 'incident_update'));
    await t.slack.viewSubmission({
      userId: 'UANA',
      view: form,
      values: { status: { status: input.select('identified') }, message: { message: input.text('Rotated the leaked key') }, next_update: { next_update: input.select('30') }, audiences: { audiences: input.checkboxes(['public']) } },
    });
    await t.settle();
    const postForm = lastModal(t, 'UANA', 'status_post');
    const blocks = postForm.blocks as any[];
    expect(blocks.find((b) => b.block_id === 'status_public_title').element.initial_value).toBeUndefined();
    expect(blocks.find((b) => b.block_id === 'status_public_body').element.initial_value).toBeUndefined();
    expect(blocks.find((b) => b.block_id === 'status_component:1').element.initial_option.value).toBe('none');
    t.fake.closeView(postForm.id);
    await resolveIncident(t, secret, 'UANA', 'Key rotated');
    await t.settle();
    const after = await page();
    expect(after.replace(/Updated <time[^<]*<\/time>/, '')).toBe(before.replace(/Updated <time[^<]*<\/time>/, ''));
    for (const doc of ['summary.json', 'incidents.json']) expect(JSON.stringify((await json(doc, doc === 'summary.json' ? summarySchema : incidentsSchema)).body)).not.toMatch(/Leaked|credential|Key rotated/);
    expect(secret.messages.some((m) => messageText(m).includes('still shows it'))).toBe(false);
  });
});

describe('scheduled maintenance from a change record', () => {
  const newChange = async (title: string, publish: boolean, start: Date, end: Date) => {
    const res = await recordChange(t, 'UBEN', { title, services: ['web'], start, end, publish, description: 'Internal: ticket OPS-991, ben on call', text: publish ? 'The website may be slow for a few minutes.' : null });
    expect(res.body).toBeFalsy();
  };
  const tick = async () => {
    await t.app.scheduler.runNow('status-maintenance');
    await t.settle();
  };

  it('is shown ahead of time, in progress during its window (its components under maintenance), completed after', async () => {
    const start = new Date(clock.now().getTime() + 120 * 60_000);
    const end = new Date(start.getTime() + 60 * 60_000);
    await newChange('Move the website to the new load balancer', true, start, end);
    await newChange('Quiet search index rebuild', false, start, end);

    let { body: summary } = await json('summary.json', summarySchema);
    expect(summary.scheduled_maintenances.map((m) => [m.name, m.status, m.scheduled_for])).toEqual([['Move the website to the new load balancer', 'scheduled', start.toISOString()]]);
    expect(summary.scheduled_maintenances[0].components.map((c) => c.name)).toEqual(['Website']);
    expect(summary.components.find((c) => c.name === 'Website')!.status).toBe('operational');
    expect(await page()).toContain('Scheduled maintenance');

    clock.set(new Date(start.getTime() + 60_000));
    await tick();
    ({ body: summary } = await json('summary.json', summarySchema));
    expect(summary.scheduled_maintenances[0].status).toBe('in_progress');
    expect(summary.components.find((c) => c.name === 'Website')!.status).toBe('under_maintenance');
    expect(summary.status.indicator).toBe('maintenance');
    const exported = await eventually(() => {
      const s = summarySchema.parse(JSON.parse(readFileSync(path.join(exportDir, 'api/v2/summary.json'), 'utf8')));
      return s.status.indicator === 'maintenance' ? s : undefined;
    });
    expect(exported.scheduled_maintenances[0].status).toBe('in_progress');

    clock.set(new Date(end.getTime() + 60_000));
    await tick();
    ({ body: summary } = await json('summary.json', summarySchema));
    expect(summary.scheduled_maintenances).toEqual([]);
    expect(summary.components.find((c) => c.name === 'Website')!.status).toBe('operational');
    const { body: all } = await json('scheduled-maintenances.json', maintenancesSchema);
    expect(all.scheduled_maintenances.map((m) => [m.name, m.status])).toEqual([['Move the website to the new load balancer', 'completed']]);
    const html = await page();
    expect(html).toContain('Completed maintenance');
    expect(html).not.toContain('Quiet search index rebuild');
    expect(html).not.toContain('OPS-991');
  });

  it('leaves the page, and its static copy, when the CAB rejects the change', async () => {
    const start = new Date(clock.now().getTime() + 24 * 60 * 60_000);
    await newChange('Risky website migration', true, start, new Date(start.getTime() + 60 * 60_000));
    const exported = () => summarySchema.parse(JSON.parse(readFileSync(path.join(exportDir, 'api/v2/summary.json'), 'utf8')));
    await eventually(() => exported().scheduled_maintenances.some((m) => m.name === 'Risky website migration') || undefined);
    // As the CAB's rejection stores it.
    await t.app.db.updateTable('changes').set({ status: 'rejected' }).where('title', '=', 'Risky website migration').execute();
    expect((await json('summary.json', summarySchema)).body.scheduled_maintenances).toEqual([]);
    clock.advanceMinutes(1);
    await tick();
    await eventually(() => (exported().scheduled_maintenances.length === 0 ? true : undefined));
  });
});
