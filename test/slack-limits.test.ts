import { WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertIncident } from '../src/incidents/repository.js';
import { startTestApp, type TestApp } from './support/app.js';
import { MSG_BLOCKS_TOTAL_TEXT_LIMIT, strayMarkup, totalBlockText, validateBlocks, validateView } from './support/block-kit-validator.js';
import { FakeClock } from './support/clock.js';
import type { FakeChannel, FakeMessage } from './support/fake-slack.js';
import { declareIncident, lastModal, lastResponse, submitModal, triageValues } from './support/flows.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';
import { alertmanagerGroup, policyWith, postWebhook, WEBHOOK_ENV } from './support/webhooks.js';

/** Text as hostile as the forms allow: every character Slack escapes, often. */
const hostile = (seed: string, length: number) => `${seed} R&D <EU> & <US> >5% `.repeat(Math.ceil(length / (seed.length + 22))).slice(0, length);

const SERVICES = Array.from({ length: 30 }, (_, i) => ({
  name: `payments-settlement-reconciliation-and-ledger-service-${String(i).padStart(3, '0')}`.slice(0, 60),
  tier: 1,
  runbook: `https://runbooks.example.com/${'r'.repeat(150)}/${i}`,
}));
const GROUPS = Array.from({ length: 300 }, (_, i) => `team-${String(i).padStart(3, '0')}`);
const PLAYBOOK_ITEMS = Array.from({ length: 40 }, (_, i) => ({ text: hostile(`Step ${i + 1}: check`, 200), role: i % 2 ? 'operations' : 'communications' }));

const policy = policyWith({
  services: SERVICES,
  playbooks: [{ name: 'long-haul', title: 'Long haul: everything, in order', items: PLAYBOOK_ITEMS }],
  escalation: [
    { priorities: ['P4'], usergroups: GROUPS },
    { usergroups: ['team-250'] },
  ],
  signals: { triage_channel: 'CTRIAGE01' },
});

const clock = new FakeClock('2026-11-26T09:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy, clock, env: WEBHOOK_ENV });
  t.fake.addChannel({ id: 'CTRIAGE01', name: 'alerts-triage', members: new Set([t.fake.botUserId]) });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
});
afterAll(() => t?.stop());

/** Messages and views the app tried to send or change since `from` (a count of calls) and Slack refused. */
const refused = (from: number) => t.fake.calls.slice(from).filter((c) => !c.ok && /^chat\.|^views\./.test(c.method)).map((c) => `${c.method}: ${c.error}`);

/** Every mrkdwn text of some blocks. */
function texts(blocks: any[]): string[] {
  const out: string[] = [];
  const walk = (v: any) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (v.type === 'mrkdwn' && typeof v.text === 'string') out.push(v.text);
      Object.values(v).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}


async function command(text: string, userId: string, channelId: string) {
  const res = await t.slack.command({ text, userId, channelId });
  expect(res.status).toBe(200);
  return res;
}

describe('the fake Slack', () => {
  it('refuses a message whose blocks carry more than 12,000 characters of text, on every way of posting one', async () => {
    const client = new WebClient('xoxb-limits', { slackApiUrl: t.fake.apiUrl, retryConfig: { retries: 0 } });
    const ch = t.fake.addChannel({ name: 'limits', members: new Set([t.fake.botUserId, 'UANA']) });
    const section = (n: number) => ({ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(n) } });
    const button = (text: string) => ({ type: 'actions', elements: [{ type: 'button', action_id: 'b', text: { type: 'plain_text', text } }] });
    const atLimit = [section(3000), section(3000), section(3000), section(2999), button('y')];
    const over = [section(3000), section(3000), section(3000), section(2999), button('yy')];
    expect(totalBlockText(atLimit)).toBe(MSG_BLOCKS_TOTAL_TEXT_LIMIT);
    const error = async (p: Promise<unknown>) => p.then(() => 'ok', (e: WebAPIPlatformError) => e.data?.error);

    const posted = await client.chat.postMessage({ channel: ch.id, text: 'x', blocks: atLimit });
    expect(await error(client.chat.postMessage({ channel: ch.id, text: 'x', blocks: over }))).toBe('msg_blocks_too_long');
    expect(await error(client.chat.update({ channel: ch.id, ts: posted.ts!, text: 'x', blocks: atLimit }))).toBe('ok');
    expect(await error(client.chat.update({ channel: ch.id, ts: posted.ts!, text: 'x', blocks: over }))).toBe('msg_blocks_too_long');
    expect(await error(client.chat.postEphemeral({ channel: ch.id, user: 'UANA', text: 'x', blocks: atLimit }))).toBe('ok');
    expect(await error(client.chat.postEphemeral({ channel: ch.id, user: 'UANA', text: 'x', blocks: over }))).toBe('msg_blocks_too_long');
    const url = t.fake.responseUrl();
    const respond = (blocks: unknown[]) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ blocks }) });
    expect((await respond(atLimit)).status).toBe(200);
    expect((await respond(over)).status).toBe(400);
    expect(t.fake.responses.filter((r) => r.url === url).map((r) => r.rejected ?? 'ok')).toEqual(['ok', 'msg_blocks_too_long']);
  });
});

