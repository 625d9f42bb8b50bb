import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentTask } from '../../src/incidents/side-effects.js';
import { openDatabase } from '../../src/db/database.js';
import { SignalService, SignalTask } from '../../src/signals/service.js';
import { queuedTasks, startDomain, type Domain } from '../support/domain.js';
import { alertBatch, buildIncident, buildResolvedIncident, buildSignalGroup, COMMANDER } from '../support/factories.js';

let d: Domain;
beforeAll(async () => {
  d = await startDomain({
    policy: {
      signals: {
        triage_channel: 'CTRIAGE',
        rules: [
          { match: { labels: { env: 'staging' } }, action: 'drop' },
          { match: { source: 'alertmanager', severity: 'critical' }, action: 'declare' },
        ],
      },
    },
  });
});
afterAll(() => d?.stop());

const signalRows = (groupId: string) => d.db.selectFrom('signals').select(['dedup_key', 'count', 'status']).where('group_id', '=', groupId).orderBy('dedup_key').execute();
const postTasks = async (groupId: string) => (await queuedTasks(d, SignalTask.post)).filter((t) => t.payload.groupId === groupId);

describe('ingesting alerts', () => {
  it('de-duplicates by fingerprint: a repeat raises the count, across deliveries and within one', async () => {
    const batch = alertBatch({ groupKey: 'dedupe' });
    await d.signals.ingest('alertmanager', [batch]);
    await d.signals.ingest('alertmanager', [{ ...batch, alerts: [batch.alerts[0], batch.alerts[0]] }]);
    const group = await buildSignalGroup(d, { groupKey: 'dedupe' });
    expect(await signalRows(group.id)).toEqual([{ dedup_key: 'dedupe/1', count: 4, status: 'firing' }]);
    expect(group).toMatchObject({ signalCount: 1, firingCount: 1, deliveryCount: 3, status: 'firing', episode: 1 });
  });

  it('groups as the tool grouped, takes the worst firing severity, and resolves with the last alert', async () => {
    const group = await buildSignalGroup(d, { groupKey: 'three', alerts: 3, severity: 'high' });
    expect(group).toMatchObject({ signalCount: 3, firingCount: 3, severity: 'high', status: 'firing' });
    const batch = alertBatch({ groupKey: 'three', alerts: 3, status: 'resolved' });
    await d.signals.ingest('alertmanager', [{ ...batch, alerts: batch.alerts.slice(0, 2) }]);
    expect(await d.signals.findGroup(group.id)).toMatchObject({ firingCount: 1, status: 'firing', resolvedAt: null });
    d.clock.advanceMinutes(1);
    await d.signals.ingest('alertmanager', [batch]);
    expect(await d.signals.findGroup(group.id)).toMatchObject({ firingCount: 0, status: 'resolved', resolvedAt: d.clock.now() });
  });

  it('continues the episode when a group fires again soon after resolving, and starts a fresh one later', async () => {
    const group = await buildSignalGroup(d, { groupKey: 'flapping' });
    await d.signals.classify(group.id, COMMANDER, 'not_incident', 'Known flapping check');
    await buildSignalGroup(d, { groupKey: 'flapping', status: 'resolved' });
    d.clock.advanceMinutes(30);
    expect(await buildSignalGroup(d, { groupKey: 'flapping' })).toMatchObject({ episode: 1, classification: 'not_incident' });
    await buildSignalGroup(d, { groupKey: 'flapping', status: 'resolved' });
    d.clock.advanceMinutes(61);
    expect(await buildSignalGroup(d, { groupKey: 'flapping' })).toMatchObject({ episode: 2, classification: null, classificationReason: null, postTs: null });
  });
});

/** The signal service over its own pool, counting every query its connections send (BEGIN and COMMIT included). */
function countingSignals() {
  const handle = openDatabase(d.database.url);
  const counter = { queries: 0 };
  handle.pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      counter.queries++;
      return query(...args);
    }) as typeof client.query;
  });
  const signals = new SignalService({ db: handle.db, policy: d.policy, clock: d.clock, tasks: { kick: () => {} } } as never);
  return { signals, counter, close: () => handle.close() };
}

