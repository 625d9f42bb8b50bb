import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { LogLevel, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { App } from '@slack/bolt';
import { FakeSlack, TRIGGER_TTL_MS } from './support/fake-slack.js';
import { LIMITS, validateBlocks, validateView } from './support/block-kit-validator.js';
import { SlackDriver, input, signSlackRequest } from './support/slack-requests.js';

const TOKEN = 'xoxb-test-token';
let clock = Date.now();
let fake: FakeSlack;
let client: WebClient;

const noop = () => {};
/** WebClient logs Slack's `[ERROR]` response messages; keep test output quiet. */
const silentLogger = { debug: noop, info: noop, warn: noop, error: noop, setLevel: noop, getLevel: () => LogLevel.ERROR, setName: noop };

function newClient(token: string | null = TOKEN, extra: Record<string, unknown> = {}): WebClient {
  return new WebClient(token ?? undefined, { slackApiUrl: fake.apiUrl, logger: silentLogger, retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 20 }, ...extra });
}

/** Resolves to the Slack error name of a failed call (fails the test if the call succeeded). */
async function slackError(p: Promise<unknown>): Promise<{ error: string; data: any }> {
  try {
    await p;
  } catch (e) {
    const err = e as WebAPIPlatformError;
    if (err.code !== 'slack_webapi_platform_error') throw e;
    return { error: err.data.error, data: err.data };
  }
  throw new Error('expected the call to fail');
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const modal = (extra: Record<string, unknown> = {}) => ({ type: 'modal', title: { type: 'plain_text', text: 'Declare incident' }, blocks: [section('hi')], ...extra });

beforeAll(async () => {
  fake = await FakeSlack.start({ now: () => clock });
  client = newClient();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  clock = Date.now();
  fake.reset();
  fake.addUser({ id: 'U0ALICE', name: 'alice', real_name: 'Alice A', email: 'alice@example.com', tz: 'Europe/Paris', tz_offset: 3600 });
  fake.addUser({ id: 'U0BOB', name: 'bob', email: 'bob@example.com' });
});

describe('auth and routing', () => {
  it('answers auth.test with the bot identity and rejects missing or non-bot tokens', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: 'UBOT0001', team_id: 'T0TEST001', bot_id: expect.any(String) });
    expect(fake.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect((await slackError(newClient(null).auth.test())).error).toBe('not_authed');
    expect((await slackError(newClient('xoxp-user').auth.test())).error).toBe('invalid_auth');
    expect((await slackError(client.apiCall('nope.nothing'))).error).toBe('unknown_method');
  });

  it('records calls with parsed arguments, from form and JSON bodies', async () => {
    await client.chat.postMessage({ channel: fake.addChannel({ name: 'general' }).id, text: 'hi', blocks: [section('*hi*')] });
    const [call] = fake.callsTo('chat.postMessage');
    expect(call).toMatchObject({ ok: true, args: { text: 'hi', blocks: [section('*hi*')] } });
    expect(call!.args.token).toBeUndefined();
    const res = await fetch(`${fake.apiUrl}users.info`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ user: 'U0ALICE' }) });
    expect(await res.json()).toMatchObject({ ok: true, user: { id: 'U0ALICE', tz: 'Europe/Paris', profile: { email: 'alice@example.com' } } });
  });
});

