import type { Incident } from '../../src/incidents/incident.js';

/** Plain values for tests of pure functions (no database). */

export const REPORTER = 'UREPORTER';
export const COMMANDER = 'UCOMMANDER';

/** An incident as a plain value, for pure functions: just declared (SEV3) at 2026-11-26 09:00 UTC. */
export function incidentFixture(fields: Partial<Incident> = {}): Incident {
  return {
    type: null,
    fields: {},
    id: '1',
    teamId: 'T1',
    number: 1,
    title: 'Checkout errors',
    description: '',
    severity: 'SEV3',
    kind: 'service',
    status: 'investigating',
    services: [],
    commanderId: COMMANDER,
    reporterId: REPORTER,
    resolutionSummary: null,
    nextUpdateAt: null,
    declaredAt: new Date('2026-11-26T09:00:00Z'),
    detectedAt: fields.declaredAt ?? new Date('2026-11-26T09:00:00Z'),
    acknowledgedAt: null,
    mitigatedAt: null,
    resolvedAt: null,
    closedAt: null,
    channelId: null,
    channelName: null,
    cardTs: null,
    announceChannelId: null,
    announceTs: null,
    bookmarkId: null,
    provisionedAt: null,
    priority: null,
    category: null,
    impact: null,
    urgency: null,
    businessImpact: null,
    classification: 'incident',
    classificationReason: null,
    bridgeUrl: null,
    lastUpdateAt: null,
    isDrill: false,
    causedByChangeId: null,
    drPlan: null,
    drActivatedAt: null,
    ...fields,
  };
}
