import { describe, expect, it } from 'vitest';
import { isAllowed, refusal, type Actor } from '../../src/permissions/check.js';
import { policySchema } from '../../src/policy/schema.js';
import { differsAtMinute, orderProblems, TIME_KEYS, type KeyTimes, type TimeKey } from '../../src/timestamps/keys.js';

const at = (hhmm: string | null) => (hhmm ? new Date(`2026-11-24T${hhmm}:00Z`) : null);
function times(t: Partial<Record<TimeKey, string | null>>): KeyTimes {
  return Object.fromEntries(TIME_KEYS.map((k) => [k, at(t[k] ?? null)])) as KeyTimes;
}
const now = new Date('2026-11-24T18:00:30Z');

describe('the order of key timestamps', () => {
  const recorded = { detected: '14:05', declared: '14:05', acknowledged: '14:10', mitigated: '16:05', resolved: '16:05' };

  it('blames the changed key, naming its nearest set neighbour on the wrong side', () => {
    expect(orderProblems(times({ ...recorded, impact_started: '13:25' }), new Set(['impact_started']), now)).toEqual({});
    expect(orderProblems(times({ ...recorded, impact_started: '14:10' }), new Set(['impact_started']), now)).toEqual({ impact_started: 'Must not be after detected.' });
    expect(orderProblems(times({ ...recorded, resolved: '15:05' }), new Set(['resolved']), now)).toEqual({ resolved: 'Must not be before mitigated.' });
    // Unset keys are stepped over: acknowledged before declared is checked against declared.
    expect(orderProblems(times({ declared: '14:05', acknowledged: '14:00' }), new Set(['acknowledged']), now)).toEqual({ acknowledged: 'Must not be before declared.' });
  });

  it('refuses the future, at the minute shown (this minute is not the future)', () => {
    expect(orderProblems(times({ ...recorded, closed: '18:01' }), new Set(['closed']), now)).toEqual({ closed: 'This is in the future.' });
    expect(orderProblems(times({ ...recorded, closed: '18:00' }), new Set(['closed']), now)).toEqual({});
  });

  it('does not hold an order already broken between keys left as they were against a correction', () => {
    const broken = times({ ...recorded, acknowledged: '16:30', impact_started: '13:00' });
    expect(orderProblems(broken, new Set(['impact_started']), now)).toEqual({});
  });

  it('compares at the minute, as the date-and-time picker shows them', () => {
    expect(differsAtMinute(new Date('2026-11-24T14:05:37Z'), new Date('2026-11-24T14:05:00Z'))).toBe(false);
    expect(differsAtMinute(new Date('2026-11-24T14:05:37Z'), new Date('2026-11-24T14:06:00Z'))).toBe(true);
    expect(differsAtMinute(null, new Date())).toBe(true);
  });
});

describe('permissions.timestamps', () => {
  const actor = (userId: string, roles: string[] = []): Actor => ({ userId, roles, inAnyGroup: async () => false });

  it("is the commander's or deputy's when the policy does not say", async () => {
    const policy = policySchema.parse({});
    expect(await isAllowed(policy, 'timestamps', actor('U1', ['deputy']))).toBe(true);
    expect(await isAllowed(policy, 'timestamps', actor('U1', ['scribe']))).toBe(false);
    expect(refusal(policy, 'timestamps', 'INC-3')).toBe('Only the Incident commander or the Deputy commander may correct the key timestamps of INC-3.');
  });

  it('follows the policy when it does, and `{}` opens it to everyone', async () => {
    const scribes = policySchema.parse({ permissions: { timestamps: { roles: ['scribe'], users: ['UBOSS'] } } });
    expect(await isAllowed(scribes, 'timestamps', actor('U1', ['scribe']))).toBe(true);
    expect(await isAllowed(scribes, 'timestamps', actor('U1', ['commander']))).toBe(false);
    expect(await isAllowed(scribes, 'timestamps', actor('UBOSS'))).toBe(true);
    expect(await isAllowed(policySchema.parse({ permissions: { timestamps: {} } }), 'timestamps', actor('U1'))).toBe(true);
  });

  it('names an unknown role in the policy', () => {
    expect(() => policySchema.parse({ permissions: { timestamps: { roles: ['captain'] } } })).toThrow(/unknown role captain/);
  });
});