describe('conversations', () => {
  it('enforces channel name rules and name_taken (archived channels included)', async () => {
    expect((await slackError(client.conversations.create({ name: 'Inc Outage' }))).error).toBe('invalid_name_specials');
    expect((await slackError(client.conversations.create({ name: 'a'.repeat(81) }))).error).toBe('invalid_name_maxlength');
    expect((await slackError(client.conversations.create({ name: '' }))).error).toBe('invalid_name_required');
    const ok = await client.conversations.create({ name: 'a'.repeat(80) });
    expect(ok.channel).toMatchObject({ name: 'a'.repeat(80), is_private: false, is_member: true });
    const created = await client.conversations.create({ name: 'inc-42_db', is_private: true });
    expect(created.channel).toMatchObject({ id: expect.stringMatching(/^[CG]/), is_private: true });
    expect(fake.channelByName('inc-42_db')!.members.has(fake.botUserId)).toBe(true);
    await client.conversations.archive({ channel: created.channel!.id! });
    expect((await slackError(client.conversations.create({ name: 'inc-42_db' }))).error).toBe('name_taken');
    expect((await slackError(client.chat.postMessage({ channel: created.channel!.id!, text: 'x' }))).error).toBe('is_archived');
  });

  it('follows invite semantics: user_not_found fails all, already_in_channel only when all are members', async () => {
    const ch = (await client.conversations.create({ name: 'inc-1' })).channel!.id!;
    const bad = await slackError(client.conversations.invite({ channel: ch, users: 'U0ALICE,U0NOPE' }));
    expect(bad.error).toBe('user_not_found');
    expect(fake.channels.get(ch)!.members.has('U0ALICE')).toBe(false);
    expect((await slackError(client.conversations.invite({ channel: ch, users: fake.botUserId }))).error).toBe('cant_invite_self');
    await client.conversations.invite({ channel: ch, users: 'U0ALICE' });
    await client.conversations.invite({ channel: ch, users: 'U0ALICE,U0BOB' }); // alice already in: bob is added
    expect([...fake.channels.get(ch)!.members]).toEqual(expect.arrayContaining(['U0ALICE', 'U0BOB']));
    expect((await slackError(client.conversations.invite({ channel: ch, users: 'U0ALICE,U0BOB' }))).error).toBe('already_in_channel');
    const forced = await client.conversations.invite({ channel: ch, users: 'U0NOPE', force: true }).catch((e) => e.data);
    expect(forced.error).toBe('user_not_found');
    const priv = fake.addChannel({ name: 'secret', is_private: true });
    expect((await slackError(client.conversations.invite({ channel: priv.id, users: 'U0ALICE' }))).error).toBe('not_in_channel');
  });

  it('sets topic (≤ 250), lists history newest first and replies, opens stable DMs', async () => {
    const ch = (await client.conversations.create({ name: 'inc-2' })).channel!.id!;
    expect((await slackError(client.conversations.setTopic({ channel: ch, topic: 'x'.repeat(251) }))).error).toBe('too_long');
    await client.conversations.setTopic({ channel: ch, topic: 'SEV1 db down' });
    expect(fake.channels.get(ch)!.topic).toBe('SEV1 db down');
    const first = await client.chat.postMessage({ channel: ch, text: 'one' });
    await client.chat.postMessage({ channel: ch, text: 'two' });
    await client.chat.postMessage({ channel: ch, text: 'reply', thread_ts: first.ts! });
    const hist = await client.conversations.history({ channel: ch, limit: 10 });
    expect(hist.messages!.map((m) => m.text)).toEqual(['two', 'one']);
    const replies = await client.conversations.replies({ channel: ch, ts: first.ts! });
    expect(replies.messages!.map((m) => m.text)).toEqual(['one', 'reply']);
    const dm1 = await client.conversations.open({ users: 'U0ALICE' });
    const dm2 = await client.conversations.open({ users: 'U0ALICE' });
    expect(dm1.channel!.id).toMatch(/^D/);
    expect(dm2.channel!.id).toBe(dm1.channel!.id);
    const posted = await client.chat.postMessage({ channel: 'U0BOB', text: 'psst' });
    expect(posted.channel).toBe(fake.ims.get('U0BOB'));
    expect(fake.messagesIn(posted.channel!)[0]).toMatchObject({ text: 'psst', user: fake.botUserId });
  });
});