describe('the incident card at the limits of what it accepts', () => {
  it('keeps the longest bridge link whole and every update of a maximal card goes through', async () => {
    const description = hostile('Checkout fails', 3000);
    const impact = hostile('Refunds late', 1000);
    const resolution = hostile('Rolled back', 2500);
    const bridge = `https://meet.example.com/j/${'b'.repeat(2000 - 27)}`;
    const from = t.fake.calls.length;
    expect(bridge).toHaveLength(2000);

    const c = await declareIncident(t, { userId: 'UANA', title: 'Payments & ledger <all regions> & more', severity: 'SEV1', description, serviceList: SERVICES.map((s) => s.name) });
    const card = () => c.messages.find((m) => m.ts === c.pins[0])!;
    const cardText = () => texts(card().blocks!).join('\n');

    const set = await command(`bridge ${bridge}`, 'UANA', c.id);
    expect((await lastResponse(t, set.responseUrl)).text).toContain('Bridge for');
    await t.settle();
    await eventually(() => cardText().includes(`<${bridge}|Join the call>`), 5_000, 'the card with the bridge link');

    await command('triage', 'UANA', c.id);
    await submitModal(t, 'UANA', 'incident_triage', triageValues({ impact: 'extensive', urgency: 'critical', severity: 'SEV1', business: impact, services: SERVICES.map((s) => s.name) }));
    await eventually(() => cardText().includes('*Business impact*'), 5_000, 'the card with the business impact');

    await command('resolve', 'UANA', c.id);
    await submitModal(t, 'UANA', 'incident_resolve', { summary: { summary: input.text(resolution) } });
    await eventually(() => cardText().includes('*Resolution*'), 5_000, 'the card with the resolution');

    expect(refused(from)).toEqual([]);
    // The announcement thread hears of it shortened on the plain text, with no escape cut in half.
    const announce = t.fake.channelByName('incidents')!;
    const resolved = await eventually(() => announce.messages.find((m) => m.thread_ts && m.text?.includes('resolved: Rolled back')), 5_000, 'the resolution in the thread');
    expect(strayMarkup(resolved.text!)).toEqual([]);
    expect(resolved.text).toMatch(/…$/);
    const blocks = card().blocks!;
    expect(validateBlocks(blocks, 'message')).toEqual([]);
    expect(totalBlockText(blocks)).toBeLessThanOrEqual(MSG_BLOCKS_TOTAL_TEXT_LIMIT);
    expect(cardText()).toContain(`<${bridge}|Join the call>`);
    for (const text of texts(blocks)) expect(strayMarkup(text), text.slice(0, 200)).toEqual([]);
    // The long texts are shortened on their plain text, then escaped; each shows its beginning.
    const sections = blocks.filter((b: any) => b.type === 'section' && b.text).map((b: any) => b.text.text as string);
    const shown = (prefix: string, full: string) => {
      const s = sections.find((x) => x.startsWith(`${prefix}${full.slice(0, 14)}`))!;
      expect(s, prefix).toBeDefined();
      const body = s.slice(prefix.length);
      const plainText = body.replace(/…$/, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      expect(full.startsWith(plainText)).toBe(true);
      return body;
    };
    expect(shown('', description).length).toBeGreaterThan(1000);
    expect(shown('*Business impact*\n', impact).length).toBeGreaterThan(1000);
    expect(shown('*Resolution*\n', resolution).length).toBeGreaterThan(1000);
    // The services with their runbooks: links whole, in one field within Slack's 2,000 characters.
    const fields = blocks.flatMap((b: any) => b.fields ?? []).map((f: any) => f.text as string);
    const services = fields.find((f: string) => f.startsWith('*Services*'))!;
    expect(services.length).toBeLessThanOrEqual(2000);
    expect(services).toContain(`${SERVICES[0].name} (<${SERVICES[0].runbook}|runbook>)`);
  });
});

describe('a 40-item playbook at the policy maximums', () => {
  const parts = (c: FakeChannel) => c.messages.filter((m) => m.blocks?.[0]?.type === 'header' && m.blocks[0].text.text.includes('Playbook: Long haul'));
  const items = (m: FakeMessage) => m.blocks!.filter((b: any) => b.block_id?.startsWith('item_'));
  const footer = (m: FakeMessage) => m.blocks!.at(-1).elements[0].text as string;
  const tick = (c: FakeChannel, m: FakeMessage, index: number) => t.slack.blockAction({ userId: 'UBEN', actionId: `checklist_toggle:${index}`, channelId: c.id, messageTs: m.ts });

  it('is posted over several messages, every item once and in order, and ticks in any of them count', async () => {
    const from = t.fake.calls.length;
    const c = await declareIncident(t, { userId: 'UANA', title: 'Long haul', severity: 'SEV2' });
    await command('playbook long-haul', 'UANA', c.id);
    await t.settle();
    const posted = await eventually(() => (parts(c).length >= 2 ? parts(c) : undefined), 5_000, 'the playbook messages');
    expect(refused(from)).toEqual([]);

    const all = posted.flatMap(items);
    expect(all.map((b: any) => b.block_id)).toEqual(PLAYBOOK_ITEMS.map((_, i) => `item_${i}`));
    for (const [i, b] of all.entries()) {
      expect(b.text.text).toContain(`*${i + 1}.*`);
      expect(strayMarkup(b.text.text)).toEqual([]);
    }
    for (const m of posted) {
      expect(totalBlockText(m.blocks)).toBeLessThanOrEqual(MSG_BLOCKS_TOTAL_TEXT_LIMIT);
      expect(validateBlocks(m.blocks, 'message')).toEqual([]);
    }
    const ranges = posted.map((m) => /items (\d+)–(\d+) of 40/.exec(m.blocks![0].text.text)!.slice(1).map(Number));
    expect(ranges[0][0]).toBe(1);
    expect(ranges.at(-1)![1]).toBe(40);

    // Ticked items take more room (who and when): ticking all of them still fits each message.
    const first = posted[0];
    const last = posted.at(-1)!;
    await tick(c, last, 39);
    await tick(c, first, 0);
    await t.settle();
    expect(items(last).at(-1).text.text).toMatch(/^:white_check_mark: ~Step 40: check.*\n_done by <@UBEN>/s);
    expect(items(first)[0].text.text).toMatch(/^:white_check_mark: ~Step 1: check/);
    for (const m of posted) expect(footer(m)).toMatch(/^2 of 40 done/);

    await tick(c, last, 39);
    await t.settle();
    expect(items(last).at(-1).text.text).toMatch(/^:white_large_square: \*40\.\* Step 40: check/);
    for (const m of posted) expect(footer(m)).toMatch(/^1 of 40 done/);

    for (let i = 0; i < 40; i++) {
      const m = posted.find((p) => items(p).some((b: any) => b.block_id === `item_${i}`))!;
      if (i !== 0) await tick(c, m, i);
    }
    await t.settle();
    expect(refused(from)).toEqual([]);
    for (const m of posted) expect(footer(m)).toMatch(/^:tada: all done/);
    expect(parts(c)).toHaveLength(posted.length);
    const timeline = await t.app.db.selectFrom('timeline_events').select('kind').where('kind', 'in', ['checklist_posted', 'checklist_ticked', 'checklist_unticked']).execute();
    expect(timeline.filter((e) => e.kind === 'checklist_posted')).toHaveLength(1);
    expect(timeline.filter((e) => e.kind === 'checklist_ticked')).toHaveLength(41);
    expect(timeline.filter((e) => e.kind === 'checklist_unticked')).toHaveLength(1);
  });
});

describe('lists longer than a message', () => {
  it('/incident list all with 150 incidents shows what fits and says how many of all it shows', async () => {
    const title = 'R&<D>'.repeat(16);
    const teamId = (await t.app.db.selectFrom('incidents').select('team_id').executeTakeFirstOrThrow()).team_id;
    for (let i = 1; i <= 150; i++) {
      await insertIncident(t.app.db, { teamId, number: 10_000 + i, title, description: '', severity: 'SEV3', kind: 'service', status: 'investigating', services: [], commanderId: 'UANA', reporterId: 'UANA', sourceKey: null, declaredAt: clock.now() });
    }
    const total = Number((await t.app.db.selectFrom('incidents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const res = await command('list all', 'UANA', 'CGENERAL');
    const reply = await lastResponse(t, res.responseUrl);
    expect(validateBlocks(reply.blocks, 'message')).toEqual([]);
    expect(totalBlockText(reply.blocks)).toBeLessThanOrEqual(MSG_BLOCKS_TOTAL_TEXT_LIMIT);
    const lines = reply.blocks.filter((b: any) => b.type === 'section').flatMap((b: any) => b.text.text.split('\n'));
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(strayMarkup(line)).toEqual([]);
    expect(reply.blocks.at(-1)).toMatchObject({ type: 'context', elements: [{ text: `Showing the newest ${lines.length} of ${total}.` }] });
  });
});

describe('the escalate form with 300 user groups', () => {
  it('keeps the preselected group (past the 100th) among the 100 options it offers', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Escalate me', severity: 'SEV2' });
    await command('escalate', 'UANA', c.id);
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_escalate'), 5_000, 'the escalate form');
    expect(validateView(view)).toEqual([]);
    const block = view.blocks.find((b: any) => b.block_id === 'usergroups');
    expect(block.element.options).toHaveLength(100);
    expect(block.element.initial_options.map((o: any) => o.value)).toEqual(['team-250']);
    expect(block.element.options.map((o: any) => o.value)).toContain('team-250');
    expect(block.hint.text).toBe('100 of 300 groups are listed; name any other under "Other user groups".');
  });
});

describe('a signal post with long alert links', () => {
  it('lists the alerts that fit, each link whole, and says how many more there are', async () => {
    const body = alertmanagerGroup({ groupKey: '{}:{alertname="LedgerLag"}', alertname: 'LedgerLag', instances: Array.from({ length: 20 }, (_, i) => `ledger-${i}`), service: 'ledger' });
    body.alerts.forEach((a: any, i: number) => (a.generatorURL = `https://prometheus.example.org/graph?g0.expr=${'x'.repeat(600)}&i=${i}`));
    expect((await postWebhook(t, 'alertmanager', body)).status).toBe(200);
    await t.settle();
    const post = await eventually(() => t.fake.messagesIn('CTRIAGE01').find((m) => m.text?.includes('LedgerLag')), 5_000, 'the triage post');
    const list = post.blocks!.filter((b: any) => b.type === 'section' && b.text?.text.includes('ledger-')).at(-1).text.text as string;
    expect(strayMarkup(list)).toEqual([]);
    const lines = list.split('\n');
    const more = /^_… and (\d+) more_$/.exec(lines.at(-1)!);
    expect(more).not.toBeNull();
    expect(lines.length - 1 + Number(more![1])).toBe(20);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/<https:\/\/prometheus\.example\.org\/graph\?g0\.expr=x{600}&i=\d+\|LedgerLag on ledger-\d+>$/);
  });
});
