import { describe, expect, it } from 'vitest';
import { isAllowed, refusal, type Actor } from '../../src/permissions/check.js';
import { policySchema } from '../../src/policy/schema.js';
import { effectivePriority, isImpact, isUrgency, priorityFor, priorityRank } from '../../src/triage/priority.js';

describe('priorities', () => {
  const policy = policySchema.parse({});

  it('before triage, map severities to priorities by position, the extra ones to the last priority', () => {
    const five = policySchema.parse({ severities: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, description: id })) });
    expect(['a', 'd', 'e'].map((severity) => effectivePriority(five, { priority: null, severity }))).toEqual(['P1', 'P4', 'P4']);
    expect(effectivePriority(policy, { priority: 'P3', severity: 'SEV1' })).toBe('P3');
  });

  it('rank by their place in the policy, unknown ones last', () => {
    expect(['P1', 'P4', 'P9', null].map((p) => priorityRank(policy, p))).toEqual([0, 3, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
  });

  it('take impact and urgency only from their lists', () => {
    expect([isImpact('extensive'), isImpact('high'), isImpact(null)]).toEqual([true, false, false]);
    expect([isUrgency('critical'), isUrgency('extensive'), isUrgency(undefined)]).toEqual([true, false, false]);
    expect(priorityFor(policy, 'moderate', 'critical')).toBe('P2');
  });
});

describe('permissions', () => {
  const policy = policySchema.parse({
    permissions: {
      resolve: { roles: ['commander', 'deputy'] },
      close: { usergroups: ['S0LEADS', 'sre'] },
      reopen: { users: ['UBOSS'] },
    },
  });
  const actor = (userId: string, roles: string[] = [], groups: string[] = []): Actor & { asked: string[][] } => {
    const asked: string[][] = [];
    return { userId, roles, asked, inAnyGroup: async (g) => (asked.push(g), g.some((x) => groups.includes(x))) };
  };

  it('allow anyone an unrestricted action, and otherwise a listed role, user or group member', async () => {
    expect(await isAllowed(policy, 'priority', actor('UANY'))).toBe(true);
    expect(await isAllowed(policy, 'resolve', actor('UANY', ['deputy']))).toBe(true);
    expect(await isAllowed(policy, 'resolve', actor('UANY', ['scribe']))).toBe(false);
    expect(await isAllowed(policy, 'reopen', actor('UBOSS'))).toBe(true);
    expect(await isAllowed(policy, 'close', actor('UANY', [], ['sre']))).toBe(true);
    expect(await isAllowed(policy, 'close', actor('UANY', [], ['other']))).toBe(false);
  });

  it('ask Slack about user groups only when a rule names some', async () => {
    const someone = actor('UANY', ['commander'], ['sre']);
    await isAllowed(policy, 'resolve', someone);
    await isAllowed(policy, 'reopen', someone);
    expect(someone.asked).toEqual([]);
    await isAllowed(policy, 'close', someone);
    expect(someone.asked).toEqual([['S0LEADS', 'sre']]);
  });

  it('refuse naming who may', () => {
    expect(refusal(policy, 'resolve', 'this incident')).toBe('Only the Incident commander or the Deputy commander may resolve this incident.');
    expect(refusal(policy, 'close', 'INC-4')).toBe('Only members of <!subteam^S0LEADS> or members of @sre may close INC-4.');
    expect(refusal(policy, 'reopen', 'it')).toBe('Only <@UBOSS> may reopen it.');
  });
});
