import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, lastResponse, messageText, submitModal } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
let channel: FakeChannel;
let ref: string;
beforeAll(async () => {
  // The lifecycle alone: no priority requires a post-incident review here (test/reviews.test.ts covers that gate).
  t = await startTestApp({ policy: { reviews: { required_priorities: [], due_days: 5, remind_before_days: 2 } } });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
  channel = await declareIncident(t, { userId: 'UANA', title: 'Search latency over 5s', severity: 'SEV2', commander: 'UBEN' });
  ref = `INC-${/^inc-(\d+)-/.exec(channel.name)![1]}`;
});
afterAll(() => t?.stop());

const announcement = () => t.fake.channelByName('incidents')!.messages.find((m) => (!m.thread_ts || m.thread_ts === m.ts) && messageText(m).includes(`${ref}:`))!;
const threadReplies = () => t.fake.channelByName('incidents')!.messages.filter((m) => m.thread_ts === announcement().ts && m.ts !== m.thread_ts);
const card = () => channel.messages.find((m) => m.ts === channel.pins[0])!;
const command = async (text: string, userId = 'UANA') => {
  const res = await t.slack.command({ text, userId, channelId: channel.id });
  expect(res.status).toBe(200);
  return res;
};
const reply = async (text: string, userId = 'UANA') => lastResponse(t, (await command(text, userId)).responseUrl);

