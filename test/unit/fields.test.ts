import { describe, expect, it } from 'vitest';
import { keyInWords } from '../../src/incidents/fields.js';
import { policySchema } from '../../src/policy/schema.js';
import type { Review } from '../../src/reviews/review.js';
import { fieldsModal, fieldsSection } from '../../src/slack/views/fields.js';
import { declareModal } from '../../src/slack/views/modals.js';
import { reviewDocument } from '../../src/slack/views/review-document.js';
import { validateBlocks, validateView } from '../support/block-kit-validator.js';
import { FIELDS_POLICY } from '../support/fields-policy.js';
import { incidentFixture } from '../support/fixtures.js';

const every = policySchema.parse({
  incident_types: [{ name: 'Everything', fields: ['t', 'lt', 'n', 's', 'ms', 'd', 'u', 'url'] }],
  custom_fields: [
    { key: 't', type: 'text' },
    { key: 'lt', type: 'long_text' },
    { key: 'n', type: 'number' },
    { key: 's', type: 'select', options: Array.from({ length: 100 }, (_, i) => `option ${i} ${'x'.repeat(60)}`) },
    { key: 'ms', type: 'multi_select', options: ['a', 'b'] },
    { key: 'd', type: 'date', required: 'declare' },
    { key: 'u', type: 'user' },
    { key: 'url', type: 'url' },
  ],
});

describe('custom fields in Slack and documents', () => {
  it('reads a key in words', () => {
    expect(keyInWords('data_classification')).toBe('Data classification');
    expect(keyInWords('regulator__notified_')).toBe('Regulator notified');
  });

  it('renders every field type in valid Block Kit, filled and empty', () => {
    const values = { t: 'short', lt: 'long\ntext', n: 4.5, s: `option 99 ${'x'.repeat(60)}`, ms: ['b'], d: '2026-11-30', u: 'UANA', url: 'https://status.example.com' };
    for (const fieldValues of [{}, values]) {
      const view = declareModal(every, { reporterId: 'UANA', metadata: { type: 'Everything' }, fieldValues });
      expect(validateView(view)).toEqual([]);
      expect(validateView(fieldsModal(every, { incidentRef: 'INC-1', type: 'Everything', values: fieldValues, stage: 'resolve', metadata: { incidentId: '1', type: 'Everything' } }))).toEqual([]);
    }
    const section = fieldsSection(every, { type: 'Everything', fields: { ...values, gone: 'kept after the field left the policy' } });
    expect(validateBlocks(section, 'message')).toEqual([]);
    expect(section[0]).toMatchObject({ text: { text: expect.stringContaining('*U:* <@UANA>') } });
    expect(section[0]).toMatchObject({ text: { text: expect.stringContaining('*Gone:* kept after the field left the policy') } });
  });

  it('keeps the card within Slack’s limits however many long values there are', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `field_${i}`);
    const policy = policySchema.parse({ incident_types: [{ name: 'Big', fields: keys }], custom_fields: keys.map((key) => ({ key, type: 'long_text' })) });
    const section = fieldsSection(policy, { type: 'Big', fields: Object.fromEntries(keys.map((k) => [k, `<@U123> ${'y'.repeat(3000)}`])) });
    expect(validateBlocks(section, 'message')).toEqual([]);
    expect(section.filter((b) => b.type === 'section')).toHaveLength(2);
    expect(section.at(-1)).toMatchObject({ type: 'context', elements: [{ text: expect.stringMatching(/^…and \d+ more/) }] });
    expect(JSON.stringify(section).length).toBeLessThan(8_000);
  });

  it('puts the type and field values in the review document, people by name', () => {
    const policy = policySchema.parse({ ...FIELDS_POLICY, custom_fields: [...FIELDS_POLICY.custom_fields, { key: 'owner', type: 'user' }], incident_types: [{ name: 'Service outage', fields: ['customer_impact', 'affected_regions', 'owner'] }] });
    const incident = incidentFixture({ type: 'Service outage', fields: { customer_impact: 1200, affected_regions: ['eu-west', 'us-east'], owner: 'UANA', data_classification: 'internal' } });
    const review = { ownerId: 'UANA', meetingDate: null, publishedAt: null, publishedBy: null, state: 'draft', summary: '', customerImpact: '', rootCause: '', rootCauseConfirmed: false, contributingFactors: '', fiveWhys: '', wentWell: '', wentBadly: '', lessons: '' } as unknown as Review;
    const doc = reviewDocument(policy, { incident, review, events: [], actions: [], problems: [], names: new Map([['UANA', 'ana']]), times: [], version: 1, generatedAt: new Date('2026-11-30T10:00:00Z') });
    expect(doc).toContain('| Type | Service outage |');
    expect(doc).toContain('| Customers affected | 1200 |');
    expect(doc).toContain('| Regions | eu-west, us-east |');
    expect(doc).toContain('| Owner | @ana |');
    expect(doc).toContain('| Data classification | internal |');
  });
});
