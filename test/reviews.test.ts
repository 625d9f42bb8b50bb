import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, lastModal, messageText, submitModal } from './support/flows.js';
import { ask, buttonIds, expectInOrder, card, incidentOf, refOf, resolveIncident, run, timelineKinds } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
let channel: FakeChannel;
let ref: string;
let incidentId: string;
const clock = new FakeClock('2026-11-26T09:00:00Z');

beforeAll(async () => {
  t = await startTestApp({ clock });
  t.fake.addUser({ id: 'UANA', name: 'ana', real_name: 'Ana Lopez' });
  t.fake.addUser({ id: 'UBEN', name: 'ben', real_name: 'Ben Okafor' });
  t.fake.addUser({ id: 'UCAT', name: 'cat', real_name: 'Cat Meyer' });
  channel = await declareIncident(t, { userId: 'UANA', title: 'Orders lost between checkout and ERP', severity: 'SEV1', commander: 'UBEN', services: 'checkout, erp-bridge' });
  ref = refOf(channel);
  incidentId = (await incidentOf(t, channel)).id;
});
afterAll(() => t?.stop());

const reviewModalValues = (o: { summary: string; impact?: string; rootCause?: string; confirmed?: boolean; owner?: string; meeting?: string | null }) => ({
  pir_summary: { pir_summary: input.text(o.summary) },
  pir_impact: { pir_impact: input.text(o.impact ?? null) },
  pir_root_cause: { pir_root_cause: input.text(o.rootCause ?? null) },
  pir_root_cause_confirmed: { pir_root_cause_confirmed: input.checkboxes(o.confirmed ? ['yes'] : []) },
  pir_factors: { pir_factors: input.text('Retry queue had no dead-letter alarm') },
  pir_five_whys: { pir_five_whys: input.text(null) },
  pir_went_well: { pir_went_well: input.text('Support spotted it within minutes') },
  pir_went_badly: { pir_went_badly: input.text('Nobody owned the ERP bridge') },
  pir_lessons: { pir_lessons: input.text('Every queue gets an age alarm') },
  pir_owner: { pir_owner: input.user(o.owner ?? 'UBEN') },
  pir_meeting_date: { pir_meeting_date: input.date(o.meeting ?? null) },
});

const actionValues = (o: { title: string; owner: string; due?: string | null; priority?: string; tracker?: string | null }) => ({
  action_title: { action_title: input.text(o.title) },
  action_owner: { action_owner: input.user(o.owner) },
  action_due: { action_due: input.date(o.due ?? null) },
  action_priority: { action_priority: input.select(o.priority ?? 'medium') },
  action_tracker: { action_tracker: input.text(o.tracker ?? null) },
});

const buttonBlock = (m: { blocks?: any[] }, actionId: string) => m.blocks!.find((b: any) => b.elements?.some((e: any) => e.action_id === actionId)).block_id;
const reviewFile = () => [...t.fake.files.values()].filter((f) => f.filename.includes('post-incident-review')).at(-1);

