import { describe, expect, it } from 'vitest';
import { INTEGRATION_EVENT_TYPES, integrationEventSchema } from '../../src/integrations/events.js';
import { eventTypesOf, integrationEventsOf, isMappedKind, type MappingContext } from '../../src/integrations/mapping.js';
import { SubscriberRegistry, type IntegrationSubscriber } from '../../src/integrations/registry.js';
import { isTimelineKind, timelinePayloadSchema, timelinePayloadSchemas } from '../../src/timeline/kinds.js';
import type { KnownTimelineEvent } from '../../src/timeline/timeline.js';
import { COMMANDER, incidentFixture, REPORTER } from '../support/fixtures.js';

const AT = new Date('2026-11-26T09:30:00Z');
const ctx = (fields: Parameters<typeof incidentFixture>[0] = {}): MappingContext => ({ incident: incidentFixture({ id: '7', number: 42, ...fields }), numberPrefix: 'INC' });

/** The events a row of this kind and payload becomes (row 100, by the commander), the payload checked as appending checks it. */
function eventsOf(kind: string, payload: Record<string, unknown>, c: MappingContext = ctx()) {
  if (!isTimelineKind(kind)) return [];
  const row = { id: '100', incidentId: c.incident.id, at: AT, actorId: COMMANDER, kind, payload: timelinePayloadSchema(kind).parse(payload) } as KnownTimelineEvent;
  return integrationEventsOf(row, c);
}

const MAPPED = Object.keys(timelinePayloadSchemas).filter(isMappedKind);

const action = { action_id: '5', title: 'Add a payment timeout alert' };

/** Every kind of timeline row that becomes events, as the services write it, and what it becomes. */
const CASES: [kind: string, payload: Record<string, unknown>, events: [type: string, id: string, data: Record<string, unknown>][]][] = [
  [
    'declared',
    { title: 'Checkout errors', severity: 'SEV2', kind: 'service', status: 'investigating', commander: COMMANDER, services: ['checkout'], description: 'Errors at checkout.' },
    [['incident.declared', '100:incident.declared', { title: 'Checkout errors', description: 'Errors at checkout.', severity: 'SEV2', kind: 'service', status: 'investigating', commander: COMMANDER, services: ['checkout'] }]],
  ],
  ['channel_created', { channel_id: 'C42', name: 'inc-42-checkout-errors' }, [['incident.channel_created', '100:incident.channel_created', { channelId: 'C42', name: 'inc-42-checkout-errors' }]]],
  [
    'triaged',
    { priority: 'P2', impact: 'significant', urgency: 'high', category: 'availability', services: ['checkout'], business_impact: 'Orders fail', first: true },
    [['incident.triaged', '100:incident.triaged', { priority: 'P2', impact: 'significant', urgency: 'high', category: 'availability', services: ['checkout'], businessImpact: 'Orders fail', first: true }]],
  ],
  ['priority_changed', { from: null, to: 'P2' }, [['incident.priority_changed', '100:incident.priority_changed', { from: null, to: 'P2' }]]],
  ['classified', { classification: 'security_event', reason: 'A scanner' }, [['incident.classified', '100:incident.classified', { classification: 'security_event', reason: 'A scanner' }]]],
  [
    'update',
    { status: 'identified', message: 'Rolling back', next_update_at: '2026-11-26T10:00:00.000Z', audiences: ['business', 'executive'] },
    [
      ['incident.updated', '100:incident.updated:technical', { audience: 'technical', status: 'identified', message: 'Rolling back', nextUpdateAt: '2026-11-26T10:00:00.000Z' }],
      ['incident.updated', '100:incident.updated:business', { audience: 'business', status: 'identified', message: 'Rolling back', nextUpdateAt: '2026-11-26T10:00:00.000Z' }],
      ['incident.updated', '100:incident.updated:executive', { audience: 'executive', status: 'identified', message: 'Rolling back', nextUpdateAt: '2026-11-26T10:00:00.000Z' }],
    ],
  ],
  ['note', { text: 'Payments vendor paged' }, [['incident.note_added', '100:incident.note_added', { text: 'Payments vendor paged' }]]],
  ['role_assigned', { role: 'comms', label: 'Comms lead', user: 'UCOMMS', previous: null }, [['incident.role_assigned', '100:incident.role_assigned', { role: 'comms', label: 'Comms lead', user: 'UCOMMS', previous: null }]]],
  ['resolved', { summary: 'Rolled back', audiences: ['business'] }, [['incident.resolved', '100:incident.resolved', { summary: 'Rolled back', audiences: ['business'] }]]],
  ['reopened', { reason: 'Errors are back', was_closed: false }, [['incident.reopened', '100:incident.reopened', { reason: 'Errors are back', wasClosed: false }]]],
  ['closed', {}, [['incident.closed', '100:incident.closed', {}]]],
  ['review_state_changed', { from: 'in_review', to: 'published' }, [['review.published', '100:review.published', {}]]],
  ['review_document', { version: 2, file_id: 'F1', permalink: 'https://slack.example/files/F1', state: 'published' }, [['review.document_posted', '100:review.document_posted', { version: 2, fileId: 'F1', permalink: 'https://slack.example/files/F1', state: 'published' }]]],
  ['action_added', { ...action, owner: 'UOWNER', due: '2026-12-10', priority: 'high' }, [['action.created', '100:action.created', { actionId: '5', ref: 'A-5', title: action.title, owner: 'UOWNER', due: '2026-12-10', priority: 'high' }]]],
  ['action_done', action, [['action.done', '100:action.done', { actionId: '5', ref: 'A-5', title: action.title }]]],
  ['action_reopened', action, [['action.reopened', '100:action.reopened', { actionId: '5', ref: 'A-5', title: action.title }]]],
  ['action_reassigned', { ...action, from: 'UOWNER', to: 'UOTHER' }, [['action.reassigned', '100:action.reassigned', { actionId: '5', ref: 'A-5', title: action.title, from: 'UOWNER', to: 'UOTHER' }]]],
  ['action_snoozed', { ...action, until: '2026-12-17' }, [['action.snoozed', '100:action.snoozed', { actionId: '5', ref: 'A-5', title: action.title, until: '2026-12-17' }]]],
  ['problem_linked', { problem_id: '3', created: true }, [['problem.linked', '100:problem.linked', { problemId: '3', ref: 'PRB-3', created: true }]]],
  ['cause_linked', { change_id: '12', ref: 'CHG-12', title: 'Payment config', previous: null }, [['change.linked', '100:change.linked', { changeId: '12', ref: 'CHG-12', title: 'Payment config', previous: null }]]],
  ['cause_cleared', { change_id: '12', ref: 'CHG-12' }, [['change.unlinked', '100:change.unlinked', { changeId: '12', ref: 'CHG-12' }]]],
];

