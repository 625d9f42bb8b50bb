import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { PermanentFailure, RetryLater } from '../src/jobs/task-runner.js';
import { StatuspageClient } from '../src/statuspage/client.js';
import { claimSend, ensureStatuspageLink, failingStatuspageLinks, findStatuspageLink, IN_FLIGHT_SECONDS } from '../src/statuspage/links.js';
import { createStatuspageSync, type StatuspageSync } from '../src/statuspage/sync.js';
import type { PublicIncidentPost, PublicMaintenance } from '../src/statuspage/types.js';
import { startDomain, type Domain } from './support/domain.js';
import { buildIncident } from './support/factories.js';
import { startFakeStatuspage, type FakeComponent, type FakeStatuspage } from './support/fake-statuspage.js';
import { rejection } from './support/statuspage.js';

let d: Domain;
let replica: DatabaseHandle;
beforeAll(async () => {
  d = await startDomain();
  replica = openDatabase(d.database.url);
});
afterAll(async () => {
  await replica?.close();
  await d?.stop();
});

let sp: FakeStatuspage;
let checkout: FakeComponent;
let website: FakeComponent;
let sync: StatuspageSync;
beforeEach(async () => {
  sp = await startFakeStatuspage();
  checkout = sp.addComponent('Checkout');
  website = sp.addComponent('Website');
  sync = syncOn(d.db);
});
afterEach(() => sp.close());

function syncOn(db: Domain['db'], components: Record<string, string> = { Checkout: checkout.id, Website: website.id }, apiKey = sp.apiKey): StatuspageSync {
  return createStatuspageSync({ db, client: new StatuspageClient({ apiUrl: sp.url, apiKey }), pageId: sp.pageId, components });
}

let postNo = 0;
async function post(incidentId: string, fields: Partial<PublicIncidentPost> = {}): Promise<PublicIncidentPost> {
  return {
    incidentId,
    postId: `post-${++postNo}`,
    status: 'investigating',
    title: 'Checkout is failing for some customers',
    body: 'We are investigating errors at checkout.',
    components: [{ name: 'Checkout', state: 'major_outage' }],
    notify: true,
    publishedAt: '2026-11-30T10:00:00Z',
    ...fields,
  };
}

