import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { defaultPolicy } from '../src/policy/schema.js';
import { computeStats, periodTrend } from '../src/reports/metrics.js';
import { periodOf } from '../src/reports/period.js';
import { recurringIssues } from '../src/reports/recurring.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const policy = defaultPolicy();
let database: TestDatabase;
let h: DatabaseHandle;
let number = 0;

type Fixture = { type?: string; drill?: boolean; declared: string; ack?: string; mitigated?: string; resolved?: string; priority?: string | null; severity?: string; category?: string; services?: string[]; classification?: 'incident' | 'security_event'; kind?: 'service' | 'security'; team?: string };
async function incident(f: Fixture) {
  await h.db
    .insertInto('incidents')
    .values({
      team_id: f.team ?? 'T1',
      number: ++number,
      title: `fixture ${number}`,
      description: '',
      severity: f.severity ?? 'SEV2',
      kind: f.kind ?? 'service',
      status: f.resolved ? 'resolved' : 'investigating',
      services: f.services ?? [],
      commander_id: 'U1',
      reporter_id: 'U1',
      declared_at: new Date(f.declared),
      acknowledged_at: f.ack ? new Date(f.ack) : null,
      mitigated_at: f.mitigated ? new Date(f.mitigated) : null,
      resolved_at: f.resolved ? new Date(f.resolved) : null,
      priority: f.priority ?? null,
      category: f.category ?? null,
      classification: f.classification ?? 'incident',
      is_drill: f.drill ?? false,
      source_key: null,
      resolution_summary: null,
      channel_id: null,
      channel_name: null,
      card_ts: null,
      announce_channel_id: null,
      announce_ts: null,
      bookmark_id: null,
      impact: null,
      urgency: null,
      business_impact: null,
      classification_reason: null,
      bridge_url: null,
      incident_type: f.type ?? null,
    })
    .execute();
  return number;
}

beforeAll(async () => {
  database = await createTestDatabase();
  h = openDatabase(database.url);
  await migrateToLatest(h.db);
  // Hand-computed fixtures in [2026-11-01, 2026-11-08).
  await incident({ declared: '2026-11-01T10:00:00Z', ack: '2026-11-01T10:10:00Z', mitigated: '2026-11-01T10:30:00Z', resolved: '2026-11-01T11:00:00Z', priority: 'P1', category: 'network', services: ['api'] });
  await incident({ declared: '2026-11-02T10:00:00Z', ack: '2026-11-02T10:20:00Z', mitigated: '2026-11-02T10:40:00Z', resolved: '2026-11-02T12:00:00Z', priority: 'P2', category: 'database', services: ['api', 'db'] });
  await incident({ declared: '2026-11-03T10:00:00Z', ack: '2026-11-03T10:05:00Z', severity: 'SEV3', category: 'network', services: ['web'] });
  await incident({ declared: '2026-11-04T10:00:00Z', ack: '2026-11-04T11:00:00Z', mitigated: '2026-11-04T20:00:00Z', resolved: '2026-11-04T20:00:00Z', priority: 'P1', category: 'network', services: ['api'] });
  // Excluded: a security event that was no incident, and the edges of the period.
  await incident({ declared: '2026-11-05T10:00:00Z', ack: '2026-11-05T10:01:00Z', resolved: '2026-11-05T10:02:00Z', priority: 'P4', category: 'security', services: ['api'], classification: 'security_event', kind: 'security' });
  await incident({ declared: '2026-10-31T23:59:59Z', ack: '2026-11-01T00:00:00Z', priority: 'P1', category: 'network', services: ['api'] });
  await incident({ declared: '2026-11-08T00:00:00Z', ack: '2026-11-08T00:01:00Z', priority: 'P1', category: 'network', services: ['api'] });
  // A drill: an exercise, never counted.
  await incident({ declared: '2026-11-06T10:00:00Z', ack: '2026-11-06T10:01:00Z', resolved: '2026-11-06T10:05:00Z', priority: 'P1', category: 'network', services: ['api'], drill: true });
  // Another workspace.
  await incident({ declared: '2026-11-02T10:00:00Z', priority: 'P1', team: 'T2', services: ['api'], category: 'network' });
});
afterAll(async () => {
  await h.close();
  await database.drop();
});

