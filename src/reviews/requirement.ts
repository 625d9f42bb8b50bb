import type { Incident } from '../incidents/incident.js';
import type { Policy } from '../policy/schema.js';

/**
 * The priority that counts for an incident: the one triage gave it, or, until it is triaged, the one
 * matching its severity (SEV1 → P1 …; for custom severities, the priority at the same rank).
 */
export function effectivePriority(policy: Policy, incident: Pick<Incident, 'priority' | 'severity'>): string | undefined {
  if (incident.priority) return incident.priority;
  const ids = policy.priorities.map((p) => p.id);
  const sev = /^SEV(\d+)$/i.exec(incident.severity);
  if (sev && ids.includes(`P${sev[1]}`)) return `P${sev[1]}`;
  const rank = policy.severities.findIndex((s) => s.id === incident.severity);
  return rank >= 0 ? ids[Math.min(rank, ids.length - 1)] : undefined;
}

/** True when policy requires a published review before the incident may be closed. */
export function reviewRequired(policy: Policy, incident: Pick<Incident, 'priority' | 'severity' | 'classification'>): boolean {
  if (incident.classification === 'security_event') return false;
  const priority = effectivePriority(policy, incident);
  return priority !== undefined && policy.reviews.required_priorities.includes(priority);
}

/** When the review of an incident resolved at `resolvedAt` is due. */
export function reviewDueAt(policy: Policy, resolvedAt: Date): Date {
  return new Date(resolvedAt.getTime() + policy.reviews.due_days * 86_400_000);
}
