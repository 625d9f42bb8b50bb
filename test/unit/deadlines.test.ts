import { describe, expect, it } from 'vitest';
import { dueAlerts, nextUpdateDue, slaTargets, type ClockState } from '../../src/clocks/deadlines.js';
import type { Incident } from '../../src/incidents/incident.js';
import { defaultPolicy } from '../../src/policy/schema.js';
import type { VendorEngagement } from '../../src/vendors/service.js';
import { COMMANDER, incidentFixture } from '../support/fixtures.js';

// Default policy: P1 updates every 30 min, responds in 15 and resolves in 240; P4 has no update cadence.
const policy = defaultPolicy();
const T0 = new Date('2026-11-26T09:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const p1 = (fields: Partial<Incident> = {}) => incidentFixture({ severity: 'SEV1', declaredAt: T0, ...fields });
const state = (incident: Incident, extra: Partial<ClockState> = {}): ClockState => ({ incident, roles: [], vendors: [], ...extra });
const keys = (s: ClockState, minutes: number) => dueAlerts(policy, s, at(minutes)).map((a) => a.key);

describe('SLA targets', () => {
  it('come from the effective priority: the triaged one, else the severity’s', () => {
    expect(slaTargets(policy, p1())).toEqual([
      { clock: 'response', priority: 'P1', minutes: 15, dueAt: at(15), metAt: null },
      { clock: 'resolution', priority: 'P1', minutes: 240, dueAt: at(240), metAt: null },
    ]);
    const triaged = slaTargets(policy, p1({ priority: 'P3', acknowledgedAt: at(3) }));
    expect(triaged.map((t) => [t.clock, t.priority, t.dueAt.toISOString(), t.metAt])).toEqual([
      ['response', 'P3', at(240).toISOString(), at(3)],
      ['resolution', 'P3', at(2880).toISOString(), null],
    ]);
  });
});

describe('the next status update', () => {
  it('is due at the promised time when one was given', () => {
    expect(nextUpdateDue(policy, p1({ nextUpdateAt: at(12) }))).toEqual({ dueAt: at(12), everyMinutes: 30 });
  });

  it('otherwise follows the priority’s cadence after the last update, or the declaration', () => {
    expect(nextUpdateDue(policy, p1())).toEqual({ dueAt: at(30), everyMinutes: 30 });
    expect(nextUpdateDue(policy, p1({ lastUpdateAt: at(20) }))).toEqual({ dueAt: at(50), everyMinutes: 30 });
  });

  it('is never due for a priority without a cadence', () => {
    expect(nextUpdateDue(policy, p1({ priority: 'P4' }))).toBeUndefined();
  });
});

describe('due alerts', () => {
  it('nag about a missing commander once per interval, with the interval in the key', () => {
    const s = state(p1({ commanderId: null, id: '7' }));
    expect(keys(s, 9).filter((k) => k.startsWith('no_commander'))).toEqual([]);
    expect(keys(s, 10).filter((k) => k.startsWith('no_commander'))).toEqual(['no_commander:7:1']);
    expect(keys(s, 19).filter((k) => k.startsWith('no_commander'))).toEqual(['no_commander:7:1']);
    expect(keys(s, 20).filter((k) => k.startsWith('no_commander'))).toEqual(['no_commander:7:2']);
  });

  it('tell the communications lead (else the commander) once per cadence interval while an update is overdue', () => {
    const incident = p1({ id: '7', priority: 'P3', acknowledgedAt: at(1) });
    const overdue = (s: ClockState, minutes: number) => dueAlerts(policy, s, at(minutes)).filter((a) => a.kind === 'update_overdue');
    expect(overdue(state(incident), 239)).toEqual([]);
    expect(overdue(state(incident), 240)).toEqual([{ key: `update_overdue:7:${at(240).getTime()}:0`, kind: 'update_overdue', dueAt: at(240).toISOString(), everyMinutes: 240, notify: COMMANDER }]);
    const withComms = state(incident, { roles: [{ role: 'communications', userId: 'UCOMMS', assignedBy: COMMANDER, assignedAt: T0 }] });
    expect(overdue(withComms, 480 + 239)[0]).toMatchObject({ key: `update_overdue:7:${at(240).getTime()}:1`, notify: 'UCOMMS' });
  });

  it('warn at 75 % of an SLA target and breach at 100 %, each with a stable key, until it is met', () => {
    const incident = p1({ id: '7', nextUpdateAt: at(10_000) });
    const sla = (s: ClockState, minutes: number) => dueAlerts(policy, s, at(minutes)).filter((a) => a.kind.startsWith('sla_')).map((a) => a.key);
    expect(sla(state(incident), 11)).toEqual([]);
    expect(sla(state(incident), 11.25)).toEqual(['sla_warning:response:7:P1']);
    expect(sla(state(incident), 15)).toEqual(['sla_breach:response:7:P1']);
    expect(sla(state(incident), 180)).toEqual(['sla_breach:response:7:P1', 'sla_warning:resolution:7:P1']);
    expect(sla(state({ ...incident, acknowledgedAt: at(16) }), 240)).toEqual(['sla_breach:resolution:7:P1']);
  });

  it('nag about a vendor past its contractual response time, once per response time', () => {
    const vendor: VendorEngagement = { id: '3', incidentId: '7', vendor: 'Stripe', ticketRef: 'T-1', contact: null, responseMinutes: 60, engagedAt: at(0), engagedBy: COMMANDER, respondedAt: null };
    const nags = (v: VendorEngagement, minutes: number) => dueAlerts(policy, state(p1({ priority: 'P4', acknowledgedAt: at(1) }), { vendors: [v] }), at(minutes)).filter((a) => a.kind === 'vendor_overdue');
    expect(nags(vendor, 59)).toEqual([]);
    expect(nags(vendor, 60)).toEqual([{ key: 'vendor_overdue:3:0', kind: 'vendor_overdue', engagementId: '3', vendor: 'Stripe', ticketRef: 'T-1', responseMinutes: 60 }]);
    expect(nags(vendor, 125).map((a) => a.key)).toEqual(['vendor_overdue:3:1']);
    expect(nags({ ...vendor, respondedAt: at(30) }, 125)).toEqual([]);
  });

  it('stop for resolved and closed incidents and for security events', () => {
    const late = 10_000;
    const base = p1({ commanderId: null });
    expect(dueAlerts(policy, state(base), at(late)).length).toBeGreaterThan(0);
    expect(dueAlerts(policy, state({ ...base, resolvedAt: at(5) }), at(late))).toEqual([]);
    expect(dueAlerts(policy, state({ ...base, closedAt: at(5) }), at(late))).toEqual([]);
    expect(dueAlerts(policy, state({ ...base, classification: 'security_event' }), at(late))).toEqual([]);
  });
});
