import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/incidents/errors.js';
import { startDomain, type Domain } from '../support/domain.js';
import { FIELDS_POLICY } from '../support/fields-policy.js';

describe('an incident’s type and field values', () => {
  let d: Domain;
  beforeAll(async () => {
    d = await startDomain({ policy: { ...FIELDS_POLICY, reviews: { required_priorities: [] } } });
  });
  afterAll(() => d?.stop());

  const declare = (over: Record<string, unknown> = {}) =>
    d.incidents.declare({ teamId: 'T1', title: 'Keys leaked', description: '', severity: 'SEV1', kind: 'security', services: [], commanderId: 'UCAROL', reporterId: 'UCAROL', type: 'Security breach', ...over });

  it('refuses a declaration without a declare-stage field, naming it; keeps only the type’s fields', async () => {
    const err = await declare().catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.fields).toEqual({ 'fields.data_classification': 'Data classification is required before declaring.' });
    const bad = await declare({ fields: { data_classification: 'top-secret' } }).catch((e) => e);
    expect(bad.fields['fields.data_classification']).toMatch(/choose from public, internal/);
    const unknownType = await declare({ type: 'Earthquake' }).catch((e) => e);
    expect(unknownType.fields.type).toBe('Unknown incident type Earthquake.');

    const { incident } = await declare({ fields: { data_classification: 'restricted', customer_impact: 5 } });
    expect(incident.type).toBe('Security breach');
    expect(incident.fields).toEqual({ data_classification: 'restricted' });
  });

  it('records each change as a timeline row and keeps values of fields the type no longer has', async () => {
    const { incident } = await declare({ fields: { data_classification: 'internal' } });
    await d.fields.edit({ incidentId: incident.id, actorId: 'UCAROL', values: { regulator_notified: 'no', data_classification: 'confidential' } });
    const moved = await d.fields.edit({ incidentId: incident.id, actorId: 'UDAN', type: 'Service outage', values: { customer_impact: 120, affected_regions: ['eu-west'] } });
    expect(moved.incident.type).toBe('Service outage');
    expect(moved.incident.fields).toEqual({ data_classification: 'confidential', regulator_notified: 'no', customer_impact: 120, affected_regions: ['eu-west'] });
    const again = await d.fields.edit({ incidentId: incident.id, actorId: 'UDAN', values: { customer_impact: 120, affected_regions: ['eu-west'] } });
    expect(again.changed).toBe(0);
    const rows = (await d.incidents.timeline(incident.id)).filter((e) => e.kind === 'field_changed' || e.kind === 'type_changed').map((e) => [e.kind, e.actorId, e.payload]);
    expect(rows).toEqual([
      ['field_changed', 'UCAROL', { key: 'data_classification', label: 'Data classification', field_type: 'select', from: 'internal', to: 'confidential' }],
      ['field_changed', 'UCAROL', { key: 'regulator_notified', label: 'Regulator notified', field_type: 'select', from: null, to: 'no' }],
      ['type_changed', 'UDAN', { from: 'Security breach', to: 'Service outage' }],
      ['field_changed', 'UDAN', { key: 'customer_impact', label: 'Customers affected', field_type: 'number', from: null, to: 120 }],
      ['field_changed', 'UDAN', { key: 'affected_regions', label: 'Regions', field_type: 'multi_select', from: null, to: ['eu-west'] }],
    ]);
    const bad = await d.fields.edit({ incidentId: incident.id, actorId: 'UDAN', values: { customer_impact: Number.NaN } }).catch((e) => e);
    expect(bad.fields).toEqual({ 'fields.customer_impact': 'Customers affected must be a number.' });
  });

  it('refuses resolving and closing while a field required by then is empty, naming it', async () => {
    const { incident } = await d.incidents.declare({ teamId: 'T1', title: 'EU down', description: '', severity: 'SEV2', kind: 'service', services: [], commanderId: null, reporterId: 'UCAROL', type: 'Service outage' });
    const refused = await d.incidents.resolve({ incidentId: incident.id, actorId: 'UCAROL', summary: 'Rolled back' }).catch((e) => e);
    expect(refused.message).toBe('Fill in Customers affected before resolving (`/incident fields`).');
    expect(refused.fields).toEqual({ 'fields.customer_impact': 'Customers affected is required before resolving.' });
    await d.fields.edit({ incidentId: incident.id, actorId: 'UCAROL', values: { customer_impact: 0 } });
    await d.incidents.resolve({ incidentId: incident.id, actorId: 'UCAROL', summary: 'Rolled back' });
    await d.incidents.close({ incidentId: incident.id, actorId: 'UCAROL' });

    const breach = (await declare({ fields: { data_classification: 'internal' } })).incident;
    await d.incidents.resolve({ incidentId: breach.id, actorId: 'UCAROL', summary: 'Keys rotated' });
    const notYet = await d.incidents.close({ incidentId: breach.id, actorId: 'UCAROL' }).catch((e) => e);
    expect(notYet.message).toBe('Fill in Regulator notified before closing (`/incident fields`).');
    await d.fields.edit({ incidentId: breach.id, actorId: 'UCAROL', values: { regulator_notified: 'not required' } });
    await d.incidents.close({ incidentId: breach.id, actorId: 'UCAROL' });
  });
});
