import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { housekeepingJob } from '../src/jobs/housekeeping.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, lastModal, messageText } from './support/flows.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

// The policy's own templates: business stakeholders get the message, executives a summary.
const clock = new FakeClock('2026-11-30T09:00:00Z');
let t: TestApp;
let business: FakeChannel;
let execs: FakeChannel;
beforeAll(async () => {
  const { FakeSlack } = await import('./support/fake-slack.js');
  const fake = await FakeSlack.start();
  business = fake.addChannel({ name: 'stakeholders' });
  execs = fake.addChannel({ name: 'exec-room', is_private: true });
  t = await startTestApp({ fake, clock, policy: { comms: { technical: {}, business: { channel: business.id }, executive: { channel: execs.id, users: ['UCEO'] } } } });
  execs.members.add(t.fake.botUserId);
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCEO', 'ceo']]) t.fake.addUser({ id, name });
});
afterAll(async () => {
  await t?.stop();
  await t?.fake.close();
});

const values = (status: string, message: string) => ({
  status: { status: input.select(status) },
  message: { message: input.text(message) },
  next_update: { next_update: input.select('60') },
  audiences: { audiences: input.checkboxes(['business', 'executive']) },
});

/** Opens `/incident update` in the channel and submits it for both audiences; returns the ack and the preview. */
async function submitUpdate(c: FakeChannel, status: string, message: string) {
  await t.slack.command({ text: 'update', userId: 'UANA', channelId: c.id });
  const form = await eventually(() => lastModal(t, 'UANA', 'incident_update'));
  const res = await t.slack.viewSubmission({ userId: 'UANA', view: form, values: values(status, message) });
  return { res, preview: res.body?.response_action === 'push' ? lastModal(t, 'UANA', 'incident_update_preview') : undefined };
}

/** Each audience's text in the preview, in order: the channel first. */
const previewTexts = (preview: any): string[] => preview.blocks.filter((b: any) => b.type === 'section').slice(1).map((b: any) => b.text.text);
const ceoDm = () => t.fake.dmWith('UCEO')?.messages ?? [];
const incidentOf = (c: FakeChannel) => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();
const drafts = async (c: FakeChannel) => t.app.db.selectFrom('update_drafts').selectAll().where('incident_id', '=', (await incidentOf(c)).id).execute();

/** Runs the outbox until `done`, then once more, so a second delivery would show. */
async function delivered(done: () => boolean): Promise<void> {
  await eventually(async () => {
    await t.settle();
    return done();
  });
  await t.settle();
}

/** 2,000 characters (the form's maximum) of quotes, apostrophes and newlines: over 3,000 once JSON-encoded. */
function maximalMessage(): string {
  const line = '"OK"\n"No"\n';
  const message = `${line.repeat(Math.ceil(2000 / line.length)).slice(0, 1999)}!`;
  expect(message).toHaveLength(2000);
  expect(JSON.stringify(message).length).toBeGreaterThan(3000);
  return message;
}