describe('follow-up actions while the incident runs', () => {
  it('adds one from a one-liner with an escaped mention and a due date', async () => {
    const r = await ask(t, 'action <@UCAT|cat> Add an age alarm to the ERP retry queue due 2026-12-10', 'UANA', channel.id);
    expect(r.text).toContain('Added *A-');
    expect(r.text).toContain('<@UCAT>');
    expect(r.text).toContain('2026-12-10');
    const row = await t.app.db.selectFrom('follow_up_actions').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ title: 'Add an age alarm to the ERP retry queue', owner_id: 'UCAT', due_date: '2026-12-10', priority: 'medium', status: 'open', created_by: 'UANA' });
    await t.settle();
    const dm = await eventually(() => t.fake.dmWith('UCAT')?.messages.at(-1));
    expect(messageText(dm)).toContain('gave you a follow-up action');
    expect(messageText(dm)).toContain('Add an age alarm');
    expect(buttonIds(dm)).toEqual(['action_done', 'action_snooze', 'action_reassign', 'action_open_incident']);
  });

  it('gives a one-liner without a date the policy default, and explains malformed ones', async () => {
    const r = await ask(t, 'action <@UANA> Write the ERP bridge runbook', 'UANA', channel.id);
    expect(r.text).toContain('2026-12-10 (the default 14 days)');
    expect((await ask(t, 'action @nobody fix it', 'UANA', channel.id)).text).toMatch(/could not tell who @nobody is/);
    expect((await ask(t, 'action <@UANA> Fix it due 2026-13-45', 'UANA', channel.id)).text).toMatch(/"2026-13-45" is not a date/);
    expect((await ask(t, 'action <@UANA> Fix it due 2020-01-01', 'UANA', channel.id)).text).toMatch(/due date is in the past/);
    expect((await ask(t, 'action <@UANA>', 'UANA', channel.id)).text).toMatch(/Say what needs doing/);
    const titles = (await t.app.db.selectFrom('follow_up_actions').select('title').orderBy('id').execute()).map((r) => r.title);
    expect(titles).toEqual(['Add an age alarm to the ERP retry queue', 'Write the ERP bridge runbook']);
  });

  it('adds one through the form, with inline errors first', async () => {
    await run(t, 'action add', 'UANA', channel.id);
    const bad = await submitModal(t, 'UANA', 'action_modal', actionValues({ title: 'Reconcile lost orders', owner: 'UBEN', due: '2026-01-01', tracker: 'ops-123' }));
    expect(bad.body).toEqual({ response_action: 'errors', errors: { action_due: 'The due date is in the past.', action_tracker: 'The tracker link must start with http:// or https://.' } });
    expect(bad.viewErrors).toEqual([]);
    const ok = await submitModal(t, 'UANA', 'action_modal', actionValues({ title: 'Reconcile lost orders', owner: 'UBEN', due: '2026-11-30', priority: 'high', tracker: 'https://tracker.example.com/OPS-123' }));
    expect(ok.body).toBeFalsy();
    const row = await t.app.db.selectFrom('follow_up_actions').selectAll().where('title', '=', 'Reconcile lost orders').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ owner_id: 'UBEN', due_date: '2026-11-30', priority: 'high', tracker_url: 'https://tracker.example.com/OPS-123' });
    expect((await timelineKinds(t, incidentId)).filter((k) => k === 'action_added')).toHaveLength(3);
  });

  it('lists them per incident in its channel and mine anywhere', async () => {
    const all = await ask(t, 'actions all', 'UANA', channel.id);
    expect(all.text).toBe(`${ref} follow-up actions: 3`);
    const text = messageText(all);
    expect(text.indexOf('Reconcile lost orders')).toBeLessThan(text.indexOf('Add an age alarm'));
    const mine = await ask(t, 'actions', 'UBEN', 'CGENERAL');
    expect(messageText(mine)).toContain('Reconcile lost orders');
    expect(messageText(mine)).not.toContain('Add an age alarm');
    expect(buttonIds(mine)).toEqual(expect.arrayContaining(['action_done', 'action_snooze', 'action_reassign']));
    expect((await ask(t, 'actions sideways', 'UBEN', 'CGENERAL')).text).toMatch(/Usage/);
  });
});

