import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, lastResponse, messageText, submitModal } from './support/flows.js';
import { validateBlocks } from './support/block-kit-validator.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

const clock = new FakeClock('2026-11-24T14:00:00Z');
let t: TestApp;
let channel: FakeChannel;
beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCAT', 'cat'], ['UDEE', 'dee']]) t.fake.addUser({ id, name });
  t.fake.addUser({ id: 'UDEPLOYBOT', name: 'deploy-bot', is_bot: true });
  channel = await declareIncident(t, { userId: 'UANA', title: 'Checkout errors', description: 'Card payments fail for EU customers', severity: 'SEV1' });
  clock.advanceMinutes(10);
  for (const [text, userId] of [
    ['role deputy <@UBEN|ben>', 'UANA'],
    ['note Error rate 30% since the 13:55 deploy', 'UBEN'],
    ['action <@UBEN|ben> Add a canary for payment errors due 2030-01-15', 'UANA'],
  ]) {
    await lastResponse(t, (await t.slack.command({ text, userId, channelId: channel.id })).responseUrl);
    await t.settle();
  }
  clock.advanceMinutes(5);
  await t.slack.command({ text: 'update', userId: 'UANA', channelId: channel.id });
  await submitModal(t, 'UANA', 'incident_update', {
    status: { status: input.select('identified') },
    message: { message: input.text('Bad deploy of payments-api; rolling back.') },
    next_update: { next_update: input.select('30') },
  });
  await t.settle();
  clock.advanceMinutes(20);
});
afterAll(() => t?.stop());

/** Someone joins the channel, as Slack tells it: they are a member, then the event arrives. */
async function join(user: string, ch = channel) {
  ch.members.add(user);
  const res = await t.slack.event({ type: 'member_joined_channel', user, channel: ch.id, channel_type: 'C', team: 'T0FAKE', inviter: 'UANA' });
  expect(res.status).toBe(200);
  await t.settle();
}
const catchupsFor = (user: string, ch = channel) => t.fake.ephemerals.filter((e) => e.user === user && e.channel === ch.id && (e.text ?? '').startsWith('Catch-up on'));

describe('/incident catchup', () => {
  it('answers only the person who asked, in a few lines from our own records', async () => {
    const r = await lastResponse(t, (await t.slack.command({ text: 'catchup', userId: 'UDEE', channelId: channel.id })).responseUrl);
    expect(r.response_type).toBe('ephemeral');
    expect(validateBlocks(r.blocks, 'message')).toEqual([]);
    const text = messageText(r);
    expect(text).toMatch(/\*INC-1: Checkout errors\* — identified · P1 \(SEV1\) · going for 35m \(declared <!date\^\d+\^\{date_short\} \{time\}\|2026-11-24 14:00 UTC>\)/);
    expect(text).toContain('Card payments fail for EU customers');
    expect(text).toMatch(/\*Roles\* .*Incident commander <@UANA>.*Deputy commander <@UBEN>/);
    expect(text).toMatch(/\*Latest update\* <!date\^\d+\^\{time\}\|2026-11-24 14:15 UTC> by <@UANA> \(identified\): Bad deploy of payments-api; rolling back\. · next due <!date\^\d+\^\{time\}\|2026-11-24 14:45 UTC>/);
    expect(text).toMatch(/\*Open actions\* \(1\) A-\d+ Add a canary for payment errors \(<@UBEN>, due 2030-01-15\)/);
    expect(text).toContain('*Recently*');
    expect(text).toContain('<@UBEN> noted: Error rate 30% since the 13:55 deploy');
    expect(text).toContain('<@UANA> posted an update (identified): Bad deploy of payments-api; rolling back.');
    // Running it is not a join catch-up: joining later still brings one.
    expect(await t.app.db.selectFrom('catchups_sent').selectAll().execute()).toEqual([]);
  });

  it('works only in an incident channel', async () => {
    const r = await lastResponse(t, (await t.slack.command({ text: 'catchup', userId: 'UDEE', channelId: 'CGENERAL' })).responseUrl);
    expect(r.text).toMatch(/works inside an incident channel/);
  });
});

describe('joining an incident channel', () => {
  it('sends the joiner one catch-up, ephemerally in the channel; re-joining sends none', async () => {
    await join('UCAT');
    const [sent] = await eventually(() => (catchupsFor('UCAT').length ? catchupsFor('UCAT') : undefined));
    expect(messageText(sent)).toContain('*INC-1: Checkout errors* — identified');
    expect(messageText(sent)).toContain('Only you can see this catch-up.');
    expect(validateBlocks(sent.blocks!, 'message')).toEqual([]);
    channel.members.delete('UCAT');
    await join('UCAT');
    expect(catchupsFor('UCAT')).toHaveLength(1);
    expect(await t.app.db.selectFrom('catchups_sent').select(['user_id']).execute()).toEqual([{ user_id: 'UCAT' }]);
  });

  it('sends one per delivery, however often Slack retries the event', async () => {
    channel.members.add('UDEE');
    const first = await t.slack.event({ type: 'member_joined_channel', user: 'UDEE', channel: channel.id, channel_type: 'C', team: 'T0FAKE' }, { eventId: 'EvJOINDEE1' });
    await t.slack.event({ type: 'member_joined_channel', user: 'UDEE', channel: channel.id, channel_type: 'C', team: 'T0FAKE' }, { eventId: first.eventId, retryNum: 1 });
    await t.settle();
    expect(catchupsFor('UDEE')).toHaveLength(1);
  });

  it('skips bots, the bot itself, the people there from the start, and channels that are not incidents', async () => {
    await join('UDEPLOYBOT');
    await join(t.fake.botUserId);
    await join('UANA');
    const general = t.fake.addChannel({ name: 'random' });
    await join('UCAT', general);
    expect(t.fake.ephemerals.filter((e) => (e.text ?? '').startsWith('Catch-up on') && e.user !== 'UCAT' && e.user !== 'UDEE')).toEqual([]);
    expect(catchupsFor('UCAT', general)).toEqual([]);
    // Whether a joiner is a bot is asked of Slack once per person (then cached); never for the bot itself.
    expect(t.fake.calls.filter((c) => c.method === 'users.info').map((c) => c.args.user)).toEqual(['UCAT', 'UDEE', 'UDEPLOYBOT']);
  });

  it('a private incident: the catch-up is shown only in its own channel, to the joiner', async () => {
    const secret = await declareIncident(t, { userId: 'UANA', title: 'Leaked API key', kind: 'security' });
    const before = t.fake.calls.filter((c) => c.method === 'chat.postMessage').length;
    await join('UCAT', secret);
    const [sent] = await eventually(() => (catchupsFor('UCAT', secret).length ? catchupsFor('UCAT', secret) : undefined));
    expect(messageText(sent)).toContain('Leaked API key');
    expect(t.fake.calls.filter((c) => c.method === 'chat.postMessage').length).toBe(before);
    expect(t.fake.ephemerals.filter((e) => (e.text ?? '').includes('Leaked API key') && (e.channel !== secret.id || e.user !== 'UCAT'))).toEqual([]);
  });
});
