import { describe, expect, it } from 'vitest';
import { canonicalServices, contractMinutes, dependentsOf, ownersToPage, searchServices, vendorsOf } from '../../src/catalog/catalog.js';
import { needsCab, parseChangeRef, riskFor } from '../../src/changes/change.js';
import { scorecard } from '../../src/drills/scorecard.js';
import { findPlaybook, matchingPlaybooks } from '../../src/playbooks/matching.js';
import { policySchema } from '../../src/policy/schema.js';

const items = [{ text: 'Check the dashboards' }];
const policy = policySchema.parse({
  services: [
    { name: 'checkout-api', description: 'Takes payments', owner: 'payments-team', tier: 1, depends_on: ['postgres'], vendors: ['Stripe'] },
    { name: 'postgres', owner: 'dba', tier: 1, invite_owner_for: ['P1'] },
    { name: 'search', description: 'Product search for checkout pages', owner: 'payments-team', tier: 3 },
    { name: 'checkout-web', owner: 'web', depends_on: ['checkout-api'] },
  ],
  vendors: [
    { name: 'Stripe', response_minutes: 60, response_minutes_by_priority: { P1: 15 } },
    { name: 'AWS', response_minutes: 30 },
  ],
  playbooks: [
    { name: 'database-outage', title: 'Database outage', when: { categories: ['database'] }, items },
    { name: 'payments', title: 'Payments down', when: { services: ['checkout-api'], kinds: ['service'] }, items },
    { name: 'breach', title: 'Data breach', when: { kinds: ['security'] }, items },
    { name: 'by-hand', title: 'Comms checklist', items },
  ],
  changes: { approvers: ['UCAB'], cab_channel: 'CCAB', cab_threshold: 'medium' },
});

describe('playbooks', () => {
  it('are posted when every criterion of `when` matches, services case-insensitively; never without `when`', () => {
    const names = (i: { category: string | null; services: string[]; kind: 'service' | 'security' }) => matchingPlaybooks(policy, { type: null, ...i }).map((p) => p.name);
    expect(names({ category: 'database', services: [], kind: 'service' })).toEqual(['database-outage']);
    expect(names({ category: null, services: ['Checkout-API'], kind: 'service' })).toEqual(['payments']);
    expect(names({ category: null, services: ['checkout-api'], kind: 'security' })).toEqual(['breach']);
    expect(names({ category: 'network', services: ['search'], kind: 'service' })).toEqual([]);
  });

  it('are found by name, title or a unique prefix', () => {
    expect(findPlaybook(policy, ' Database-Outage ')?.name).toBe('database-outage');
    expect(findPlaybook(policy, 'comms checklist')?.name).toBe('by-hand');
    expect(findPlaybook(policy, 'pay')?.name).toBe('payments');
    expect(findPlaybook(policy, 'b')).toBeUndefined(); // breach or by-hand
    expect(findPlaybook(policy, '')).toBeUndefined();
  });
});

describe('the service catalog', () => {
  it('pages each owner team once, at the priorities its services ask for', () => {
    const incident = { priority: 'P2', severity: 'SEV3', services: ['checkout-api', 'postgres', 'search', 'unknown'] };
    expect(ownersToPage(policy, incident)).toEqual([{ usergroup: 'payments-team', services: ['checkout-api', 'search'] }]);
    expect(ownersToPage(policy, { ...incident, priority: 'P1' })).toEqual([
      { usergroup: 'payments-team', services: ['checkout-api', 'search'] },
      { usergroup: 'dba', services: ['postgres'] },
    ]);
    expect(ownersToPage(policy, { ...incident, priority: null, severity: 'SEV3' })).toEqual([]);
  });

  it('spells names as the catalog does and keeps unknown ones once', () => {
    expect(canonicalServices(policy, [' CHECKOUT-API', 'checkout-api', 'legacy', '', 'legacy'])).toEqual(['checkout-api', 'legacy']);
  });

  it('ranks search results: exact name, prefix, substring, then description or owner', () => {
    expect(searchServices(policy, 'checkout').map((s) => s.name)).toEqual(['checkout-api', 'checkout-web', 'search']);
    expect(searchServices(policy, 'dba').map((s) => s.name)).toEqual(['postgres']);
    expect(searchServices(policy, 'postgres', 1).map((s) => s.name)).toEqual(['postgres']);
  });

  it('knows dependents, the vendors behind services and their contractual times per priority', () => {
    expect(dependentsOf(policy, 'Checkout-API').map((s) => s.name)).toEqual(['checkout-web']);
    const [stripe] = vendorsOf(policy, ['checkout-api', 'postgres']);
    expect(vendorsOf(policy, ['checkout-api']).map((v) => v.name)).toEqual(['Stripe']);
    expect([contractMinutes(stripe, 'P1'), contractMinutes(stripe, 'P3')]).toEqual([15, 60]);
  });
});

describe('change risk', () => {
  it('comes from the impact × likelihood matrix, and needs the CAB at or above the threshold', () => {
    expect(riskFor(policy, 'high', 'high')).toBe('critical');
    expect(riskFor(policy, 'low', 'medium')).toBe('low');
    expect(needsCab(policy, riskFor(policy, 'medium', 'medium'))).toBe(true);
    expect(needsCab(policy, 'low')).toBe(false);
    expect(needsCab(policySchema.parse({}), 'critical')).toBe(false); // nobody to approve
  });

  it('reads change references in the forms people type them', () => {
    expect(['CHG-12', 'chg12', ' 012 ', 'CHG-x', 'CHG-12a'].map(parseChangeRef)).toEqual(['12', '12', '12', undefined, undefined]);
  });
});

describe('the drill scorecard', () => {
  it('compares each milestone with the scenario’s expectation', () => {
    const scenario = policySchema.parse({ drills: { scenarios: [{ name: 'db', title: 'DB down', injects: [{ at_minutes: 5, text: 'x' }, { at_minutes: 10, text: 'y' }], expected: { commander_named: 5, triaged: 10, resolved: 60 } }] } }).drills.scenarios[0];
    const start = new Date('2026-11-26T09:00:00Z');
    const after = (m: number) => new Date(start.getTime() + m * 60_000);
    const card = scorecard(scenario, start, { commander_named: after(4.96), triaged: after(12), first_update: after(20), resolved: null }, 1);
    expect(card.rows.map((r) => [r.milestone, r.actualMinutes, r.outcome])).toEqual([
      ['commander_named', 5, 'met'],
      ['triaged', 12, 'late'],
      ['first_update', 20, 'untimed'],
      ['resolved', null, 'missed'],
    ]);
    expect(card).toMatchObject({ met: 1, timed: 3, injectsSent: 1, injectsPlanned: 2 });
  });
});
