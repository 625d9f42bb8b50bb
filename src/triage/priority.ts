import { IMPACTS, URGENCIES, type Impact, type Policy, type Priority, type Urgency } from '../policy/schema.js';

export { IMPACTS, URGENCIES, type Impact, type Urgency };

export function isImpact(v: string | undefined | null): v is Impact {
  return (IMPACTS as readonly string[]).includes(v ?? '');
}

export function isUrgency(v: string | undefined | null): v is Urgency {
  return (URGENCIES as readonly string[]).includes(v ?? '');
}

/** ITIL: priority from the policy's impact × urgency matrix. */
export function priorityFor(policy: Policy, impact: Impact, urgency: Urgency): string {
  return policy.matrix[impact][urgency];
}

export function priorityPolicy(policy: Policy, id: string | null | undefined): Priority | undefined {
  return id ? policy.priorities.find((p) => p.id === id) : undefined;
}

/** Position in the policy's list (0 = most urgent); unknown priorities sort last. */
export function priorityRank(policy: Policy, id: string | null | undefined): number {
  const i = policy.priorities.findIndex((p) => p.id === id);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

/**
 * The priority an incident is treated as before triage sets one: severities map by position
 * (the first severity to the first priority, and so on).
 */
export function effectivePriority(policy: Policy, incident: { priority: string | null; severity: string }): string {
  if (incident.priority) return incident.priority;
  const i = Math.max(0, policy.severities.findIndex((s) => s.id === incident.severity));
  return policy.priorities[Math.min(i, policy.priorities.length - 1)].id;
}