describe('scopes', () => {
  it('grants the scopes manifest.yml asks for and answers missing_scope beyond them, per kind of conversation', async () => {
    const narrow = await FakeSlack.start({ scopes: ['chat:write', 'channels:history', 'channels:manage'] });
    try {
      const c = new WebClient(TOKEN, { slackApiUrl: narrow.apiUrl, logger: silentLogger });
      const pub = (await c.conversations.create({ name: 'open-room' })).channel!.id!;
      await c.chat.postMessage({ channel: pub, text: 'hello' });
      expect((await c.conversations.history({ channel: pub })).messages).toHaveLength(1);
      const priv = narrow.addChannel({ name: 'secret-room', is_private: true, members: new Set([narrow.botUserId]) });
      const refused = await slackError(c.conversations.history({ channel: priv.id }));
      expect(refused).toMatchObject({ error: 'missing_scope', data: { needed: 'groups:history', provided: 'chat:write,channels:history,channels:manage' } });
      expect((await slackError(c.conversations.create({ name: 'secret-2', is_private: true }))).data.needed).toBe('groups:write');
      expect((await slackError(c.conversations.open({ users: 'U0ALICE' }))).data.needed).toBe('im:write');
    } finally {
      await narrow.close();
    }
    expect(fake.scopes.has('im:write') && !fake.scopes.has('mpim:write')).toBe(true);
    expect((await slackError(client.conversations.open({ users: 'U0ALICE,U0BOB' }))).data.needed).toBe('mpim:write');
  });
});