describe('the post-incident review', () => {
  it('waits for resolution', async () => {
    expect((await ask(t, 'review', 'UBEN', channel.id)).text).toMatch(/once the incident is resolved/);
  });

  it('is required for a P1 on resolution: owner told, card shows it, close refused', async () => {
    await resolveIncident(t, channel, 'UBEN', 'Replayed 212 orders from the bridge log.');
    await t.settle();
    const review = await t.app.db.selectFrom('reviews').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
    expect(review).toMatchObject({ state: 'draft', owner_id: 'UBEN', owner_notified: 'UBEN' });
    expect(review.due_at).toEqual(new Date('2026-12-01T09:00:00Z'));
    const dm = await eventually(() => t.fake.dmWith('UBEN')?.messages.find((m) => messageText(m).includes('post-incident review')));
    expect(messageText(dm)).toContain(`You own the post-incident review of *${ref}*`);
    expect(buttonIds(dm)).toEqual(['review_open']);
    await eventually(() => messageText(card(channel)).includes('Post-incident review'));
    expect(messageText(card(channel))).toMatch(/required \(P1\) · not started/);
    expect(buttonIds(card(channel))).toEqual(['incident_close', 'review_open']);

    const refused = await ask(t, 'close', 'UBEN', channel.id);
    expect(refused.text).toMatch(/A P1 incident needs a published post-incident review before it can be closed\. It has not been written yet\. Write it with `\/incident review`/);
    expect((await incidentOf(t, channel)).closed_at).toBeNull();
  });

  it('opens from the card, lists the actions, and adds one from inside the form', async () => {
    await t.slack.blockAction({ userId: 'UBEN', actionId: 'review_open', channelId: channel.id, messageTs: card(channel).ts });
    const form = await eventually(() => lastModal(t, 'UBEN', 'review_modal'));
    const list = form.blocks.find((b: any) => b.block_id === 'pir_actions');
    expect(list.text.text).toContain('Reconcile lost orders');
    expect(form.blocks.find((b: any) => b.block_id === 'pir_summary').element.initial_value).toBe('Replayed 212 orders from the bridge log.');

    await t.slack.blockAction({ userId: 'UBEN', actionId: 'review_add_action', view: form });
    const pushed = await eventually(() => lastModal(t, 'UBEN', 'action_modal'));
    expect(t.fake.views.get(pushed.id)!.view.previous_view_id).toBe(form.id);
    const res = await submitModal(t, 'UBEN', 'action_modal', actionValues({ title: 'Page the ERP team on bridge errors', owner: 'UANA', due: '2026-12-04' }));
    expect(res.body).toBeFalsy();
    expect(t.fake.views.get(pushed.id)!.closed).toBe(true);
    expect(t.fake.views.get(form.id)!.closed).toBeFalsy();
    await eventually(() => lastModal(t, 'UBEN', 'review_modal').blocks.find((b: any) => b.block_id === 'pir_actions').text.text.includes('Page the ERP team'));
  });

  it('writes the document from the stored incident, timeline and actions, and links it', async () => {
    const res = await submitModal(t, 'UBEN', 'review_modal', reviewModalValues({ summary: 'Orders stuck in the ERP bridge retry queue for 2 hours.', impact: '212 orders delayed; no data lost.', rootCause: 'A schema change made the bridge reject orders with gift cards.', meeting: '2026-12-02' }));
    expect(res.body).toBeFalsy();
    await t.settle();
    const file = await eventually(() => reviewFile());
    expect(file.channels).toEqual([channel.id]);
    expect(file.filename).toBe(`${ref.toLowerCase()}-post-incident-review-v1.md`);
    const doc = file.content;
    expect(doc).toContain(`# ${ref} post-incident review: Orders lost between checkout and ERP`);
    expect(doc).toMatch(/\| Priority \| P1 \(from severity\) · severity SEV1 \|/);
    expect(doc).toContain('| Commander | @Ben Okafor |');
    expect(doc).toContain('| Services | checkout, erp-bridge |');
    expect(doc).toContain('| Time to resolve | 0m |');
    expect(doc).toContain('| Review meeting | Wed 2 Dec (2026-12-02) |');
    expect(doc).toContain('A schema change made the bridge reject orders with gift cards.');
    expect(doc).toContain('_Root cause not yet confirmed._');
    // The timeline, in order, with names instead of ids.
    const timeline = doc.slice(doc.indexOf('## Timeline'), doc.indexOf('## Root cause'));
    expectInOrder(timeline, ['@Ana Lopez declared the incident (SEV1, service) with @Ben Okafor as commander', 'added follow-up action A-1 for @Cat Meyer, due 2026-12-10', 'resolved the incident: Replayed 212 orders', 'A post-incident review is required (P1)']);
    expect(timeline).toMatch(/\| 2026-11-26 09:00 UTC \| @Ana Lopez \| @Ana Lopez declared/);
    // The actions with owners and due dates.
    const actions = doc.slice(doc.indexOf('## Follow-up actions'));
    expect(actions).toContain('| A-1 | Add an age alarm to the ERP retry queue | @Cat Meyer | 2026-12-10 | medium | open | — |');
    expect(actions).toContain('| A-3 | Reconcile lost orders | @Ben Okafor | 2026-11-30 | high | open | https://tracker.example.com/OPS-123 |');
    expect(actions).toContain('| A-4 | Page the ERP team on bridge errors | @Ana Lopez | 2026-12-04 | medium | open | — |');

    const bookmark = await eventually(() => channel.bookmarks.find((b) => b.title.startsWith('Post-incident review')));
    expect(bookmark.title).toBe('Post-incident review (v1, draft)');
    expect(bookmark.link).toContain(file.id);
    await eventually(() => messageText(card(channel)).includes('document v1'));
    expect(messageText(card(channel))).toContain(bookmark.link);
    expect(buttonIds(card(channel))).toEqual(['incident_close', 'review_open', 'review_submit']);
    const stored = await t.app.db.selectFrom('reviews').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ doc_version: 1, doc_file_id: file.id, summary: 'Orders stuck in the ERP bridge retry queue for 2 hours.', meeting_date: '2026-12-02', root_cause_confirmed: false });
  });

  it('refuses an empty summary inline', async () => {
    await run(t, 'review', 'UBEN', channel.id);
    const res = await submitModal(t, 'UBEN', 'review_modal', reviewModalValues({ summary: '  ' }));
    expect(res.body).toEqual({ response_action: 'errors', errors: { pir_summary: 'Summarise what happened in a few sentences.' } });
    t.fake.closeView(lastModal(t, 'UBEN', 'review_modal').id);
  });

  it('moves draft → in review → published, regenerating the document and re-pointing the bookmark', async () => {
    expect((await ask(t, 'review publish', 'UBEN', channel.id)).text).toMatch(/Submit the review for review first/);
    expect((await ask(t, 'review submit', 'UANA', channel.id)).text).toContain('is now *in review*');
    await t.settle();
    await eventually(() => reviewFile()?.filename.endsWith('-v2.md'));
    expect(reviewFile()!.content).toContain('> **in review** · version 2');
    // The document quotes the timeline's hash-chain head, so a reader can verify it later.
    const head = /Timeline chain head: entry #(\d+), sha256 `([0-9a-f]{64})`/.exec(reviewFile()!.content)!;
    const row = await t.app.db.selectFrom('timeline_events').select(['seq', 'hash']).where('hash', '=', head[2]).executeTakeFirstOrThrow();
    expect(row.seq).toBe(Number(head[1]));
    const bookmarks = channel.bookmarks.filter((b) => b.title.startsWith('Post-incident review'));
    expect(bookmarks).toHaveLength(1);
    expect(bookmarks[0].title).toBe('Post-incident review (v2, in review)');
    expect(bookmarks[0].link).toContain(reviewFile()!.id);
    await eventually(() => buttonIds(card(channel)).includes('review_publish'));

    expect((await ask(t, 'review publish', 'UCAT', channel.id)).text).toBe('Only the review owner <@UBEN> or the incident commander can publish the review.');
    expect((await ask(t, 'close', 'UBEN', channel.id)).text).toMatch(/It is in review\. Publish it with `\/incident review publish`/);

    clock.advanceMinutes(60);
    await t.slack.blockAction({ userId: 'UBEN', actionId: 'review_publish', channelId: channel.id, messageTs: card(channel).ts });
    await t.settle();
    await eventually(() => reviewFile()?.filename.endsWith('-v3.md'));
    expect(reviewFile()!.content).toMatch(/> \*\*published\*\* on 2026-11-26 10:00 UTC by @Ben Okafor · version 3/);
    expect(channel.bookmarks.filter((b) => b.title.startsWith('Post-incident review')).map((b) => b.title)).toEqual(['Post-incident review (v3, published)']);
    const kinds = await timelineKinds(t, incidentId);
    expect(kinds.filter((k) => k === 'review_state_changed')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'review_document')).toHaveLength(3);
  });

  it('regenerates from current data on request', async () => {
    const before = t.fake.files.size;
    expect((await ask(t, 'review document', 'UCAT', channel.id)).text).toMatch(/Regenerating/);
    await t.settle();
    await eventually(() => t.fake.files.size === before + 1);
    expect(reviewFile()!.filename).toMatch(/-v4\.md$/);
    expect((await ask(t, 'review status', 'UCAT', channel.id)).text).toMatch(/review is \*published\*, owned by <@UBEN>\. Document: <.+\|version 4>\./);
  });

  it('lets the incident close once published', async () => {
    expect((await ask(t, 'close', 'UBEN', channel.id)).text).toContain('is closed');
    expect((await incidentOf(t, channel)).closed_at).not.toBeNull();
  });
});

