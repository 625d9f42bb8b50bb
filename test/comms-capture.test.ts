import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, lastModal, lastResponse, messageText } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
let stakeholders: FakeChannel;
let execs: FakeChannel;
beforeAll(async () => {
  const { FakeSlack } = await import('./support/fake-slack.js');
  const fake = await FakeSlack.start();
  stakeholders = fake.addChannel({ name: 'stakeholders' });
  execs = fake.addChannel({ name: 'exec-private', is_private: true });
  t = await startTestApp({
    fake,
    policy: {
      comms: {
        technical: {},
        business: { channel: stakeholders.id, template: 'BIZ {ref} {title} [{priority}] status={status} impact={impact} :: {message}' },
        executive: { channel: execs.id, users: ['UCTO'], template: 'EXEC {ref} is {status}; lead {commander}' },
      },
    },
  });
  // The bot is a member of the private exec channel, as it must be to post there.
  execs.members.add(t.fake.botUserId);
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCTO', 'cto']]) t.fake.addUser({ id, name });
});
afterAll(async () => {
  await t?.stop();
  await t?.fake.close();
});

const updateValues = (message: string, audiences: string[]) => ({
  status: { status: input.select('identified') },
  message: { message: input.text(message) },
  next_update: { next_update: input.select('60') },
  audiences: { audiences: input.checkboxes(audiences) },
});

describe('audiences', () => {
  it('previews each audience\'s message, then posts it to the right place with the template filled', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Checkout slow', severity: 'SEV2', commander: 'UBEN' });
    await t.slack.command({ text: 'update', userId: 'UANA', channelId: c.id });
    const form = await eventually(() => lastModal(t, 'UANA', 'incident_update'));
    expect(form.blocks.find((b: any) => b.block_id === 'audiences').element.options.map((o: any) => o.value)).toEqual(['business', 'executive']);
    const res = await t.slack.viewSubmission({ userId: 'UANA', view: form, values: updateValues('CDN misconfigured; rolling back', ['business', 'executive']) });
    expect(res.body.response_action).toBe('push');
    expect(res.viewErrors).toEqual([]);
    const preview = lastModal(t, 'UANA', 'incident_update_preview');
    const shown = preview.blocks.map((b: any) => messageText(b.text ? { blocks: [b] } : { blocks: [b] })).join('\n');
    expect(shown).toMatch(/BIZ INC-\d+ Checkout slow \[P2\] status=identified impact=not assessed yet :: CDN misconfigured; rolling back/);
    expect(shown).toMatch(/EXEC INC-\d+ is identified; lead <@UBEN>/);
    // Nothing is posted before the preview is confirmed.
    expect(stakeholders.messages).toHaveLength(0);
    const posted = await t.slack.viewSubmission({ userId: 'UANA', view: preview, values: {} });
    expect(posted.body).toEqual({ response_action: 'clear' });
    await t.settle();
    await eventually(() => stakeholders.messages.some((m) => /^BIZ INC-\d+ Checkout slow \[P2\] status=identified/.test(m.text ?? '')));
    await eventually(() => execs.messages.some((m) => /^EXEC INC-\d+ is identified; lead <@UBEN>$/.test(m.text ?? '')));
    await eventually(() => t.fake.dmWith('UCTO')?.messages.some((m) => /^EXEC INC-\d+/.test(m.text ?? '')));
    expect(c.messages.some((m) => messageText(m).includes('CDN misconfigured; rolling back'))).toBe(true);
    const incident = await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', c.id).executeTakeFirstOrThrow();
    const row = await t.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', incident.id).where('kind', '=', 'update').executeTakeFirstOrThrow();
    expect(row.payload.audiences).toEqual(['business', 'executive']);
  });

  it('posts without a preview when no other audience is chosen', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Plain update' });
    await t.slack.command({ text: 'update', userId: 'UANA', channelId: c.id });
    const form = await eventually(() => lastModal(t, 'UANA', 'incident_update'));
    const res = await t.slack.viewSubmission({ userId: 'UANA', view: form, values: updateValues('Only the channel', []) });
    expect(res.body).toBeFalsy();
    await t.settle();
    await eventually(() => c.messages.some((m) => messageText(m).includes('Only the channel')));
    expect(stakeholders.messages.some((m) => (m.text ?? '').includes('Only the channel'))).toBe(false);
  });

  it('never posts a security incident\'s update to a channel that is not private', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Credential stuffing', kind: 'security' });
    await t.slack.command({ text: 'update', userId: 'UANA', channelId: c.id });
    const form = await eventually(() => lastModal(t, 'UANA', 'incident_update'));
    const res = await t.slack.viewSubmission({ userId: 'UANA', view: form, values: updateValues('Blocked 4,000 IPs', ['business', 'executive']) });
    await t.slack.viewSubmission({ userId: 'UANA', view: lastModal(t, 'UANA', 'incident_update_preview'), values: {} });
    expect(res.body.response_action).toBe('push');
    await t.settle();
    await eventually(() => c.messages.some((m) => messageText(m).includes(`was not posted to <#${stakeholders.id}>`)));
    await eventually(() => execs.messages.some((m) => (m.text ?? '').includes('EXEC')) && (t.fake.dmWith('UCTO')?.messages.length ?? 0) >= 2);
    expect(stakeholders.messages.some((m) => (m.text ?? '').includes('Credential') || (m.text ?? '').includes('4,000'))).toBe(false);
  });
});