const query = { teamId: 'T1', from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z'), now: new Date('2026-11-08T00:00:00Z') };

describe('incident metrics', () => {
  it('counts the period\'s real incidents by priority, category, service and kind (no drills, no security events)', async () => {
    const s = await computeStats(h.db, policy, query);
    expect(s.total).toBe(4);
    expect(s.causedByChange).toBe(0);
    expect(s.open).toBe(1);
    expect(s.byPriority).toEqual({ P1: 2, P2: 1, P3: 1 });
    expect(s.byCategory).toEqual({ network: 3, database: 1 });
    expect(s.byService).toEqual({ api: 3, db: 1, web: 1 });
    expect(s.byKind).toEqual({ service: 4 });
  });

  it('computes MTTA, MTTR and time to mitigate: means and p50/p90', async () => {
    const s = await computeStats(h.db, policy, query);
    expect(s.mtta).toEqual({ count: 4, mean: 1425, p50: 900, p90: 2880 });
    expect(s.mttr).toEqual({ count: 3, mean: 15600, p50: 7200, p90: 30240 });
    expect(s.mttm).toEqual({ count: 3, mean: 13400, p50: 2400, p90: 29280 });
  });

  it('computes SLA compliance per priority, counting open incidents past their target as breaches', async () => {
    const s = await computeStats(h.db, policy, query);
    expect(s.sla).toEqual([
      { priority: 'P1', response: { met: 1, breached: 1, pct: 50 }, resolution: { met: 1, breached: 1, pct: 50 } },
      { priority: 'P2', response: { met: 1, breached: 0, pct: 100 }, resolution: { met: 1, breached: 0, pct: 100 } },
      { priority: 'P3', response: { met: 1, breached: 0, pct: 100 }, resolution: { met: 0, breached: 1, pct: 0 } },
    ]);
  });

  it('gives the period before a report the same totals, means and SLA as its full figures, without percentiles', async () => {
    const s = await computeStats(h.db, policy, query);
    const trend = await periodTrend(h.db, policy, query);
    const meanOnly = (d: typeof s.mtta) => ({ ...d, p50: null, p90: null });
    expect(trend).toEqual({ total: 4, mtta: meanOnly(s.mtta), mttr: meanOnly(s.mttr), mttm: meanOnly(s.mttm), mttd: meanOnly(s.mttd), sla: s.sla });
    expect(trend.mttr).toEqual({ count: 3, mean: 15600, p50: null, p90: null });
  });

  it('has clean period edges: from is inclusive, to is exclusive', async () => {
    const s = await computeStats(h.db, policy, { ...query, from: new Date('2026-10-31T23:59:59Z'), to: new Date('2026-11-01T10:00:00.001Z') });
    expect(s.total).toBe(2);
    const none = await computeStats(h.db, policy, { ...query, from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-08T00:00:00Z') });
    expect(none).toMatchObject({ total: 0, open: 0, mtta: { count: 0, mean: null, p50: null, p90: null }, sla: [] });
  });

  it('periods: rolling days, and the calendar quarter against the previous one', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    expect(periodOf('7d', now)).toMatchObject({ from: new Date('2026-11-19T12:00:00Z'), previous: { from: new Date('2026-11-12T12:00:00Z'), to: new Date('2026-11-19T12:00:00Z') } });
    expect(periodOf('quarter', now)).toMatchObject({ from: new Date('2026-10-01T00:00:00Z'), label: 'Q4 2026 so far', previous: { from: new Date('2026-07-01T00:00:00Z'), to: new Date('2026-10-01T00:00:00Z') } });
  });
});

describe('one-pass figures', () => {
  // Workspace T3, December: SLA targets met exactly at the limit, breached a millisecond after it,
  // corrected timestamps and incident types (P1: respond in 15 min, resolve in 4 h; P2: 30 min).
  const dec = { teamId: 'T3', from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-08T00:00:00Z'), now: new Date('2026-12-08T00:00:00Z') };
  beforeAll(async () => {
    await incident({ team: 'T3', declared: '2026-12-01T10:00:00Z', ack: '2026-12-01T10:15:00Z', resolved: '2026-12-01T14:00:00Z', priority: 'P1', type: 'outage', services: ['api'] });
    await incident({ team: 'T3', declared: '2026-12-02T10:00:00Z', ack: '2026-12-02T10:15:00.001Z', resolved: '2026-12-02T14:00:00.001Z', priority: 'P1', type: 'outage', services: ['api'] });
    // Open for 30 minutes at "now": past P1's response target, within its resolution target.
    await incident({ team: 'T3', declared: '2026-12-07T23:30:00Z', priority: 'P1', services: ['web'] });
    const corrected = await incident({ team: 'T3', declared: '2026-12-03T10:00:00Z', ack: '2026-12-03T10:40:00Z', resolved: '2026-12-03T11:00:00Z', priority: 'P2', type: 'degraded' });
    // Recorded late; corrected to the moment someone actually responded (within P2's 30 minutes).
    const { id } = await h.db.selectFrom('incidents').select('id').where('team_id', '=', 'T3').where('number', '=', corrected).executeTakeFirstOrThrow();
    await h.db.insertInto('incident_time_corrections').values({ incident_id: id, key: 'acknowledged', recorded: new Date('2026-12-03T10:40:00Z'), corrected: new Date('2026-12-03T10:30:00Z'), reason: 'paged earlier', actor_id: 'U1' }).execute();
  });

  it('counts SLA at the exact limit as met, past it as breached, with corrected times and types', async () => {
    const s = await computeStats(h.db, policy, dec);
    expect(s.sla).toEqual([
      { priority: 'P1', response: { met: 1, breached: 2, pct: 33.3 }, resolution: { met: 1, breached: 1, pct: 50 } },
      { priority: 'P2', response: { met: 1, breached: 0, pct: 100 }, resolution: { met: 1, breached: 0, pct: 100 } },
    ]);
    expect(s.mtta).toEqual({ count: 3, mean: 1200, p50: 900.001, p90: 1620 });
    expect(s.corrected).toEqual([{ number: s.corrected[0]?.number, keys: ['acknowledged'] }]);
    expect(s.byType).toEqual([
      { type: 'outage', count: 2, open: 0, mttrMean: 14400 },
      { type: 'degraded', count: 1, open: 0, mttrMean: 3600 },
      { type: 'none', count: 1, open: 1, mttrMean: null },
    ]);
    expect(s.byService).toEqual({ api: 2, web: 1 });
    expect(s).toMatchObject({ total: 4, open: 1 });
  });
});

describe('recurring issues', () => {
  it('flags the same service and category three times within 30 days', async () => {
    const r = await recurringIssues(h.db, policy, { teamId: 'T1', now: new Date('2026-11-08T00:00:00Z') });
    expect(r.map((x) => [x.service, x.category, x.count, x.numbers])).toEqual([['api', 'network', 4, [6, 1, 4, 7]]]);
    const later = await recurringIssues(h.db, policy, { teamId: 'T1', now: new Date('2026-12-02T00:00:00Z') });
    // By December 2 only two of them are inside the window.
    expect(later).toEqual([]);
  });
});