describe('publishing an incident\'s public posts', () => {
  it('creates the Statuspage incident with the first post and updates it with the next, each call once', async () => {
    const incident = await buildIncident(d);
    const first = await post(incident.id);
    const created = await sync.publishIncidentPost(first);
    expect(created.sent).toBe(true);
    expect(sp.sent('POST')).toEqual([
      {
        name: 'Checkout is failing for some customers',
        status: 'investigating',
        body: 'We are investigating errors at checkout.',
        component_ids: [checkout.id],
        components: { [checkout.id]: 'major_outage' },
        deliver_notifications: true,
        metadata: { incident_officer: { ref: `incident:${incident.id}`, send: first.postId } },
      },
    ]);

    const second = await post(incident.id, { status: 'identified', body: 'A faulty deploy; rolling back.', components: [{ name: 'Checkout', state: 'partial_outage' }, { name: 'Website', state: 'degraded_performance' }], notify: false });
    expect(await sync.publishIncidentPost(second)).toEqual({ statuspageIncidentId: created.statuspageIncidentId, sent: true });
    const resolved = await post(incident.id, { status: 'resolved', body: 'Fixed.', components: [{ name: 'Checkout', state: 'operational' }, { name: 'Website', state: 'operational' }] });
    await sync.publishIncidentPost(resolved);
    // The same posts again (a retried task, a replayed event) send nothing.
    for (const p of [first, second, resolved]) expect(await sync.publishIncidentPost(p)).toEqual({ statuspageIncidentId: created.statuspageIncidentId, sent: false });

    expect(sp.writes().map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      `POST /pages/${sp.pageId}/incidents 201`,
      `PATCH /pages/${sp.pageId}/incidents/${created.statuspageIncidentId} 200`,
      `PATCH /pages/${sp.pageId}/incidents/${created.statuspageIncidentId} 200`,
    ]);
    expect(sp.sent('PATCH')[0]).toMatchObject({ status: 'identified', deliver_notifications: false, component_ids: [checkout.id, website.id], components: { [checkout.id]: 'partial_outage', [website.id]: 'degraded_performance' } });
    const remote = sp.incident(created.statuspageIncidentId)!;
    expect(remote.status).toBe('resolved');
    expect(remote.incident_updates.map((u) => u.body)).toEqual(['Fixed.', 'A faulty deploy; rolling back.', 'We are investigating errors at checkout.']);
    expect([checkout, website].map((c) => sp.components.get(c.id)!.status)).toEqual(['operational', 'operational']);
    expect(await findStatuspageLink(d.db, { incidentId: incident.id })).toMatchObject({ statuspageIncidentId: created.statuspageIncidentId, sentIds: expect.arrayContaining([first.postId, second.postId, resolved.postId]), lastStatus: 'resolved', pending: null, lastError: null });
  });

  it('after a 429 asks to retry after Retry-After, and the retry sends the post once', async () => {
    const incident = await buildIncident(d);
    const first = await post(incident.id);
    sp.rateLimit(1, 7);
    const e = await rejection(sync.publishIncidentPost(first), RetryLater);
    expect(e.delayMs).toBe(7_000);
    expect(e.message).toMatch(/answered 429: Rate limit exceeded/);
    expect((await findStatuspageLink(d.db, { incidentId: incident.id }))!.lastError).toMatch(/429/);

    await sync.publishIncidentPost(first);
    sp.rateLimit(1, 3, 420);
    const next = await post(incident.id, { status: 'monitoring' });
    expect((await rejection(sync.publishIncidentPost(next), RetryLater)).delayMs).toBe(3_000);
    await sync.publishIncidentPost(next);
    await sync.publishIncidentPost(next);
    // A rate-limited call did nothing, so the retry needs no look-up: no GET at all.
    expect(sp.calls.map((c) => `${c.method} ${c.status}`)).toEqual(['POST 429', 'POST 201', 'PATCH 420', 'PATCH 200']);
    expect(sp.allIncidents()).toHaveLength(1);
  });

  it('a create whose answer was lost is found on Statuspage, not created twice', async () => {
    const incident = await buildIncident(d);
    const first = await post(incident.id);
    sp.loseAnswers(1);
    expect((await rejection(sync.publishIncidentPost(first), RetryLater)).message).toMatch(/Statuspage POST .* failed/);
    expect(sp.allIncidents()).toHaveLength(1);

    const retried = await sync.publishIncidentPost(first);
    expect(retried).toEqual({ statuspageIncidentId: sp.allIncidents()[0].id, sent: false });
    expect(sp.calls.map((c) => c.method)).toEqual(['POST', 'GET']);

    // An update whose answer was lost is checked on the incident itself.
    const second = await post(incident.id, { status: 'identified' });
    sp.loseAnswers(1);
    await rejection(sync.publishIncidentPost(second), RetryLater);
    expect(await sync.publishIncidentPost(second)).toMatchObject({ sent: false });
    expect(sp.writes().map((c) => c.method)).toEqual(['POST', 'PATCH']);
    expect(sp.incident(retried.statuspageIncidentId)!.status).toBe('identified');
  });

  it('a call that failed with a 5xx before doing anything is checked, then sent once', async () => {
    const incident = await buildIncident(d);
    const first = await post(incident.id);
    sp.failNext(1, 503);
    await rejection(sync.publishIncidentPost(first), RetryLater);
    await sync.publishIncidentPost(first);
    expect(sp.calls.map((c) => `${c.method} ${c.status}`)).toEqual(['POST 503', 'GET 200', 'POST 201']);
  });

  it('two replicas publishing the same post make one call', async () => {
    const incident = await buildIncident(d);
    const first = await post(incident.id);
    const results = await Promise.allSettled([sync.publishIncidentPost(first), syncOn(replica.db).publishIncidentPost(first)]);
    expect(results.filter((r) => r.status === 'fulfilled' && r.value.sent)).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RetryLater);
    expect(await syncOn(replica.db).publishIncidentPost(first)).toMatchObject({ sent: false });
    expect(sp.writes()).toHaveLength(1);
  });

  it('a call claimed by a replica that died is checked on Statuspage and then made; one still running is waited for', async () => {
    const incident = await buildIncident(d);
    const first = await post(incident.id);
    const link = await ensureStatuspageLink(d.db, { incidentId: incident.id });
    expect(await claimSend(d.db, link.id, first.postId, first.title)).toBe(true);
    const waiting = await rejection(sync.publishIncidentPost(first), RetryLater);
    expect(waiting.message).toMatch(/in flight on another replica/);
    expect(sp.calls).toEqual([]);

    await d.db.updateTable('statuspage_links').set({ pending_at: sql`now() - make_interval(secs => ${IN_FLIGHT_SECONDS + 1})` }).where('id', '=', link.id).execute();
    expect(await sync.publishIncidentPost(first)).toMatchObject({ sent: true });
    expect(sp.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`GET /pages/${sp.pageId}/incidents`, `POST /pages/${sp.pageId}/incidents`]);
    expect(sp.calls[0].query).toMatchObject({ q: first.title });
  });

  it('a 422 is a PermanentFailure with Statuspage\'s message, and nothing is left pending', async () => {
    const incident = await buildIncident(d);
    const misconfigured = syncOn(d.db, { Checkout: 'deletedcomp1' });
    const e = await rejection(misconfigured.publishIncidentPost(await post(incident.id)), PermanentFailure);
    expect(e.message).toMatch(/answered 422: Component ids contains deletedcomp1, which is not a component of this page/);
    expect(await findStatuspageLink(d.db, { incidentId: incident.id })).toMatchObject({ pending: null, statuspageIncidentId: null, lastError: e.message });
    expect(await failingStatuspageLinks(d.db, 50)).toContainEqual({ subject: { incidentId: incident.id }, statuspageIncidentId: null, lastError: e.message, since: expect.any(Date) });
    // Once the mapping is fixed, the next post creates the incident.
    await sync.publishIncidentPost(await post(incident.id));
    expect(sp.allIncidents()).toHaveLength(1);
    expect((await failingStatuspageLinks(d.db, 50)).map((f) => f.subject)).not.toContainEqual({ incidentId: incident.id });
  });

  it('a component without a Statuspage id, or a refused key, is a PermanentFailure that says why (and never shows the key)', async () => {
    const incident = await buildIncident(d);
    const unmapped = await rejection(sync.publishIncidentPost(await post(incident.id, { components: [{ name: 'Payments', state: 'major_outage' }] })), PermanentFailure);
    expect(unmapped.message).toBe('Status page component "Payments" has no Statuspage component id: add it to status_page.atlassian.components');
    expect(sp.calls).toEqual([]);

    const wrongKey = 'sp-wrong-key-0123456789';
    const refused = await rejection(syncOn(d.db, undefined, wrongKey).publishIncidentPost(await post(incident.id)), PermanentFailure);
    expect(refused.message).toMatch(/answered 401: Could not authenticate.*STATUSPAGE_API_KEY/);
    expect(refused.message).not.toContain(wrongKey);
  });
});