describe('running an incident in its channel', () => {
  it('posts an update: channel message, card, topic and announcement thread', async () => {
    await command('update', 'UBEN');
    const res = await submitModal(t, 'UBEN', 'incident_update', {
      status: { status: input.select('identified') },
      message: { message: input.text('Bad index on the search cluster; rebuilding it.') },
      next_update: { next_update: input.select('30') },
    });
    expect(res.body).toBeFalsy();
    const posted = await eventually(() => channel.messages.find((m) => messageText(m).includes('Bad index on the search cluster')));
    expect(messageText(posted)).toContain(`${ref} update · identified`);
    expect(messageText(posted)).toContain('<@UBEN>');
    await eventually(() => messageText(card()).includes('identified'));
    expect(messageText(card())).toContain('Next update');
    expect(channel.topic).toBe(`${ref} · SEV2 · identified · IC <@UBEN>`);
    await eventually(() => threadReplies().some((m) => messageText(m).includes('identified: Bad index')));
    expect(messageText(announcement())).toContain('identified');
  });

  it('refuses an update without text, inline', async () => {
    await command('update');
    const res = await submitModal(t, 'UANA', 'incident_update', { status: { status: input.select('monitoring') }, message: { message: input.text('  ') }, next_update: { next_update: input.select('none') } });
    expect(res.body).toEqual({ response_action: 'errors', errors: { message: 'Say what changed.' } });
  });

  it('adds a note from the command and from the card button', async () => {
    const r = await reply('note Rebuild is 40% done; ETA 10 minutes');
    expect(r.response_type).toBe('ephemeral');
    expect(r.text).toContain(`Added to the ${ref} timeline`);
    const click = await t.slack.blockAction({ userId: 'UANA', actionId: 'incident_open_note', channelId: channel.id, messageTs: card().ts });
    expect(click.status).toBe(200);
    await submitModal(t, 'UANA', 'incident_note', { note: { note: input.text('Customer support informed') } });
    const notes = await t.app.db.selectFrom('timeline_events').select(['payload', 'actor_id']).where('kind', '=', 'note').execute();
    expect(notes.map((n) => n.payload.text)).toEqual(['Rebuild is 40% done; ETA 10 minutes', 'Customer support informed']);
  });

  it('answers `/incident note` without text with usage', async () => {
    expect((await reply('note')).text).toMatch(/\/incident note <text>/);
  });

  it('resolves with a summary; card, topic and announcement show it', async () => {
    await command('resolve', 'UBEN');
    await submitModal(t, 'UBEN', 'incident_resolve', { summary: { summary: input.text('Index rebuilt; p99 back to 300ms.') } });
    await eventually(() => channel.topic.includes('resolved'));
    expect(messageText(card())).toContain('Index rebuilt; p99 back to 300ms.');
    expect(card().blocks!.flatMap((b: any) => b.elements ?? []).map((e: any) => e.action_id)).toContain('incident_close');
    await eventually(() => threadReplies().some((m) => messageText(m).includes('resolved: Index rebuilt')));
    await eventually(() => messageText(announcement()).includes('resolved'));
    const stored = await t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(stored.status).toBe('resolved');
    expect(stored.resolved_at).toBeInstanceOf(Date);
    expect(stored.mitigated_at).toBeInstanceOf(Date);
    expect((await reply('resolve')).text).toMatch(/already resolved/);
  });

  it('reopens with a reason, and refuses to close an unresolved incident', async () => {
    expect((await reply('reopen')).text).toMatch(/reopen <reason>/);
    expect((await reply('reopen Latency is back')).text).toContain('open again');
    await eventually(() => channel.topic.includes('investigating'));
    const stored = await t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(stored.resolved_at).toBeNull();
    expect((await reply('close')).text).toMatch(/Resolve the incident before closing/);
  });

  it('closes once resolved again', async () => {
    await command('resolve');
    await submitModal(t, 'UANA', 'incident_resolve', { summary: { summary: input.text('Second index node replaced.') } });
    expect((await reply('close')).text).toContain('is closed');
    await eventually(() => channel.topic.includes('closed'));
    const stored = await t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(stored.closed_at).toBeInstanceOf(Date);
    await eventually(() => threadReplies().some((m) => messageText(m).includes(`${ref} is closed`)));
  });

  it('shows the whole timeline in order, with who did what', async () => {
    const r = await reply('timeline');
    const text = messageText(r);
    const order = ['declared the incident', 'changed the status investigating → identified', 'posted an update (identified)', 'noted: Rebuild is 40%', 'noted: Customer support informed', 'resolved the incident: Index rebuilt', 'reopened the incident: Latency is back', 'resolved the incident: Second index', 'closed the incident'];
    let at = -1;
    for (const entry of order) {
      const i = text.indexOf(entry);
      expect(i, entry).toBeGreaterThan(at);
      at = i;
    }
    expect(text).toContain('<@UANA> declared');
    expect(text).toMatch(/<!date\^\d+\^\{time\}\|/);
    const rows = await t.app.db.selectFrom('timeline_events').select('kind').orderBy('id').execute();
    expect(rows.map((r) => r.kind)).toEqual(['declared', 'channel_created', 'status_changed', 'update', 'note', 'note', 'status_changed', 'resolved', 'status_changed', 'reopened', 'status_changed', 'resolved', 'closed']);
  });

  it('lists open incidents, and all of them with `list all`', async () => {
    const other = await declareIncident(t, { userId: 'UANA', title: 'VPN flapping', severity: 'SEV3' });
    const open = await lastResponse(t, (await t.slack.command({ text: 'list', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
    expect(messageText(open)).toContain('VPN flapping');
    expect(messageText(open)).toContain(`<#${other.id}>`);
    expect(messageText(open)).not.toContain('Search latency');
    const all = await lastResponse(t, (await t.slack.command({ text: 'list all', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
    const text = messageText(all);
    expect(text.indexOf('VPN flapping')).toBeLessThan(text.indexOf('Search latency'));
    expect(text).toContain('closed');
  });

  it('keeps everything across a restart', async () => {
    await t.restart();
    const r = await reply('timeline');
    expect(messageText(r)).toContain('closed the incident');
    const all = await lastResponse(t, (await t.slack.command({ text: 'list all', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
    expect(messageText(all)).toContain('Search latency');
  });
});

describe('a title with Slack markup characters', () => {
  it('is escaped in the notification text of the card and the announcement, shown as typed in the header', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Checkout <errors> & "timeouts"' });
    const pinned = c.messages.find((m) => m.ts === c.pins[0])!;
    expect(pinned.text).toContain('Checkout &lt;errors&gt; &amp; "timeouts"');
    expect(pinned.blocks?.[0].text.text).toContain('Checkout <errors> & "timeouts"');
    const announced = await eventually(() => t.fake.channelByName('incidents')!.messages.find((m) => m.text?.includes('Checkout &lt;errors&gt;')));
    expect(announced.text).not.toContain('<errors>');
  });
});

describe('outside an incident', () => {
  it('every subcommand that works on the channel\'s incident says where it works', async () => {
    for (const text of ['update', 'note lost', 'timeline', 'resolve', 'reopen why', 'close', 'triage', 'escalate', 'bridge', 'vendor', 'role commander <@UANA|ana>', 'roles', 'review', 'cause CHG-1', 'dr', 'playbook', 'action add', 'problem', 'export timeline']) {
      const r = await lastResponse(t, (await t.slack.command({ text, userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
      expect([text, r.response_type, r.text]).toEqual([text, 'ephemeral', 'This command works inside an incident channel. `/incident list` shows the open incidents and their channels.']);
    }
  });

  it('a card button of an incident that is gone says so', async () => {
    const res = await t.slack.blockAction({ userId: 'UANA', actionId: 'incident_open_update', value: '999999', channelId: 'CGENERAL', messageTs: undefined });
    expect((await lastResponse(t, res.responseUrl!)).text).toBe('That incident no longer exists.');
  });
});

describe('security incidents', () => {
  it('never mirror update details to the announcement thread', async () => {
    const secret = await declareIncident(t, { userId: 'UANA', title: 'Phishing wave', kind: 'security', severity: 'SEV2' });
    const secretRef = `INC-${/^inc-(\d+)-/.exec(secret.name)![1]}`;
    await t.slack.command({ text: 'update', userId: 'UANA', channelId: secret.id });
    await submitModal(t, 'UANA', 'incident_update', { status: { status: input.select('identified') }, message: { message: input.text('Sender domain evil.example blocked') }, next_update: { next_update: input.select('none') } });
    await eventually(() => secret.messages.some((m) => messageText(m).includes('evil.example')));
    await t.slack.command({ text: 'resolve', userId: 'UANA', channelId: secret.id });
    await submitModal(t, 'UANA', 'incident_resolve', { summary: { summary: input.text('Mailboxes cleaned by evil.example filter') } });
    await eventually(() => t.fake.channelByName('incidents')!.messages.some((m) => m.thread_ts && messageText(m).includes(`${secretRef} is resolved`)));
    for (const m of t.fake.channelByName('incidents')!.messages) expect(messageText(m)).not.toMatch(/evil\.example|Phishing/);
    const list = await lastResponse(t, (await t.slack.command({ text: 'list all', userId: 'UBEN', channelId: 'CGENERAL' })).responseUrl);
    expect(messageText(list)).toContain(secretRef);
    expect(messageText(list)).not.toContain('Phishing');
  });
});

describe('long timelines', () => {
  it('are attached as a file rather than refused by Slack', async () => {
    const long = await declareIncident(t, { userId: 'UANA', title: 'Chatty incident' });
    for (let i = 0; i < 60; i++) await t.slack.command({ text: `note ${'observation '.repeat(25)}#${i}`, userId: 'UANA', channelId: long.id });
    // Each note is stored after its command is acknowledged: wait for all of them.
    await t.settle();
    const r = await reply('timeline');
    expect(r.text).toBeDefined();
    const res = await t.slack.command({ text: 'timeline', userId: 'UANA', channelId: long.id });
    const answer = await lastResponse(t, res.responseUrl);
    expect(answer.text).toMatch(/posted it to this channel as a file/);
    const file = [...t.fake.files.values()].find((f) => f.filename.endsWith('-timeline.md'))!;
    expect(file.channels).toContain(long.id);
    expect(file.content).toContain('#59');
    expect(file.content.split('\n').filter((l) => l.includes('| note |'))).toHaveLength(60);
  });
});
