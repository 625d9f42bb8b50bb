import { describe, expect, it } from 'vitest';
import type { IncidentSnapshot } from '../../src/integrations/events.js';
import { itsmSchema } from '../../src/policy/itsm-schema.js';
import { everySeconds } from '../../src/servicenow/inbound.js';
import { creationFields, routingFor, updateFields } from '../../src/servicenow/outbound.js';

const GROUP = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const CI = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const DEFAULT_GROUP = 'cccccccccccccccccccccccccccccccc';
const policy = (extra: Record<string, unknown> = {}) => itsmSchema.parse({ servicenow: { instance_url: 'https://acme.service-now.com', ...extra } }).servicenow!;

const incident = (over: Partial<IncidentSnapshot> = {}): IncidentSnapshot => ({
  id: '1', ref: 'INC-7', number: 7, teamId: 'T1', title: 'Checkout errors', description: 'Card payments fail', kind: 'service', private: false, drill: false,
  severity: 'SEV2', priority: null, status: 'investigating', category: null, services: [], commander: 'UBEN', reporter: 'UANA', channelId: 'C1',
  declaredAt: '2026-11-30T09:00:00.000Z', resolvedAt: null, closedAt: null, url: null, ...over,
});
const envelope = { id: 'e1', version: 1 as const, occurredAt: '2026-11-30T09:00:00.000Z', timelineEventId: '1', actor: 'UBEN' };

describe('ServiceNow outbound fields', () => {
  it('routes by the first mapped catalog service, over the defaults', () => {
    const p = policy({ defaults: { assignment_group: DEFAULT_GROUP, category: 'software' }, services: { checkout: { assignment_group: GROUP, cmdb_ci: CI } } });
    expect(routingFor(p, ['search', 'checkout'])).toEqual({ assignment_group: GROUP, cmdb_ci: CI, category: 'software' });
    expect(routingFor(p, ['search'])).toEqual({ assignment_group: DEFAULT_GROUP, category: 'software' });
  });

  it('creates with the reference as correlation_id, and impact and urgency once triaged (an override wins)', () => {
    expect(creationFields(incident(), policy())).toEqual({ short_description: 'INC-7: Checkout errors', description: 'Card payments fail', correlation_id: 'INC-7', correlation_display: 'Incident Officer' });
    expect(creationFields(incident({ priority: 'P1' }), policy())).toMatchObject({ impact: '1', urgency: '1' });
    expect(creationFields(incident({ priority: 'P1' }), policy({ priorities: { P1: { impact: 1, urgency: 2 } } }))).toMatchObject({ impact: '1', urgency: '2' });
  });

  it('keeps a security incident to its title unless the policy allows more', () => {
    const secret = incident({ kind: 'security', private: true, title: 'Leaked key', description: 'AKIA… in a public repo' });
    expect(creationFields(secret, policy())).toMatchObject({ short_description: 'INC-7: Leaked key', description: 'Details of security incident INC-7 are kept in Incident Officer.' });
    expect(creationFields(secret, policy({ security: { title: false } })).short_description).toBe('INC-7: Security incident INC-7');
    const note = { ...envelope, incident: secret, type: 'incident.note_added' as const, data: { text: 'Rotated the key' } };
    expect(updateFields(note, policy(), null)).toEqual({});
    expect(updateFields(note, policy({ security: { notes: true } }), null)).toEqual({ work_notes: 'Rotated the key' });
  });

  it('sends each audience to its journal field, or nowhere', () => {
    const update = (audience: 'technical' | 'business' | 'executive') => ({ ...envelope, incident: incident(), type: 'incident.updated' as const, data: { audience, status: 'identified', message: 'Rolling back', nextUpdateAt: null } });
    expect(updateFields(update('technical'), policy(), null)).toEqual({ work_notes: 'Update (identified): Rolling back' });
    expect(updateFields(update('business'), policy(), null)).toEqual({ comments: 'Update (identified): Rolling back' });
    expect(updateFields(update('executive'), policy(), null)).toEqual({});
    expect(updateFields(update('business'), policy({ audiences: { business: 'work_notes' } }), null)).toEqual({ work_notes: 'Update (identified): Rolling back' });
  });

  it('resolves with the configured close code; closing keeps a resolution made before', () => {
    const resolved = { ...envelope, incident: incident(), type: 'incident.resolved' as const, data: { summary: 'Rolled back', audiences: [] } };
    expect(updateFields(resolved, policy({ close_code: 'Workaround provided' }), { state: '2' })).toEqual({ state: '6', close_code: 'Workaround provided', close_notes: 'Rolled back' });
    const closed = { ...envelope, incident: incident(), type: 'incident.closed' as const, data: {} };
    expect(updateFields(closed, policy(), { state: '6', close_code: 'Solution provided', close_notes: 'Rolled back' })).toEqual({ state: '7' });
    expect(updateFields(closed, policy(), { state: '2', close_code: '', close_notes: '' })).toEqual({ state: '7', close_code: 'Solution provided', close_notes: 'Closed in Incident Officer.' });
  });

  it('polls every n seconds', () => {
    expect(everySeconds(5)).toBe('*/5 * * * * *');
    expect(everySeconds(60)).toBe('0 */1 * * * *');
    expect(everySeconds(300)).toBe('0 */5 * * * *');
  });
});