describe('publishing maintenance from a change', () => {
  async function change() {
    return d.changes.create({ title: 'Database upgrade', description: 'Postgres 17', services: ['web'], startsAt: new Date('2026-12-01T22:00:00Z'), endsAt: new Date('2026-12-01T23:00:00Z'), impact: 'low', likelihood: 'low', rollbackPlan: 'Fail back to the replica.', requestedBy: 'U0REQUESTER' });
  }
  const maintenance = (changeId: string, fields: Partial<PublicMaintenance> = {}): PublicMaintenance => ({
    changeId,
    revision: 'rev-1',
    title: 'Scheduled database maintenance',
    body: 'Checkout may be briefly unavailable.',
    components: ['Checkout'],
    scheduledFor: '2026-12-01T22:00:00.000Z',
    scheduledUntil: '2026-12-01T23:00:00.000Z',
    status: 'scheduled',
    ...fields,
  });

  it('creates a scheduled incident, moves it in progress and to completed, each revision once', async () => {
    const c = await change();
    const created = await sync.publishMaintenance(maintenance(c.id));
    expect(sp.sent('POST')).toEqual([
      {
        name: 'Scheduled database maintenance',
        status: 'scheduled',
        body: 'Checkout may be briefly unavailable.',
        component_ids: [checkout.id],
        scheduled_for: '2026-12-01T22:00:00.000Z',
        scheduled_until: '2026-12-01T23:00:00.000Z',
        scheduled_remind_prior: true,
        scheduled_auto_in_progress: false,
        scheduled_auto_completed: false,
        deliver_notifications: true,
        metadata: { incident_officer: { ref: `change:${c.id}`, send: 'rev-1' } },
      },
    ]);
    expect(sp.components.get(checkout.id)!.status).toBe('operational');

    await sync.publishMaintenance(maintenance(c.id, { revision: 'rev-2', scheduledUntil: '2026-12-01T23:30:00.000Z' }));
    await sync.publishMaintenance(maintenance(c.id, { revision: 'rev-3', scheduledUntil: '2026-12-01T23:30:00.000Z', status: 'in_progress' }));
    expect(sp.components.get(checkout.id)!.status).toBe('under_maintenance');
    await sync.publishMaintenance(maintenance(c.id, { revision: 'rev-4', scheduledUntil: '2026-12-01T23:30:00.000Z', status: 'completed', body: 'Done.' }));
    expect(await sync.publishMaintenance(maintenance(c.id, { revision: 'rev-3', status: 'in_progress' }))).toEqual({ statuspageIncidentId: created.statuspageIncidentId, sent: false });

    expect(sp.sent('PATCH').map((i) => [i.status, i.deliver_notifications, i.components])).toEqual([
      ['scheduled', false, undefined],
      ['in_progress', true, { [checkout.id]: 'under_maintenance' }],
      ['completed', true, { [checkout.id]: 'operational' }],
    ]);
    const remote = sp.incident(created.statuspageIncidentId)!;
    expect(remote).toMatchObject({ status: 'completed', scheduled_until: '2026-12-01T23:30:00.000Z', resolved_at: expect.any(String) });
    expect(sp.components.get(checkout.id)!.status).toBe('operational');
    expect(sp.writes()).toHaveLength(4);
  });
});