describe('chat and friends', () => {
  it('validates postMessage: no_text, msg_too_long, thread_not_found, private channels need membership', async () => {
    const pub = fake.addChannel({ name: 'announce' });
    const priv = fake.addChannel({ name: 'private', is_private: true });
    expect((await slackError(client.chat.postMessage({ channel: pub.id } as any))).error).toBe('no_text');
    expect((await slackError(client.chat.postMessage({ channel: pub.id, text: 'x'.repeat(40_001) }))).error).toBe('msg_too_long');
    expect((await slackError(client.chat.postMessage({ channel: pub.id, text: 'x', thread_ts: '1.000001' }))).error).toBe('thread_not_found');
    expect((await slackError(client.chat.postMessage({ channel: 'C_NOPE', text: 'x' }))).error).toBe('channel_not_found');
    expect((await slackError(client.chat.postMessage({ channel: priv.id, text: 'x' }))).error).toBe('channel_not_found');
    const a = await client.chat.postMessage({ channel: '#announce', text: 'a' }); // public: chat:write.public
    const b = await client.chat.postMessage({ channel: pub.id, text: 'b' });
    expect(a.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(b.ts! > a.ts!).toBe(true);
    expect(a.channel).toBe(pub.id);
  });

  it('updates, pins, bookmarks, reacts and builds permalinks', async () => {
    const ch = (await client.conversations.create({ name: 'inc-3' })).channel!.id!;
    const { ts } = await client.chat.postMessage({ channel: ch, text: 'status', blocks: [section('old')] });
    expect((await slackError(client.chat.update({ channel: ch, ts: '1.000002', text: 'x' }))).error).toBe('message_not_found');
    await client.chat.update({ channel: ch, ts: ts!, text: 'status v2', blocks: [section('new')] });
    const msg = fake.messagesIn(ch)[0]!;
    expect(msg).toMatchObject({ text: 'status v2', edited: true });
    expect(msg.blocks![0].text.text).toBe('new');
    expect(msg.blocks![0].block_id).toEqual(expect.any(String)); // Slack assigns block ids
    await client.pins.add({ channel: ch, timestamp: ts! });
    expect((await slackError(client.pins.add({ channel: ch, timestamp: ts! }))).error).toBe('already_pinned');
    expect((await slackError(client.pins.add({ channel: ch, timestamp: '1.000003' }))).error).toBe('message_not_found');
    const bm = await client.bookmarks.add({ channel_id: ch, title: 'Runbook', type: 'link', link: 'https://runbooks.example/db' });
    await client.bookmarks.edit({ channel_id: ch, bookmark_id: bm.bookmark!.id!, title: 'Runbook (db)' });
    expect(fake.channels.get(ch)!.bookmarks).toEqual([expect.objectContaining({ title: 'Runbook (db)', link: 'https://runbooks.example/db' })]);
    await client.reactions.add({ channel: ch, timestamp: ts!, name: 'eyes' });
    expect((await slackError(client.reactions.add({ channel: ch, timestamp: ts!, name: 'eyes' }))).error).toBe('already_reacted');
    const link = await client.chat.getPermalink({ channel: ch, message_ts: ts! });
    expect(link.permalink).toBe(`https://fake.slack.test/archives/${ch}/p${ts!.replace('.', '')}`);
    expect((await slackError(client.chat.postEphemeral({ channel: ch, user: 'U0ALICE', text: 'x' }))).error).toBe('user_not_in_channel');
    await client.conversations.invite({ channel: ch, users: 'U0ALICE' });
    await client.chat.postEphemeral({ channel: ch, user: 'U0ALICE', text: 'only you' });
    expect(fake.ephemerals).toEqual([expect.objectContaining({ channel: ch, user: 'U0ALICE', text: 'only you' })]);
  });

  it('answers users and usergroups lookups', async () => {
    fake.addUsergroup({ id: 'S0ONCALL', handle: 'oncall', users: ['U0ALICE'] });
    expect((await client.users.lookupByEmail({ email: 'BOB@example.com' })).user!.id).toBe('U0BOB');
    expect((await slackError(client.users.lookupByEmail({ email: 'nobody@example.com' }))).error).toBe('users_not_found');
    expect((await slackError(client.users.info({ user: 'U0NOPE' }))).error).toBe('user_not_found');
    expect((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual(['U0ALICE']);
    expect((await slackError(client.usergroups.users.list({ usergroup: 'S0NOPE' }))).error).toBe('no_such_subteam');
    expect((await client.usergroups.list({ include_users: true })).usergroups).toEqual([expect.objectContaining({ handle: 'oncall', users: ['U0ALICE'] })]);
  });
});

describe('Block Kit strictness', () => {
  it('refuses 51 blocks and a 3001-char section with invalid_blocks and explanations', async () => {
    const ch = fake.addChannel({ name: 'general' }).id;
    await client.chat.postMessage({ channel: ch, text: 'ok', blocks: Array.from({ length: 50 }, () => ({ type: 'divider' })) });
    const tooMany = await slackError(client.chat.postMessage({ channel: ch, text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }));
    expect(tooMany.error).toBe('invalid_blocks');
    expect(tooMany.data.response_metadata.messages[0]).toMatch(/^\[ERROR\] must provide no more than 50 items \[json-pointer:\/blocks\]/);
    await client.chat.postMessage({ channel: ch, text: 'ok', blocks: [section('x'.repeat(3000))] });
    const long = await slackError(client.chat.postMessage({ channel: ch, text: 'x', blocks: [section('x'.repeat(3001))] }));
    expect(long.error).toBe('invalid_blocks');
    expect(long.data.response_metadata.messages).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    const big = Array.from({ length: 5 }, () => section('y'.repeat(2900)));
    expect((await slackError(client.chat.postMessage({ channel: ch, text: 'x', blocks: big }))).error).toBe('msg_blocks_too_long');
    const inputInMessage = [{ type: 'input', label: { type: 'plain_text', text: 'L' }, element: { type: 'plain_text_input' } }];
    expect((await slackError(client.chat.postMessage({ channel: ch, text: 'x', blocks: inputInMessage }))).error).toBe('invalid_blocks');
  });

  it('validates element and text-object rules', () => {
    const btn = (text: string, extra = {}) => ({ type: 'button', action_id: 'a', text: { type: 'plain_text', text }, ...extra });
    expect(validateBlocks([{ type: 'actions', elements: [btn('x'.repeat(75))] }], 'message')).toEqual([]);
    expect(validateBlocks([{ type: 'actions', elements: [btn('x'.repeat(76))] }], 'message')[0]).toMatch(/less than 76/);
    expect(validateBlocks([{ type: 'actions', elements: [btn('a'), btn('b')] }], 'message')[0]).toMatch(/action_id "a" is not unique/);
    expect(validateBlocks([{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], 'message')[0]).toMatch(/plain_text/);
    expect(validateBlocks([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }], 'message')[0]).toMatch(/less than 151/);
    expect(validateBlocks([section('a'), { ...section('b'), block_id: 'x' }, { ...section('c'), block_id: 'x' }], 'message')).toHaveLength(1);
    expect(validateBlocks([{ type: 'section', text: { type: 'mrkdwn', text: '' } }], 'message')[0]).toMatch(/more than 0/);
    expect(validateBlocks([{ type: 'fancy' }], 'message')[0]).toMatch(/unknown block type/);
    const options = Array.from({ length: 101 }, (_, i) => ({ text: { type: 'plain_text', text: `o${i}` }, value: `v${i}` }));
    expect(validateBlocks([{ type: 'actions', elements: [{ type: 'static_select', action_id: 's', options }] }], 'message')[0]).toMatch(/no more than 100/);
    const fields = Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' }));
    expect(validateBlocks([{ type: 'section', fields }], 'message')[0]).toMatch(/no more than 10/);
    expect(validateBlocks(Array.from({ length: 100 }, () => ({ type: 'divider' })), 'modal')).toEqual([]);
    expect(validateView(modal({ private_metadata: 'm'.repeat(3001) }))[0]).toMatch(/private_metadata/);
    expect(validateView(modal({ blocks: [{ type: 'input', block_id: 'b', label: { type: 'plain_text', text: 'L' }, element: { type: 'plain_text_input', action_id: 'a' } }] }))[0]).toMatch(/submit/);
    expect(LIMITS.viewTitle).toBe(24);
  });

  it('refuses a modal whose title has 25 characters (invalid_arguments, like views.open)', async () => {
    const triggerId = fake.issueTriggerId('U0ALICE');
    const bad = await slackError(client.views.open({ trigger_id: triggerId, view: modal({ title: { type: 'plain_text', text: 't'.repeat(25) } }) as any }));
    expect(bad.error).toBe('invalid_arguments');
    expect(bad.data.response_metadata.messages[0]).toContain('/view/title/text');
    const ok = await client.views.open({ trigger_id: triggerId, view: modal({ title: { type: 'plain_text', text: 't'.repeat(24) } }) as any });
    expect(ok.view!.id).toMatch(/^V/);
  });
});

describe('views and trigger ids', () => {
  it('uses a trigger_id once and only within 3 s', async () => {
    const t1 = fake.issueTriggerId('U0ALICE');
    const opened = await client.views.open({ trigger_id: t1, view: modal({ callback_id: 'declare' }) as any });
    expect(fake.views.get(opened.view!.id!)).toMatchObject({ user: 'U0ALICE', type: 'modal', hash: opened.view!.hash });
    expect((await slackError(client.views.open({ trigger_id: t1, view: modal() as any }))).error).toBe('exchanged_trigger_id');
    const t2 = fake.issueTriggerId('U0ALICE');
    clock += TRIGGER_TTL_MS + 1;
    expect((await slackError(client.views.open({ trigger_id: t2, view: modal() as any }))).error).toBe('expired_trigger_id');
    expect((await slackError(client.views.open({ trigger_id: '123.456.abc', view: modal() as any }))).error).toBe('invalid_trigger_id');
  });

  it('updates with hash checks, pushes at most 3 views, publishes home tabs', async () => {
    const { view } = await client.views.open({ trigger_id: fake.issueTriggerId('U0ALICE'), view: modal() as any });
    const updated = await client.views.update({ view_id: view!.id!, hash: view!.hash!, view: modal({ blocks: [section('loaded')] }) as any });
    expect(updated.view!.id).toBe(view!.id);
    expect((await slackError(client.views.update({ view_id: view!.id!, hash: view!.hash!, view: modal() as any }))).error).toBe('hash_conflict');
    await client.views.push({ trigger_id: fake.issueTriggerId('U0ALICE'), view: modal() as any });
    await client.views.push({ trigger_id: fake.issueTriggerId('U0ALICE'), view: modal() as any });
    expect((await slackError(client.views.push({ trigger_id: fake.issueTriggerId('U0ALICE'), view: modal() as any }))).error).toBe('push_limit_reached');
    fake.closeView(view!.id!);
    expect((await slackError(client.views.update({ view_id: view!.id!, view: modal() as any }))).error).toBe('not_found');
    const home = await client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [section('Open incidents: 0')] } });
    const again = await client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [section('Open incidents: 1')] } });
    expect(again.view!.id).toBe(home.view!.id);
    expect(fake.views.get(fake.homeViews.get('U0ALICE')!)!.view.blocks[0].text.text).toBe('Open incidents: 1');
    expect((await slackError(client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) } }))).error).toBe('invalid_arguments');
  });
});