describe('integration events from timeline rows', () => {
  it.each(CASES)('a %s row', (kind, payload, expected) => {
    const events = eventsOf(kind, payload);
    expect(events.map((e) => [e.type, e.id, e.data])).toEqual(expected);
    for (const e of events) {
      // The documented shape: what connectors read and what the outbox parses back.
      expect(integrationEventSchema.parse(JSON.parse(JSON.stringify(e)))).toEqual(e);
      expect(e).toMatchObject({ version: 1, timelineEventId: '100', occurredAt: AT.toISOString(), actor: COMMANDER });
    }
  });

  it('covers every kind that maps, and every event type comes from some kind', () => {
    expect(CASES.map(([k]) => k).sort()).toEqual([...MAPPED].sort());
    const produced = new Set(MAPPED.flatMap((k) => eventTypesOf(k)));
    expect([...produced].sort()).toEqual([...INTEGRATION_EVENT_TYPES].sort());
  });

  it('carries the incident as it was: reference, priority, status, links', () => {
    const c = ctx({ priority: 'P2', status: 'identified', channelId: 'C42', services: ['checkout'], resolvedAt: null });
    const [event] = eventsOf('note', { text: 'x' }, { ...c, baseUrl: 'https://io.example/' });
    expect(event.incident).toEqual({
      id: '7',
      ref: 'INC-42',
      number: 42,
      teamId: 'T1',
      title: 'Checkout errors',
      description: '',
      kind: 'service',
      private: false,
      drill: false,
      severity: 'SEV3',
      priority: 'P2',
      status: 'identified',
      category: null,
      services: ['checkout'],
      commander: COMMANDER,
      reporter: REPORTER,
      channelId: 'C42',
      declaredAt: '2026-11-26T09:00:00.000Z',
      resolvedAt: null,
      closedAt: null,
      url: 'https://io.example/dashboard/incidents/7',
      type: null,
      fields: {},
    });
  });

  it('carries the type and field values, but no private incident’s field values', () => {
    const typed = { type: 'Service outage', fields: { customer_impact: 1200, affected_regions: ['eu-west'] } };
    const [event] = eventsOf('note', { text: 'x' }, ctx(typed));
    expect(event.incident).toMatchObject(typed);
    const [secret] = eventsOf('note', { text: 'x' }, ctx({ kind: 'security', type: 'Security breach', fields: { data_classification: 'restricted' } }));
    expect(secret.incident.type).toBe('Security breach');
    expect(secret.incident).not.toHaveProperty('fields');
  });

  it('flags private (security) incidents and drills on every event', () => {
    for (const [kind, payload] of CASES) {
      for (const e of eventsOf(kind, payload, ctx({ kind: 'security' }))) expect(e.incident).toMatchObject({ private: true, kind: 'security', drill: false });
      for (const e of eventsOf(kind, payload, ctx({ isDrill: true }))) expect(e.incident).toMatchObject({ private: false, drill: true });
    }
    expect(eventsOf('declared', CASES[0][1], ctx({ kind: 'security' }))[0].data).toMatchObject({ kind: 'security' });
  });

  it('an update from before audiences existed goes to the channel only', () => {
    const events = eventsOf('update', { status: 'investigating', message: 'Looking', next_update_at: null });
    expect(events.map((e) => e.id)).toEqual(['100:incident.updated:technical']);
  });

  it('a review moving to draft or in review is not published', () => {
    expect(eventsOf('review_state_changed', { from: 'draft', to: 'in_review' })).toEqual([]);
    expect(eventsOf('review_state_changed', { from: 'in_review', to: 'draft' })).toEqual([]);
  });

  it('internal rows become nothing', () => {
    for (const kind of ['status_changed', 'paged', 'checklist_ticked', 'message_captured', 'sla_breached', 'review_saved', 'no_such_kind']) {
      expect(isMappedKind(kind)).toBe(false);
      expect(eventTypesOf(kind)).toEqual([]);
    }
    expect(eventsOf('status_changed', { from: 'investigating', to: 'identified' })).toEqual([]);
    expect(eventsOf('message_withdrawn', { ts: '1.2' })).toEqual([]);
  });

  it('the same row gives the same events, ids included (the idempotency key is stable)', () => {
    const [kind, payload] = CASES[5];
    expect(eventsOf(kind, payload)).toEqual(eventsOf(kind, payload));
  });
});