describe('the DM that gave someone an action', () => {
  it('is redrawn in place when they mark it done from there', async () => {
    const dm = t.fake.dmWith('UCAT')!;
    const msg = dm.messages.find((m) => messageText(m).includes('Add an age alarm'))!;
    const click = await t.slack.blockAction({ userId: 'UCAT', actionId: 'action_done', channelId: dm.id, messageTs: msg.ts, blockId: buttonBlock(msg, 'action_done') });
    const redrawn = await eventually(() => t.fake.responses.find((r) => r.url === click.responseUrl)?.body);
    expect(redrawn.replace_original).toBe(true);
    expect(messageText(redrawn)).toMatch(/~A-1 Add an age alarm to the ERP retry queue~ \(INC-1\) · :white_check_mark: done by <@UCAT>/);
    expect(buttonIds(redrawn)).toEqual([]);
    expect((await t.app.db.selectFrom('follow_up_actions').select('status').where('id', '=', '1').executeTakeFirstOrThrow()).status).toBe('done');
  });
});

describe('which incidents need a review', () => {
  it('a P3 closes without one; triage raising it to P2 makes one due', async () => {
    const minor = await declareIncident(t, { userId: 'UANA', title: 'Slow admin page', severity: 'SEV3' });
    await resolveIncident(t, minor, 'UANA', 'Cache warmed.');
    expect(await t.app.db.selectFrom('reviews').selectAll().where('incident_id', '=', (await incidentOf(t, minor)).id).executeTakeFirst()).toBeUndefined();
    expect((await ask(t, 'close', 'UANA', minor.id)).text).toContain('is closed');

    const other = await declareIncident(t, { userId: 'UANA', title: 'Search index stale', severity: 'SEV3' });
    const row = await incidentOf(t, other);
    // As triage would: the triaged priority wins over the severity.
    await t.app.db.updateTable('incidents').set({ priority: 'P2' }).where('id', '=', row.id).execute();
    await resolveIncident(t, other, 'UANA', 'Reindexed.');
    expect((await ask(t, 'close', 'UANA', other.id)).text).toMatch(/A P2 incident needs a published post-incident review/);
  });

  it('a security event triaged as not an incident needs none', async () => {
    const event = await declareIncident(t, { userId: 'UANA', title: 'Port scan from a known scanner', severity: 'SEV2', kind: 'security' });
    await t.app.db.updateTable('incidents').set({ classification: 'security_event' }).where('channel_id', '=', event.id).execute();
    await resolveIncident(t, event, 'UANA', 'Benign.');
    expect((await ask(t, 'close', 'UANA', event.id)).text).toContain('is closed');
  });
});