describe('withdrawing the maintenance of a rejected change', () => {
  async function change() {
    return d.changes.create({ title: 'Risky migration', description: '', services: ['web'], startsAt: new Date('2026-12-02T22:00:00Z'), endsAt: new Date('2026-12-02T23:00:00Z'), impact: 'high', likelihood: 'high', rollbackPlan: 'Switch back.', requestedBy: 'U0REQUESTER' });
  }
  const maintenance = (changeId: string, revision = 'rev-1'): PublicMaintenance => ({
    changeId,
    revision,
    title: 'Website migration',
    body: 'The website may be briefly unavailable.',
    components: ['Website'],
    scheduledFor: '2026-12-02T22:00:00.000Z',
    scheduledUntil: '2026-12-02T23:00:00.000Z',
    status: 'scheduled',
  });
  const deletes = () => sp.calls.filter((c) => c.method === 'DELETE').map((c) => `${c.path} ${c.status}`);

  it('deletes the scheduled incident once; a DELETE whose answer was lost is sent again and its 404 counts as done', async () => {
    const c = await change();
    const created = await sync.publishMaintenance(maintenance(c.id));
    sp.loseAnswers(1);
    expect((await rejection(sync.withdrawMaintenance(c.id), RetryLater)).message).toMatch(/Statuspage DELETE .* failed/);
    expect(sp.incident(created.statuspageIncidentId)).toBeUndefined();
    expect(await findStatuspageLink(d.db, { changeId: c.id })).toMatchObject({ pending: { sendId: 'withdrawn', inFlight: false }, lastError: expect.stringMatching(/DELETE/) });

    expect(await sync.withdrawMaintenance(c.id)).toEqual({ statuspageIncidentId: created.statuspageIncidentId, sent: false });
    const path = `/pages/${sp.pageId}/incidents/${created.statuspageIncidentId}`;
    expect(deletes()).toEqual([`${path} 200`, `${path} 404`]);
    expect(await findStatuspageLink(d.db, { changeId: c.id })).toMatchObject({ statuspageIncidentId: created.statuspageIncidentId, sentIds: expect.arrayContaining(['withdrawn']), lastStatus: 'withdrawn', pending: null, lastError: null });

    // Withdrawn for good: a retried task sends nothing, and no later revision goes out.
    expect(await sync.withdrawMaintenance(c.id)).toEqual({ statuspageIncidentId: created.statuspageIncidentId, sent: false });
    expect((await rejection(sync.publishMaintenance(maintenance(c.id, 'rev-2')), PermanentFailure)).message).toMatch(/was withdrawn/);
    expect(sp.writes().map((w) => w.method)).toEqual(['POST', 'DELETE', 'DELETE']);
  });

  it('a maintenance never created on Statuspage is withdrawn without a call, and is not created afterwards', async () => {
    const c = await change();
    expect(await sync.withdrawMaintenance(c.id)).toEqual({ statuspageIncidentId: null, sent: false });
    await rejection(sync.publishMaintenance(maintenance(c.id)), PermanentFailure);
    expect(sp.calls).toEqual([]);
  });

  it('a create whose answer was lost is found on Statuspage and deleted; a call in flight on another replica is waited for', async () => {
    const c = await change();
    sp.loseAnswers(1);
    await rejection(sync.publishMaintenance(maintenance(c.id)), RetryLater);
    const [remote] = sp.allIncidents();
    const link = (await findStatuspageLink(d.db, { changeId: c.id }))!;
    await d.db.updateTable('statuspage_links').set({ pending_at: sql`now()` }).where('id', '=', link.id).execute();
    expect((await rejection(sync.withdrawMaintenance(c.id), RetryLater)).message).toMatch(/in flight on another replica/);

    await d.db.updateTable('statuspage_links').set({ pending_at: null }).where('id', '=', link.id).execute();
    expect(await sync.withdrawMaintenance(c.id)).toEqual({ statuspageIncidentId: remote.id, sent: true });
    expect(sp.calls.map((x) => `${x.method} ${x.path}`)).toEqual([`POST /pages/${sp.pageId}/incidents`, `GET /pages/${sp.pageId}/incidents`, `DELETE /pages/${sp.pageId}/incidents/${remote.id}`]);
    expect(sp.allIncidents()).toEqual([]);
  });
});
