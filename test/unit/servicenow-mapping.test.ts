import { describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX, IMPACTS, URGENCIES } from '../../src/policy/schema.js';
import {
  DEFAULT_FIELD_OWNERS,
  DEFAULT_PRIORITY_MAP,
  SYNCED_FIELDS,
  impactUrgencyFor,
  lifecycleForState,
  outboundText,
  stateFieldsFor,
  stockPriority,
  type LifecycleChange,
} from '../../src/servicenow/mapping.js';
import { STOCK_PRIORITY } from '../support/fake-servicenow-store.js';

describe('priority → impact and urgency', () => {
  it('stockPriority is the stock lookup table (checked against the fake instance’s rules)', () => {
    for (const impact of [1, 2, 3] as const) for (const urgency of [1, 2, 3] as const) expect(String(stockPriority({ impact, urgency }))).toBe(STOCK_PRIORITY[impact][urgency]);
  });

  it('gives ServiceNow the same number as ours for every cell of our default matrix, leaning as triage did', () => {
    for (const impact of IMPACTS) {
      for (const urgency of URGENCIES) {
        const priority = DEFAULT_MATRIX[impact][urgency];
        const iu = impactUrgencyFor(priority, { triage: { impact, urgency } })!;
        expect(stockPriority(iu), `${impact}/${urgency}`).toBe(Number(priority.slice(1)));
      }
    }
    expect(impactUrgencyFor('P2', { triage: { impact: 'extensive', urgency: 'medium' } })).toEqual({ impact: 1, urgency: 2 });
    expect(impactUrgencyFor('P2', { triage: { impact: 'moderate', urgency: 'critical' } })).toEqual({ impact: 2, urgency: 1 });
    expect(impactUrgencyFor('P3', { triage: { impact: 'extensive', urgency: 'low' } })).toEqual({ impact: 1, urgency: 3 });
    expect(impactUrgencyFor('P4', { triage: { impact: 'minor', urgency: 'medium' } })).toEqual({ impact: 3, urgency: 2 });
  });

  it('uses the defaults without a triage, an override when configured, and nothing for an unknown priority', () => {
    for (const [p, iu] of Object.entries(DEFAULT_PRIORITY_MAP)) {
      expect(impactUrgencyFor(p)).toEqual(iu);
      expect(stockPriority(iu)).toBe(Number(p.slice(1)));
    }
    expect(impactUrgencyFor('P2', { override: { P2: { impact: 2, urgency: 2 } }, triage: { impact: 'extensive', urgency: 'medium' } })).toEqual({ impact: 2, urgency: 2 });
    expect(impactUrgencyFor('P5')).toBeNull();
    expect(impactUrgencyFor(null)).toBeNull();
    expect(impactUrgencyFor('P2', { triage: { impact: 'bogus', urgency: 'critical' } })).toEqual(DEFAULT_PRIORITY_MAP.P2);
  });
});

describe('lifecycle ↔ state', () => {
  it('maps each of our changes to the record’s fields, with close code and notes wherever ServiceNow requires them', () => {
    const cases: [LifecycleChange, Record<string, string>][] = [
      [{ kind: 'declared' }, { state: '1' }],
      [{ kind: 'triaged' }, { state: '2' }],
      [{ kind: 'resolved', summary: ' Rolled back the deploy ' }, { state: '6', close_code: 'Solution provided', close_notes: 'Rolled back the deploy' }],
      [{ kind: 'resolved', summary: '' }, { state: '6', close_code: 'Solution provided', close_notes: 'Resolved in Incident Officer.' }],
      [{ kind: 'reopened', reason: 'errors are back' }, { state: '2', work_notes: 'Reopened in Incident Officer: errors are back' }],
      [{ kind: 'closed' }, { state: '7', close_code: 'Solution provided', close_notes: 'Closed in Incident Officer.' }],
      [{ kind: 'classified', reason: 'a scan' }, { state: '7', close_code: 'No resolution provided', close_notes: 'Classified as a security event, not an incident: a scan' }],
    ];
    for (const [change, fields] of cases) expect(stateFieldsFor(change), change.kind).toEqual(fields);
    expect(stateFieldsFor({ kind: 'resolved', summary: 'x' }, { closeCode: 'Workaround provided' }).close_code).toBe('Workaround provided');
  });

  it('maps a state set in ServiceNow to our change, or to nothing when both sides agree', () => {
    const open = { resolved: false, closed: false };
    const resolved = { resolved: true, closed: false };
    const closed = { resolved: true, closed: true };
    expect(lifecycleForState('6', 'fixed by the desk', open)).toEqual({ kind: 'resolve', notes: 'fixed by the desk', canceled: false });
    expect(lifecycleForState('6', '', resolved)).toBeNull();
    expect(lifecycleForState('6', '', closed)).toEqual({ kind: 'reopen' });
    expect(lifecycleForState('7', 'done', open)).toEqual({ kind: 'resolve', notes: 'done', canceled: false });
    expect(lifecycleForState('7', 'done', resolved)).toEqual({ kind: 'close', notes: 'done' });
    expect(lifecycleForState('7', '', closed)).toBeNull();
    expect(lifecycleForState('8', '', open)).toEqual({ kind: 'resolve', notes: 'Canceled in ServiceNow.', canceled: true });
    expect(lifecycleForState('8', '', resolved)).toBeNull();
    for (const s of ['1', '2', '3']) {
      expect(lifecycleForState(s, '', open), s).toBeNull();
      expect(lifecycleForState(s, '', resolved), s).toEqual({ kind: 'reopen' });
      expect(lifecycleForState(s, '', closed), s).toEqual({ kind: 'reopen' });
    }
    expect(lifecycleForState('42', '', open)).toBeNull();
  });
});

describe('field ownership', () => {
  it('has a default owner for every synced field', () => {
    expect(Object.keys(DEFAULT_FIELD_OWNERS).sort()).toEqual([...SYNCED_FIELDS].sort());
    expect(DEFAULT_FIELD_OWNERS.state).toBe('both');
    expect(DEFAULT_FIELD_OWNERS.impact).toBe('bot');
  });
});

describe('security incidents', () => {
  const secret = { private: true, ref: 'IO-7' };
  const open = { private: false, ref: 'IO-8' };
  it('send a title but no description and no notes by default', () => {
    expect(outboundText(secret, 'title', 'Credential leak')).toBe('Credential leak');
    expect(outboundText(secret, 'description', 'keys in repo X')).toBe('Details of security incident IO-7 are kept in Incident Officer.');
    expect(outboundText(secret, 'note', 'rotated key abc')).toBeNull();
  });
  it('send what the policy allows, and everything of other incidents', () => {
    expect(outboundText(secret, 'title', 'Credential leak', { title: false, description: true, notes: true })).toBe('Security incident IO-7');
    expect(outboundText(secret, 'description', 'd', { title: false, description: true, notes: true })).toBe('d');
    expect(outboundText(secret, 'note', 'n', { title: false, description: false, notes: true })).toBe('n');
    for (const part of ['title', 'description', 'note'] as const) expect(outboundText(open, part, 'x', { title: false, description: false, notes: false })).toBe('x');
  });
});
