import type { Incident } from '../incidents/incident.js';
import type { Playbook } from '../policy/preparedness.js';
import type { Policy } from '../policy/schema.js';
import { findType } from '../incidents/fields.js';

export type { Playbook };

/**
 * The playbooks posted automatically for an incident: those its type names (policy
 * `incident_types[].playbooks`), and those whose every criterion of `when` matches (any value within
 * one). A playbook without `when` that no type names is only posted by hand.
 */
export function matchingPlaybooks(policy: Policy, incident: Pick<Incident, 'category' | 'services' | 'kind' | 'type'>): Playbook[] {
  const services = new Set(incident.services.map((s) => s.toLowerCase()));
  const ofType = new Set(findType(policy, incident.type)?.playbooks ?? []);
  return policy.playbooks.filter((pb) => {
    if (ofType.has(pb.name)) return true;
    const w = pb.when;
    if (!w) return false;
    if (w.categories && !(incident.category && w.categories.includes(incident.category))) return false;
    if (w.services && !w.services.some((s) => services.has(s.toLowerCase()))) return false;
    if (w.kinds && !w.kinds.includes(incident.kind)) return false;
    return true;
  });
}

/** A playbook by name (case-insensitive, or a unique prefix). */
export function findPlaybook(policy: Policy, name: string): Playbook | undefined {
  const n = name.trim().toLowerCase();
  if (!n) return undefined;
  const exact = policy.playbooks.find((p) => p.name === n || p.title.toLowerCase() === n);
  if (exact) return exact;
  const prefixed = policy.playbooks.filter((p) => p.name.startsWith(n));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