describe('the subscriber registry', () => {
  const handle = async () => {};

  it('with no subscribers wants nothing', () => {
    const none = new SubscriberRegistry();
    for (const kind of MAPPED) expect(none.wantsKind(kind)).toBe(false);
  });

  it('wants the kinds whose events someone subscribed to', () => {
    // A subscriber typed by its events: its handler sees only their data.
    const tickets: IntegrationSubscriber<'incident.resolved' | 'action.created'> = {
      name: 'tickets',
      events: ['incident.resolved', 'action.created'],
      async handle(event) {
        if (event.type === 'incident.resolved') expect(typeof event.data.summary).toBe('string');
        else expect(typeof event.data.due).toBe('string');
      },
    };
    const r = new SubscriberRegistry([tickets]);
    expect(MAPPED.filter((k) => r.wantsKind(k)).sort()).toEqual(['action_added', 'resolved']);
  });

  it('sends private incidents and drills only to subscribers that ask for them', () => {
    const r = new SubscriberRegistry([
      { name: 'status-page', events: ['incident.closed'], handle },
      { name: 'itsm', events: ['incident.closed'], include: { private: true }, handle },
      { name: 'drills', events: ['incident.closed'], include: { drills: true }, handle },
    ]);
    const to = (c: MappingContext) => r.subscribersOf(eventsOf('closed', {}, c)[0]).map((s) => s.name);
    expect(to(ctx())).toEqual(['status-page', 'itsm', 'drills']);
    expect(to(ctx({ kind: 'security' }))).toEqual(['itsm']);
    expect(to(ctx({ isDrill: true }))).toEqual(['drills']);
  });

  it('refuses a duplicate name, a bad name, no events or an unknown event type', () => {
    expect(() => new SubscriberRegistry([{ name: 'a', events: ['incident.closed'], handle }, { name: 'a', events: ['incident.closed'], handle }])).toThrow(/twice/);
    expect(() => new SubscriberRegistry([{ name: 'Bad Name', events: ['incident.closed'], handle }])).toThrow(/lowercase/);
    expect(() => new SubscriberRegistry([{ name: 'a', events: [], handle }])).toThrow(/no events/);
    expect(() => new SubscriberRegistry([{ name: 'a', events: ['incident.exploded' as 'incident.closed'], handle }])).toThrow(/unknown event types incident.exploded/);
  });
});
