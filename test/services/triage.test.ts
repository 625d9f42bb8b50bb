import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPACTS, URGENCIES } from '../../src/triage/priority.js';
import type { TriageInput } from '../../src/triage/service.js';
import { PagingTask } from '../../src/paging/service.js';
import { queuedTasks, startDomain, type Domain } from '../support/domain.js';
import { buildIncident, buildTriagedIncident, COMMANDER } from '../support/factories.js';

/** A policy with its own matrix, so the test proves the matrix is read from the policy. */
const matrix = {
  extensive: { critical: 'P1', high: 'P1', medium: 'P1', low: 'P2' },
  significant: { critical: 'P1', high: 'P2', medium: 'P2', low: 'P3' },
  moderate: { critical: 'P2', high: 'P3', medium: 'P3', low: 'P4' },
  minor: { critical: 'P3', high: 'P4', medium: 'P4', low: 'P4' },
};

let d: Domain;
beforeAll(async () => {
  d = await startDomain({ policy: { matrix, paging: { escalation: [{ users: ['UONCALL'] }] } } });
});
afterAll(() => d?.stop());

const kinds = async (incidentId: string) => (await d.incidents.timeline(incidentId)).map((e) => e.kind);

describe('triage', () => {
  it('sets the priority from every cell of the policy matrix', async () => {
    const incident = await buildIncident(d);
    const seen: Record<string, Record<string, string>> = {};
    for (const impact of IMPACTS) {
      for (const urgency of URGENCIES) {
        const { priority } = await d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: 'network', impact, urgency, severity: 'SEV3', services: [], businessImpact: '', classification: 'incident' });
        (seen[impact] ??= {})[urgency] = priority;
        const stored = await d.db.selectFrom('incidents').select(['priority', 'impact', 'urgency']).where('id', '=', incident.id).executeTakeFirstOrThrow();
        expect(stored).toEqual({ priority, impact, urgency });
      }
    }
    expect(seen).toEqual(matrix);
  });

  it('acknowledges the incident at the first triage only (MTTA)', async () => {
    const first = d.clock.now();
    const incident = await buildTriagedIncident(d);
    expect(incident.acknowledgedAt).toEqual(first);
    d.clock.advanceMinutes(30);
    const { incident: again } = await d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: 'database', impact: 'minor', urgency: 'low', severity: 'SEV4', services: [' db ', ''], businessImpact: ' none ', classification: 'incident' });
    expect(again).toMatchObject({ acknowledgedAt: first, category: 'database', severity: 'SEV4', services: ['db'], businessImpact: 'none', priority: 'P4' });
    const triaged = (await d.incidents.timeline(incident.id)).filter((e) => e.kind === 'triaged').map((e) => e.payload.first);
    expect(triaged).toEqual([true, false]);
  });

  it('records priority and severity changes only when they change', async () => {
    const incident = await buildTriagedIncident(d, { severity: 'SEV3', triage: { impact: 'moderate', urgency: 'high' } });
    expect(await kinds(incident.id)).toEqual(['declared', 'priority_changed', 'triaged']);
    await d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: 'network', impact: 'moderate', urgency: 'high', severity: 'SEV3', services: [], businessImpact: '', classification: 'incident' });
    await d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: 'network', impact: 'moderate', urgency: 'high', severity: 'SEV1', services: [], businessImpact: '', classification: 'incident' });
    expect((await kinds(incident.id)).slice(3)).toEqual(['triaged', 'severity_changed', 'triaged']);
    const change = (await d.incidents.timeline(incident.id)).find((e) => e.kind === 'severity_changed');
    expect(change?.payload).toEqual({ from: 'SEV3', to: 'SEV1' });
  });

  it('raising the priority to a paging one pages the escalation path once', async () => {
    const incident = await buildIncident(d, { severity: 'SEV4' });
    expect(await d.db.selectFrom('pages').select('id').where('incident_id', '=', incident.id).execute()).toHaveLength(0);
    const raise = () => d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: 'network', impact: 'extensive', urgency: 'critical', severity: 'SEV4', services: [], businessImpact: '', classification: 'incident' });
    await raise();
    await d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: 'network', impact: 'minor', urgency: 'low', severity: 'SEV4', services: [], businessImpact: '', classification: 'incident' });
    await raise();
    const pages = await d.db.selectFrom('pages').select(['id', 'status', 'source_key']).where('incident_id', '=', incident.id).execute();
    expect(pages).toEqual([{ id: expect.any(String), status: 'open', source_key: `incident:${incident.id}` }]);
    const targets = await d.db.selectFrom('page_targets').select(['id', 'user_id']).where('page_id', '=', pages[0].id).execute();
    expect(targets.map((t) => t.user_id)).toEqual(['UONCALL']);
    const dms = (await queuedTasks(d, PagingTask.notify)).filter((t) => t.payload.targetId === targets[0].id);
    expect(dms).toHaveLength(1);
  });

  it('a security event is recorded with its reason, resolved and closed', async () => {
    const incident = await buildIncident(d, { kind: 'security' });
    d.clock.advanceMinutes(5);
    const { incident: classified, event } = await d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: 'security', impact: 'minor', urgency: 'low', severity: 'SEV4', services: [], businessImpact: '', classification: 'security_event', reason: ' Pen test ' });
    expect(classified).toMatchObject({ classification: 'security_event', classificationReason: 'Pen test', status: 'resolved', resolutionSummary: 'Security event, no incident: Pen test', resolvedAt: d.clock.now(), closedAt: d.clock.now() });
    expect(event).toMatchObject({ kind: 'classified', payload: { classification: 'security_event', reason: 'Pen test' } });
    await expect(d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: 'security', impact: 'minor', urgency: 'low', severity: 'SEV4', services: [], businessImpact: '', classification: 'incident' })).rejects.toMatchObject({
      code: 'invalid_state',
      message: 'This incident is closed.',
    });
  });

  it('refuses an unknown category or severity, and a security event without a reason', async () => {
    const incident = await buildIncident(d);
    const base: TriageInput = { incidentId: incident.id, actorId: COMMANDER, category: 'network', impact: 'minor', urgency: 'low', severity: 'SEV3', services: [], businessImpact: '', classification: 'incident' };
    await expect(d.triage.triage({ ...base, category: 'weather' })).rejects.toMatchObject({ code: 'invalid_input', message: 'Unknown category weather.' });
    await expect(d.triage.triage({ ...base, severity: 'SEV0' })).rejects.toMatchObject({ code: 'invalid_input', message: 'Unknown severity SEV0.' });
    await expect(d.triage.triage({ ...base, classification: 'security_event', reason: ' ' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await kinds(incident.id)).toEqual(['declared']);
  });
});
