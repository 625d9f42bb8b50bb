import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, declareValues, lastModal, lastResponse, messageText } from './support/flows.js';
import { eventually } from './support/wait.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCAT', 'cat']]) t.fake.addUser({ id, name });
});
afterAll(() => t?.stop());
beforeEach(() => t.fake.clearFailures());

const announceChannel = () => t.fake.channelByName('incidents')!;

describe('declaring an incident', () => {
  it('opens a modal with the title prefilled and the policy severities', async () => {
    await t.slack.command({ text: 'declare Checkout is down', userId: 'UANA', channelId: 'CGENERAL' });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_declare'));
    const title = view.blocks.find((b: any) => b.block_id === 'title');
    expect(title.element.initial_value).toBe('Checkout is down');
    const severity = view.blocks.find((b: any) => b.block_id === 'severity');
    expect(severity.element.options.map((o: any) => o.value)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
    expect(severity.element.options[0].description.text).toMatch(/^Critical/);
    const commander = view.blocks.find((b: any) => b.block_id === 'commander');
    expect(commander.element.initial_user).toBe('UANA');
  });

  it('creates the channel, invites, pins the card, sets topic and bookmark, and announces', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Payments API: 500s in EU!', severity: 'SEV1', commander: 'UBEN', services: 'payments-api, checkout' });
    const number = Number(/^inc-(\d+)-/.exec(channel.name)![1]);
    expect(channel.name).toBe(`inc-${number}-payments-api-500s-in-eu`);
    expect(channel.is_private).toBe(false);
    expect([...channel.members]).toEqual(expect.arrayContaining(['UANA', 'UBEN']));

    const card = channel.messages.find((m) => m.ts === channel.pins[0])!;
    const text = messageText(card);
    expect(text).toContain(`INC-${number}: Payments API: 500s in EU!`);
    expect(text).toContain('SEV1');
    expect(text).toContain('investigating');
    expect(text).toContain('<@UBEN>');
    expect(text).toContain('<@UANA>');
    expect(text).toContain('payments-api, checkout');
    const buttons = card.blocks!.flatMap((b: any) => b.elements ?? []).map((e: any) => e.action_id);
    expect(buttons).toEqual(expect.arrayContaining(['incident_open_update', 'incident_open_note', 'incident_open_resolve']));

    expect(channel.topic).toBe(`INC-${number} · SEV1 · investigating · IC <@UBEN>`);
    expect(channel.bookmarks).toHaveLength(1);
    expect(channel.bookmarks[0].link).toContain(card.ts.replace('.', ''));

    const announcement = announceChannel().messages.find((m) => messageText(m).includes(`INC-${number}`))!;
    expect(messageText(announcement)).toContain(`<#${channel.id}>`);
    expect(messageText(announcement)).toContain('Payments API');

    const stored = await t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ number, title: 'Payments API: 500s in EU!', severity: 'SEV1', commander_id: 'UBEN', reporter_id: 'UANA', status: 'investigating', services: ['payments-api', 'checkout'] });
    expect(stored.provisioned_at).toBeInstanceOf(Date);
    const kinds = (await t.app.db.selectFrom('timeline_events').select('kind').where('incident_id', '=', stored.id).orderBy('id').execute()).map((r) => r.kind);
    expect(kinds).toEqual(['declared', 'channel_created']);
  });

  it('numbers incidents in sequence, and the same title twice gives two channels', async () => {
    const a = await declareIncident(t, { userId: 'UANA', title: 'Disk full on db-3' });
    const b = await declareIncident(t, { userId: 'UANA', title: 'Disk full on db-3' });
    expect(a.id).not.toBe(b.id);
    const na = Number(/^inc-(\d+)-/.exec(a.name)![1]);
    expect(b.name).toBe(`inc-${na + 1}-disk-full-on-db-3`);
  });

  it('adds a suffix when the channel name is taken', async () => {
    const next = (await t.app.db.selectFrom('incident_counters').select('last_number').executeTakeFirstOrThrow()).last_number + 1;
    t.fake.addChannel({ name: `inc-${next}-name-clash`, is_archived: true });
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Name clash' });
    expect(channel.name).toBe(`inc-${next}-name-clash-2`);
  });

  it('a security incident gets a private channel and an announcement without details', async () => {
    const channel = await declareIncident(t, { userId: 'UCAT', title: 'Leaked AWS key for prod-billing', kind: 'security', severity: 'SEV1', description: 'Key AKIA... found in a public gist' });
    expect(channel.is_private).toBe(true);
    const number = Number(/^inc-(\d+)-/.exec(channel.name)![1]);
    const posts = announceChannel().messages.filter((m) => messageText(m).includes(`INC-${number}`));
    expect(posts).toHaveLength(1);
    const text = messageText(posts[0]);
    expect(text).toContain('security incident');
    expect(text).toContain('<@UCAT>');
    expect(text).not.toMatch(/AWS|billing|AKIA|SEV1/);
    expect(text).not.toContain(channel.id);
    // Nothing about it reached any public channel other than that line.
    for (const ch of t.fake.channels.values()) {
      if (ch.is_private || ch.is_im) continue;
      for (const m of ch.messages) expect(messageText(m)).not.toMatch(/Leaked AWS key|AKIA/);
    }
  });

  it('refuses bad input inline, keeping the modal open', async () => {
    await t.slack.command({ text: 'declare', userId: 'UBEN', channelId: 'CGENERAL' });
    const view = await eventually(() => lastModal(t, 'UBEN', 'incident_declare'));
    const empty = await t.slack.viewSubmission({ userId: 'UBEN', view, values: declareValues({ userId: 'UBEN', title: '   ' }) });
    expect(empty.body).toEqual({ response_action: 'errors', errors: { title: expect.stringMatching(/title/i) } });
    expect(empty.viewErrors).toEqual([]);
    const long = await t.slack.viewSubmission({ userId: 'UBEN', view, values: declareValues({ userId: 'UBEN', title: 'x'.repeat(81) }) });
    expect(long.body.errors.title).toMatch(/80 characters/);
    const noSeverity = await t.slack.viewSubmission({ userId: 'UBEN', view, values: { ...declareValues({ userId: 'UBEN', title: 'ok' }), severity: { severity: { type: 'static_select', selected_option: null } } } });
    expect(noSeverity.body.errors.severity).toMatch(/severity/i);
    const count = await t.app.db.selectFrom('incidents').select((eb) => eb.fn.countAll<string>().as('n')).where('title', 'in', ['ok', '   ']).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('a submission delivered twice makes one incident, one channel and one timeline row', async () => {
    await t.slack.command({ text: 'declare Replayed', userId: 'UBEN', channelId: 'CGENERAL' });
    const view = await eventually(() => lastModal(t, 'UBEN', 'incident_declare'));
    const channelsBefore = t.fake.callsTo('conversations.create').filter((c) => c.ok).length;
    const values = declareValues({ userId: 'UBEN', title: 'Replayed submission' });
    const [r1, r2] = await Promise.all([t.slack.viewSubmission({ userId: 'UBEN', view, values }), t.slack.viewSubmission({ userId: 'UBEN', view, values })]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    await t.settle();
    const rows = await t.app.db.selectFrom('incidents').select(['id']).where('title', '=', 'Replayed submission').execute();
    expect(rows).toHaveLength(1);
    const declared = await t.app.db.selectFrom('timeline_events').select('id').where('incident_id', '=', rows[0].id).where('kind', '=', 'declared').execute();
    expect(declared).toHaveLength(1);
    expect(t.fake.callsTo('conversations.create').filter((c) => c.ok).length - channelsBefore).toBe(1);
  });

  it('the global shortcut opens the same modal', async () => {
    const before = t.fake.views.size;
    const res = await t.slack.shortcut({ userId: 'UCAT', callbackId: 'declare_incident' });
    expect(res.status).toBe(200);
    await eventually(() => t.fake.views.size > before);
    const view = lastModal(t, 'UCAT', 'incident_declare');
    expect(view.blocks.find((b: any) => b.block_id === 'title').element.initial_value).toBeUndefined();
  });

  it('invites, sets the topic and announces while the card is still being posted (steps that need only the channel do not wait for each other)', async () => {
    await t.slack.command({ text: 'declare Card held', userId: 'UANA', channelId: 'CGENERAL' });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_declare'));
    const held = t.fake.hold('chat.postMessage', (args) => args.channel !== announceChannel().id);
    try {
      await t.slack.viewSubmission({ userId: 'UANA', view, values: declareValues({ userId: 'UANA', title: 'Card held', commander: 'UBEN' }) });
      const channel = await eventually(() => [...t.fake.channels.values()].find((c) => c.name.endsWith('card-held')));
      await eventually(() => held.waiting === 1 && channel.topic.includes('investigating') && channel.members.has('UBEN') && announceChannel().messages.some((m) => m.text?.includes('Card held')));
      expect(channel.messages.filter((m) => m.user === t.fake.botUserId && !m.subtype)).toHaveLength(0);
    } finally {
      held.release();
    }
    const channel = [...t.fake.channels.values()].find((c) => c.name.endsWith('card-held'))!;
    await eventually(() => channel.pins.length === 1 && channel.bookmarks.length === 1);
  });

  it('acks a submission well within 3 s even when Slack is slow, then finishes the channel', async () => {
    await t.slack.command({ text: 'declare Slow Slack day', userId: 'UANA', channelId: 'CGENERAL' });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_declare'));
    t.fake.delayMs = 1_500;
    try {
      const res = await t.slack.viewSubmission({ userId: 'UANA', view, values: declareValues({ userId: 'UANA', title: 'Slow Slack day' }) });
      expect(res.status).toBe(200);
      expect(res.elapsedMs).toBeLessThan(1_000);
      const channel = await eventually(() => [...t.fake.channels.values()].find((c) => c.name.endsWith('slow-slack-day') && c.topic && c.pins.length), 20_000);
      expect(channel.topic).toContain('investigating');
      expect(channel.pins).toHaveLength(1);
    } finally {
      t.fake.delayMs = 0;
    }
  }, 40_000);

  it('a 429 on conversations.create still ends with a channel', async () => {
    t.fake.failNext('conversations.create', { status: 429, retryAfter: 1, times: 1 });
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Rate limited create' });
    expect(channel.name).toMatch(/^inc-\d+-rate-limited-create$/);
    const limited = t.fake.callsTo('conversations.create').filter((c) => c.error === 'ratelimited' || !c.ok);
    expect(limited.length).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('when Slack keeps failing, the incident is kept, the reporter is told by DM, and the channel comes later', async () => {
    t.fake.failNext('conversations.create', { status: 500, times: 12 });
    await t.slack.command({ text: 'declare Slack outage too', userId: 'UBEN', channelId: 'CGENERAL' });
    const view = await eventually(() => lastModal(t, 'UBEN', 'incident_declare'));
    const res = await t.slack.viewSubmission({ userId: 'UBEN', view, values: declareValues({ userId: 'UBEN', title: 'Slack outage too' }) });
    expect(res.body).toBeFalsy();
    const stored = await t.app.db.selectFrom('incidents').selectAll().where('title', '=', 'Slack outage too').executeTakeFirstOrThrow();
    expect(stored.channel_id).toBeNull();
    const dm = await eventually(() => t.fake.dmWith('UBEN')?.messages.find((m) => messageText(m).includes(`INC-${stored.number}`)), 15_000, 'DM to reporter');
    expect(messageText(dm)).toMatch(/could not|would not create its channel/);
    const channel = await eventually(() => [...t.fake.channels.values()].find((c) => c.name === `inc-${stored.number}-slack-outage-too` && c.pins.length), 20_000, 'channel after recovery');
    expect(channel.members.has('UBEN')).toBe(true);
    // One DM, however many retries.
    expect(t.fake.dmWith('UBEN')!.messages.filter((m) => messageText(m).includes(`INC-${stored.number}`))).toHaveLength(1);
  }, 40_000);
});

describe('commands outside an incident channel', () => {
  it('say that they need an incident channel', async () => {
    for (const sub of ['update', 'resolve', 'timeline', 'note something', 'close']) {
      const res = await t.slack.command({ text: sub, userId: 'UANA', channelId: 'CGENERAL' });
      const reply = await lastResponse(t, res.responseUrl);
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).toMatch(/inside an incident channel/);
    }
  });
});