describe('round trips of a delivery', () => {
  it('stores a delivery to a group in one query; an auto-declare takes its transaction', async () => {
    const c = countingSignals();
    try {
      const batch = alertBatch({ groupKey: 'one-trip', alerts: 3 });
      await c.signals.ingest('alertmanager', [batch]);
      expect(c.counter.queries).toBe(1);
      c.counter.queries = 0;
      await c.signals.ingest('alertmanager', [batch]);
      expect(c.counter.queries).toBe(1);
      const group = await buildSignalGroup(d, { groupKey: 'one-trip', alerts: 3 });
      expect(group).toMatchObject({ signalCount: 3, firingCount: 3, deliveryCount: 3 });
      expect(await postTasks(group.id)).toHaveLength(1);

      c.counter.queries = 0;
      await c.signals.ingest('alertmanager', [alertBatch({ groupKey: 'one-trip-declare', severity: 'critical' })]);
      expect(c.counter.queries).toBeGreaterThan(1);
      const declared = await buildSignalGroup(d, { groupKey: 'one-trip-declare', severity: 'critical' });
      expect((await queuedTasks(d, SignalTask.declare)).filter((t) => t.payload.groupId === declared.id).map((t) => t.payload)).toEqual([{ groupId: declared.id, episode: 1 }]);
    } finally {
      await c.close();
    }
  });

  it('counts every alert of concurrent deliveries to one group', async () => {
    const c = countingSignals();
    try {
      const batches = Array.from({ length: 8 }, (_, i) => {
        const b = alertBatch({ groupKey: 'concurrent', alerts: 2 });
        return { ...b, alerts: b.alerts.map((a) => ({ ...a, dedupKey: `${a.dedupKey}/${i}` })) };
      });
      await Promise.all(batches.map((b) => c.signals.ingest('alertmanager', [b])));
      const group = await buildSignalGroup(d, { groupKey: 'concurrent', alerts: 1 });
      expect(group).toMatchObject({ signalCount: 17, firingCount: 17, deliveryCount: 9 });
    } finally {
      await c.close();
    }
  });
});

describe('routing', () => {
  it('posts to the triage channel by default, drops noise without a post, and declares for the declare rule once per episode', async () => {
    const triage = await buildSignalGroup(d, { groupKey: 'route-triage' });
    const noise = await buildSignalGroup(d, { groupKey: 'route-noise', labels: { env: 'staging' }, severity: 'critical' });
    const page = await buildSignalGroup(d, { groupKey: 'route-declare', severity: 'critical' });
    await buildSignalGroup(d, { groupKey: 'route-declare', severity: 'critical' });
    expect([triage.route, noise.route, page.route]).toMatchObject([
      { action: 'triage', rule: null, channel: 'CTRIAGE' },
      { action: 'drop', rule: 0, channel: null },
      { action: 'declare', rule: 1, channel: 'CTRIAGE' },
    ]);
    expect(await postTasks(noise.id)).toEqual([]);
    const declares = (await queuedTasks(d, SignalTask.declare)).filter((t) => t.payload.groupId === page.id);
    expect(declares.map((t) => t.payload)).toEqual([{ groupId: page.id, episode: 1 }]);
  });

  it('coalesces a storm into one scheduled post, and schedules the next one an interval after the last', async () => {
    const group = await buildSignalGroup(d, { groupKey: 'storm' });
    for (let i = 0; i < 5; i++) await buildSignalGroup(d, { groupKey: 'storm', alerts: i + 2 });
    expect(await postTasks(group.id)).toHaveLength(1);
    // The task runner posts it: claim, post, finish, task done.
    const claimed = await d.signals.claimPost(group.id);
    if (!claimed || claimed === 'busy') throw new Error(`could not claim the post: ${claimed}`);
    await d.signals.finishPost(group.id, claimed.claim, { channelId: 'CTRIAGE', ts: '1.000' });
    await d.db.updateTable('slack_tasks').set({ done_at: new Date() }).where('kind', '=', SignalTask.post).execute();
    expect(await postTasks(group.id)).toEqual([]);
    await buildSignalGroup(d, { groupKey: 'storm', alerts: 9 });
    const [next] = await postTasks(group.id);
    const posted = await d.db.selectFrom('signal_groups').select(['posted_at', 'post_ts']).where('id', '=', group.id).executeTakeFirstOrThrow();
    expect(posted.post_ts).toBe('1.000');
    expect(next.runAt.getTime() - posted.posted_at!.getTime()).toBe(d.policy.signals.post_interval_seconds * 1000);
  });
});