describe('failures and rate limits', () => {
  it('answers 429 with Retry-After; WebClient waits, retries and succeeds', async () => {
    const ch = fake.addChannel({ name: 'general' }).id;
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const res = await client.chat.postMessage({ channel: ch, text: 'after the limit' });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.callsTo('chat.postMessage').map((c) => c.error ?? 'ok')).toEqual(['ratelimited', 'ok']);
    expect(fake.messagesIn(ch)).toHaveLength(1);
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const rejecting = newClient(TOKEN, { rejectRateLimitedCalls: true });
    await expect(rejecting.chat.postMessage({ channel: ch, text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });

  it('injects 5xx (retried by WebClient), platform errors and every-n-th failures', async () => {
    const ch = fake.addChannel({ name: 'general' }).id;
    fake.failNext('chat.postMessage', { status: 503 });
    await client.chat.postMessage({ channel: ch, text: 'survived a 503' });
    expect(fake.callsTo('chat.postMessage').map((c) => c.error ?? 'ok')).toEqual(['http_503', 'ok']);
    fake.failNext('conversations.create', { error: 'restricted_action', times: 2 });
    expect((await slackError(client.conversations.create({ name: 'a1' }))).error).toBe('restricted_action');
    expect((await slackError(client.conversations.create({ name: 'a1' }))).error).toBe('restricted_action');
    await client.conversations.create({ name: 'a1' });
    fake.failEvery('*', 3, { error: 'internal_error' });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await client.auth.test().then(() => 'ok', (e) => e.data.error));
    expect(results).toEqual(['ok', 'ok', 'internal_error', 'ok', 'ok', 'internal_error']);
  });
});

describe('files', () => {
  it('files.uploadV2 round trip stores the content and posts a file message', async () => {
    const ch = (await client.conversations.create({ name: 'inc-files' })).channel!.id!;
    const res = await client.files.uploadV2({ channel_id: ch, filename: 'timeline.md', title: 'Timeline', content: '# Timeline\n- 10:00 declared', initial_comment: 'Postmortem draft' });
    const fileId = (res as any).files[0].files[0].id as string;
    expect(fake.files.get(fileId)).toMatchObject({ filename: 'timeline.md', title: 'Timeline', content: '# Timeline\n- 10:00 declared', channels: [ch] });
    const [msg] = fake.messagesIn(ch);
    expect(msg).toMatchObject({ text: 'Postmortem draft', user: fake.botUserId, files: [expect.objectContaining({ id: fileId, name: 'timeline.md' })] });
    expect((await client.files.info({ file: fileId })).file!.title).toBe('Timeline');
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });
});

describe('request signing and the driver', () => {
  it("reproduces Slack's published signature example", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  it('drives a real Bolt app: command → modal → submission, actions, events, response_url, bad signatures', async () => {
    const secret = 'test-signing-secret';
    const seen: string[] = [];
    const app = new App({ token: TOKEN, signingSecret: secret, clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }, logLevel: LogLevel.ERROR });
    app.command('/incident', async ({ ack, body, client: c, respond }) => {
      await ack();
      await c.views.open({ trigger_id: body.trigger_id, view: { type: 'modal', callback_id: 'declare', title: { type: 'plain_text', text: 'Declare' }, submit: { type: 'plain_text', text: 'Go' }, blocks: [{ type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'v' } }] } });
      await respond({ text: `opening for ${body.text}` });
    });
    app.view('declare', async ({ ack, view }) => {
      const title = view.state.values.title!.v!.value!;
      if (title.length < 3) await ack({ response_action: 'errors', errors: { title: 'too short' } });
      else await ack();
      seen.push(`submitted:${title}`);
    });
    app.action('ack_btn', async ({ ack, body }) => {
      await ack();
      seen.push(`action:${(body as any).actions[0].value}:${(body as any).message?.text}`);
    });
    app.event('reaction_added', async ({ event }) => {
      seen.push(`event:${event.reaction}`);
    });
    const server = (await app.start(0)) as unknown as Server;
    try {
      const driver = new SlackDriver({ appUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, signingSecret: secret, fake });
      const ch = fake.addChannel({ name: 'general', members: new Set(['U0ALICE']) });
      const cmd = await driver.command({ text: 'db down', userId: 'U0ALICE', channelId: ch.id });
      expect(cmd.status).toBe(200);
      await until(() => fake.responses.length === 1);
      expect(fake.responses[0]!.body).toEqual({ text: 'opening for db down' });
      const view = [...fake.views.values()][0]!;
      expect(view.user).toBe('U0ALICE');
      const rejected = await driver.viewSubmission({ userId: 'U0ALICE', view: view.view, values: { title: { v: input.text('db') } } });
      expect(rejected.body).toEqual({ response_action: 'errors', errors: { title: 'too short' } });
      expect(rejected.viewErrors).toEqual([]);
      expect(view.closed).toBeFalsy();
      const accepted = await driver.viewSubmission({ userId: 'U0ALICE', view: view.view, values: { title: { v: input.text('db down') } } });
      expect(accepted.status).toBe(200);
      expect(view.closed).toBe(true);
      await expect(driver.viewSubmission({ userId: 'U0ALICE', view: view.view, values: { nope: { v: input.text('x') } } })).rejects.toThrow(/no block_id "nope"/);

      const msg = fake.addMessage(ch.id, { user: fake.botUserId, text: 'SEV1 declared', blocks: [{ type: 'actions', block_id: 'b1', elements: [{ type: 'button', action_id: 'ack_btn', value: 'inc-1', text: { type: 'plain_text', text: 'Ack' } }] }] });
      expect((await driver.blockAction({ userId: 'U0ALICE', actionId: 'ack_btn', channelId: ch.id, messageTs: msg.ts })).status).toBe(200);
      const ev = await driver.event({ type: 'reaction_added', user: 'U0ALICE', reaction: 'eyes', item: { type: 'message', channel: ch.id, ts: msg.ts } }, { retryNum: 1 });
      expect(ev.status).toBe(200);
      await until(() => seen.length === 4);
      expect(seen).toEqual(['submitted:db', 'submitted:db down', 'action:inc-1:SEV1 declared', 'event:eyes']);

      const body = 'token=x&command=%2Fincident&text=hi';
      const stale = await driver.raw(body, { 'Content-Type': 'application/x-www-form-urlencoded', ...driver.signatureHeaders(body, Math.floor(Date.now() / 1000) - 600) });
      expect(stale.status).toBe(401);
      const forged = await driver.raw(body, { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': String(Math.floor(Date.now() / 1000)), 'X-Slack-Signature': 'v0=deadbeef' });
      expect(forged.status).toBe(401);
    } finally {
      await app.stop();
    }
  });

  it('limits response_url to 5 posts and refuses invalid blocks on it', async () => {
    const url = fake.responseUrl();
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ blocks: [section('x'.repeat(3001))] })).status).toBe(400);
    for (let i = 0; i < 5; i++) expect((await post({ text: `r${i}` })).status).toBe(200);
    expect((await post({ text: 'sixth' })).status).toBe(404);
    expect(fake.responses.map((r) => r.rejected ?? 'ok')).toEqual(['invalid_blocks', 'ok', 'ok', 'ok', 'ok', 'ok', 'used_url']);
  });
});

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