describe('timeline capture', () => {
  let c: FakeChannel;
  beforeAll(async () => {
    c = await declareIncident(t, { userId: 'UANA', title: 'Capture check' });
  });
  const captured = async () => {
    const incident = await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', c.id).executeTakeFirstOrThrow();
    return t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', incident.id).where('kind', 'in', ['message_captured', 'message_withdrawn']).orderBy('id').execute();
  };
  const reaction = (type: 'reaction_added' | 'reaction_removed', user: string, ts: string, name = 'pushpin') => ({ type, user, reaction: name, item: { type: 'message', channel: c.id, ts }, item_user: 'UBEN', event_ts: ts });

  it('adds a pinned message once, even when the event is retried or a second person pins it', async () => {
    const msg = t.fake.addMessage(c.id, { user: 'UBEN', text: 'Primary DB failed over at 10:42' });
    t.fake.react(c.id, msg.ts, 'pushpin', 'UANA');
    const first = await t.slack.event(reaction('reaction_added', 'UANA', msg.ts));
    await t.slack.event(reaction('reaction_added', 'UANA', msg.ts), { eventId: first.eventId, retryNum: 1, retryReason: 'http_timeout' });
    // Events are acknowledged before they are handled: let the first pin land before the second.
    await eventually(async () => (await captured()).length === 1);
    t.fake.react(c.id, msg.ts, 'pushpin', 'UBEN');
    await t.slack.event(reaction('reaction_added', 'UBEN', msg.ts));
    await t.slack.event(reaction('reaction_added', 'UANA', msg.ts, 'eyes'));
    await eventually(async () => (await captured()).length === 1);
    await t.settle();
    const rows = await captured();
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toMatchObject({ ts: msg.ts, text: 'Primary DB failed over at 10:42', author: 'UBEN', permalink: expect.stringContaining(msg.ts.replace('.', '')) });
    expect(rows[0].actor_id).toBe('UANA');
    const r = await lastResponse(t, (await t.slack.command({ text: 'timeline', userId: 'UANA', channelId: c.id })).responseUrl);
    expect(messageText(r)).toContain("pinned <@UBEN>'s message");
  });

  it('withdraws the entry when the last pin is removed (a new row, not a deletion)', async () => {
    const ts = (await captured())[0].payload.ts as string;
    t.fake.react(c.id, ts, 'pushpin', 'UBEN', true);
    await t.slack.event(reaction('reaction_removed', 'UBEN', ts));
    await t.settle();
    expect((await captured()).map((r) => r.kind)).toEqual(['message_captured']);
    t.fake.react(c.id, ts, 'pushpin', 'UANA', true);
    await t.slack.event(reaction('reaction_removed', 'UANA', ts));
    await eventually(async () => (await captured()).length === 2);
    expect((await captured()).map((r) => r.kind)).toEqual(['message_captured', 'message_withdrawn']);
  });

  it('the message shortcut adds a thread reply, and says so', async () => {
    const root = t.fake.addMessage(c.id, { user: 'UBEN', text: 'Investigating replication' });
    const reply = t.fake.addMessage(c.id, { user: 'UANA', text: 'Replica 3 is 40 minutes behind', thread_ts: root.ts });
    await t.slack.shortcut({ userId: 'UANA', callbackId: 'add_to_timeline', type: 'message_action', channelId: c.id, messageTs: reply.ts, text: reply.text });
    await eventually(async () => (await captured()).some((r) => r.payload.text === 'Replica 3 is 40 minutes behind'));
    const again = await t.slack.shortcut({ userId: 'UBEN', callbackId: 'add_to_timeline', type: 'message_action', channelId: c.id, messageTs: reply.ts, text: reply.text });
    expect(again.status).toBe(200);
    await eventually(() => t.fake.responses.some((r) => r.body?.text === 'That message is already on the timeline.'));
    expect((await captured()).filter((r) => r.payload.text === 'Replica 3 is 40 minutes behind')).toHaveLength(1);
  });

  it('ignores the emoji outside incident channels', async () => {
    const general = t.fake.addChannel({ name: 'general' });
    const msg = t.fake.addMessage(general.id, { user: 'UBEN', text: 'lunch?' });
    const res = await t.slack.event({ type: 'reaction_added', user: 'UANA', reaction: 'pushpin', item: { type: 'message', channel: general.id, ts: msg.ts }, event_ts: msg.ts });
    expect(res.status).toBe(200);
    const count = await t.app.db.selectFrom('timeline_events').select((eb) => eb.fn.countAll<string>().as('n')).where('kind', '=', 'message_captured').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1 + 1);
  });

  it('keeps what people typed (Slack sends it escaped), and escapes it once when showing it', async () => {
    // A message typed as "Error rate > 5% & rising", as Slack stores and returns it.
    const msg = t.fake.addMessage(c.id, { user: 'UBEN', text: 'Error rate &gt; 5% &amp; rising' });
    t.fake.react(c.id, msg.ts, 'pushpin', 'UANA');
    await t.slack.event(reaction('reaction_added', 'UANA', msg.ts));
    await eventually(async () => (await captured()).some((r) => r.payload.ts === msg.ts));
    expect((await captured()).find((r) => r.payload.ts === msg.ts)!.payload.text).toBe('Error rate > 5% & rising');
    await lastResponse(t, (await t.slack.command({ text: 'note <b>bold</b> & "quotes"', userId: 'UANA', channelId: c.id })).responseUrl);
    const incident = await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', c.id).executeTakeFirstOrThrow();
    const note = await t.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', incident.id).where('kind', '=', 'note').executeTakeFirstOrThrow();
    expect(note.payload.text).toBe('<b>bold</b> & "quotes"');
    const shown = messageText(await lastResponse(t, (await t.slack.command({ text: 'timeline', userId: 'UANA', channelId: c.id })).responseUrl));
    expect(shown).toContain('noted: &lt;b&gt;bold&lt;/b&gt; &amp; "quotes"');
    expect(shown).toContain(': Error rate &gt; 5% &amp; rising');
  });
});