describe('people deciding about a signal', () => {
  it('link it to an open incident: the timeline says so, the channel is told and the post updated at once', async () => {
    const incident = await buildIncident(d);
    const group = await buildSignalGroup(d, { groupKey: 'link-me', alerts: 2 });
    const { group: linked } = await d.signals.link(group.id, incident.id, COMMANDER);
    expect(linked).toMatchObject({ incidentId: incident.id, classification: 'incident', classifiedBy: COMMANDER });
    const event = (await d.incidents.timeline(incident.id)).find((e) => e.kind === 'signal_linked');
    expect(event?.payload).toMatchObject({ group_id: group.id, how: 'linked', alerts: 2, firing: 2 });
    const broadcast = (await queuedTasks(d, IncidentTask.broadcast)).filter((t) => t.payload.eventId === event!.id);
    expect(broadcast.map((t) => t.payload.target)).toEqual(['channel']);
    const other = await buildIncident(d);
    await expect(d.signals.link(group.id, other.id, COMMANDER)).rejects.toMatchObject({ code: 'invalid_state', message: 'This signal is already linked to another incident.' });
    await expect(d.signals.classify(group.id, COMMANDER, 'not_incident', 'noise')).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('cannot link to a closed incident, and must give a reason for "not an incident"', async () => {
    const closed = await buildResolvedIncident(d);
    await d.incidents.close({ incidentId: closed.id, actorId: COMMANDER });
    const group = await buildSignalGroup(d, { groupKey: 'undecided' });
    await expect(d.signals.link(group.id, closed.id, COMMANDER)).rejects.toMatchObject({ code: 'invalid_state', message: 'That incident is closed; choose an open one.' });
    await expect(d.signals.classify(group.id, COMMANDER, 'security_event', '  ')).rejects.toMatchObject({ code: 'invalid_input', message: 'Say why, for the record.' });
    expect(await d.signals.classify(group.id, COMMANDER, 'security_event', ' Scanner ')).toMatchObject({ classification: 'security_event', classificationReason: 'Scanner' });
  });

  it('tell the incident once when the last of its linked signals resolves', async () => {
    const incident = await buildIncident(d);
    const a = await buildSignalGroup(d, { groupKey: 'both-a' });
    const b = await buildSignalGroup(d, { groupKey: 'both-b' });
    await d.signals.link(a.id, incident.id, COMMANDER);
    await d.signals.link(b.id, incident.id, COMMANDER);
    const resolvedRows = async () => (await d.incidents.timeline(incident.id)).filter((e) => e.kind === 'signals_resolved').map((e) => e.payload.group_id);
    await buildSignalGroup(d, { groupKey: 'both-a', status: 'resolved' });
    expect(await resolvedRows()).toEqual([]);
    await buildSignalGroup(d, { groupKey: 'both-b', status: 'resolved' });
    await buildSignalGroup(d, { groupKey: 'both-b', status: 'resolved' });
    expect(await resolvedRows()).toEqual([b.id]);
  });
});

describe('auto-declaring', () => {
  it('declares one incident per episode from the group, linked back to it, whatever the retries', async () => {
    const group = await buildSignalGroup(d, { groupKey: 'auto', severity: 'critical', service: 'checkout', title: 'Checkout down' });
    const who = { teamId: 'T1', userId: 'UBOT' };
    const incident = await d.signalDeclare.autoDeclare(group.id, 1, who);
    expect(incident).toMatchObject({ title: 'Checkout down', severity: 'SEV1', services: ['checkout'], commanderId: 'UBOT', reporterId: 'UBOT' });
    expect(await d.signalDeclare.autoDeclare(group.id, 1, who)).toBeUndefined();
    expect(await d.signalDeclare.autoDeclare(group.id, 2, who)).toBeUndefined();
    expect(await d.signals.findGroup(group.id)).toMatchObject({ incidentId: incident!.id, classification: 'incident' });
    const linked = (await d.incidents.timeline(incident!.id)).filter((e) => e.kind === 'signal_linked').map((e) => e.payload.how);
    expect(linked).toEqual(['auto']);
  });
});