describe('the update preview', () => {
  it('carries a maximal update full of quotes and newlines, and each audience receives exactly what it showed', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Checkout "slow"', severity: 'SEV2', commander: 'UBEN' });
    const message = maximalMessage();
    const { res, preview } = await submitUpdate(c, 'identified', message);
    expect(res.body.response_action).toBe('push');
    // Slack refuses a view whose private_metadata passes 3,000 characters; the fake does too.
    expect(res.viewErrors).toEqual([]);
    expect(preview.private_metadata.length).toBeLessThanOrEqual(3000);
    const [channelText, businessText, execText] = previewTexts(preview);
    const ref = `INC-${(await incidentOf(c)).number}`;
    expect(businessText.startsWith(`*${ref}: Checkout "slow"* (P2)\nStatus: identified\nBusiness impact: not assessed yet\n${message}\nNext update: <!date^`)).toBe(true);
    expect(execText).toMatch(new RegExp(`^\\*${ref}\\* \\(P2\\) is \\*identified\\*\\. Impact: not assessed yet\\. Next update <!date\\^\\d+\\^[^>]+>\\. Lead: <@UBEN>\\.$`));
    expect(channelText).toContain(message);
    expect(business.messages).toHaveLength(0);

    const posted = await t.slack.viewSubmission({ userId: 'UANA', view: preview, values: {} });
    expect(posted.body).toEqual({ response_action: 'clear' });
    await delivered(() => business.messages.length > 0 && execs.messages.length > 0 && ceoDm().length > 0 && c.messages.some((m) => messageText(m).includes(message)));
    expect(business.messages.map((m) => m.text)).toEqual([businessText]);
    expect(execs.messages.map((m) => m.text)).toEqual([execText]);
    expect(ceoDm().map((m) => m.text)).toEqual([execText]);
    expect(c.messages.filter((m) => messageText(m).includes(message)).map((m) => m.blocks?.[0]?.text?.text)).toEqual([channelText]);
    expect(await drafts(c)).toEqual([]);
  });

  it('posts a preview once, however often it is submitted', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Double click' });
    const { preview } = await submitUpdate(c, 'identified', 'Posted once only');
    const before = business.messages.length;
    const answers = await Promise.all([1, 2].map(() => t.slack.viewSubmission({ userId: 'UANA', view: preview, values: {} })));
    expect(answers.map((a) => a.body.response_action).sort()).toEqual(['clear', 'update']);
    const refused = answers.find((a) => a.body.response_action === 'update')!;
    expect(messageText(refused.body.view)).toContain('no longer available');
    await delivered(() => business.messages.length > before);
    expect(business.messages.slice(before).filter((m) => (m.text ?? '').includes('Posted once only'))).toHaveLength(1);
  });

  it('keeps a draft for a day; an expired one is refused, and housekeeping removes it', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Left open' });
    const { preview } = await submitUpdate(c, 'identified', 'Written before lunch, confirmed the next day');
    expect(await drafts(c)).toHaveLength(1);
    clock.advanceMinutes(25 * 60);
    const late = await t.slack.viewSubmission({ userId: 'UANA', view: preview, values: {} });
    expect(late.body.response_action).toBe('update');
    expect(late.viewErrors).toEqual([]);
    expect(messageText(late.body.view)).toContain('no longer available');
    await t.settle();
    expect(business.messages.some((m) => (m.text ?? '').includes('Written before lunch'))).toBe(false);
    await housekeepingJob(t.app.db).run(clock.now());
    expect(await drafts(c)).toEqual([]);
  });
});

describe('resolving through /incident update', () => {
  it('previews the resolution for every audience, resolves, and tells each audience once', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Payments down', severity: 'SEV2', commander: 'UBEN' });
    const ref = `INC-${(await incidentOf(c)).number}`;
    const seen = { business: business.messages.length, execs: execs.messages.length, ceo: ceoDm().length };
    const { res, preview } = await submitUpdate(c, 'resolved', 'Rolled back the bad config; payments flowing & confirmed');
    expect(res.body.response_action).toBe('push');
    expect(res.viewErrors).toEqual([]);
    expect(preview.title.text).toBe('Preview resolution');
    const [channelText, businessText, execText] = previewTexts(preview);
    expect(channelText).toBe(`:white_check_mark: *${ref} resolved*\nRolled back the bad config; payments flowing &amp; confirmed`);
    expect(businessText).toBe(`*${ref}: Payments down* (P2)\nStatus: resolved\nBusiness impact: not assessed yet\nRolled back the bad config; payments flowing &amp; confirmed\nNext update: none planned`);
    expect(execText).toBe(`*${ref}* (P2) is *resolved*. Impact: not assessed yet. Next update none planned. Lead: <@UBEN>.`);
    // Nothing happens before the preview is confirmed.
    expect((await incidentOf(c)).resolved_at).toBeNull();

    const posted = await t.slack.viewSubmission({ userId: 'UANA', view: preview, values: {} });
    expect(posted.body).toEqual({ response_action: 'clear' });
    await delivered(() => business.messages.length > seen.business && execs.messages.length > seen.execs && ceoDm().length > seen.ceo);
    expect(business.messages.slice(seen.business).map((m) => m.text)).toEqual([businessText]);
    expect(execs.messages.slice(seen.execs).map((m) => m.text)).toEqual([execText]);
    expect(ceoDm().slice(seen.ceo).map((m) => m.text)).toEqual([execText]);
    expect(c.messages.filter((m) => m.blocks?.[0]?.text?.text === channelText)).toHaveLength(1);
    const incident = await incidentOf(c);
    expect(incident.status).toBe('resolved');
    expect(incident.resolved_at).not.toBeNull();
    expect(incident.resolution_summary).toBe('Rolled back the bad config; payments flowing & confirmed');
  });
});
