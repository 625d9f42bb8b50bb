import type { Incident } from '../incidents/incident.js';
import { TIERS, type CatalogService, type Vendor } from '../policy/preparedness.js';
import type { Policy } from '../policy/schema.js';
import { effectivePriority } from '../triage/priority.js';

export type { CatalogService, Vendor };

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** A catalog service by name (case-insensitive). */
export function findService(policy: Policy, name: string): CatalogService | undefined {
  return policy.services.find((s) => same(s.name, name));
}

/** The catalog entries of an incident's services (names not in the catalog are skipped). */
export function servicesOf(policy: Policy, names: string[]): CatalogService[] {
  return names.map((n) => findService(policy, n)).filter((s): s is CatalogService => Boolean(s));
}

/** Catalog names in their canonical spelling; names not in the catalog are kept as given. */
export function canonicalServices(policy: Policy, names: string[]): string[] {
  const out = names.map((n) => n.trim()).filter(Boolean).map((n) => findService(policy, n)?.name ?? n);
  return [...new Set(out)];
}

export function tierLabel(tier: number): string {
  return `Tier ${tier} · ${TIERS[tier as keyof typeof TIERS] ?? 'unknown'}`;
}

/** The priorities at which a service's owner team is invited: its own list, else the two most urgent. */
export function ownerInvitePriorities(policy: Policy, service: CatalogService): string[] {
  return service.invite_owner_for ?? policy.priorities.slice(0, 2).map((p) => p.id);
}

/** Owner teams to invite for an incident at its (effective) priority, with the services they own. */
export function ownersToPage(policy: Policy, incident: Pick<Incident, 'priority' | 'severity' | 'services'>): { usergroup: string; services: string[] }[] {
  const priority = effectivePriority(policy, incident);
  const byGroup = new Map<string, string[]>();
  for (const s of servicesOf(policy, incident.services)) {
    if (!s.owner || !ownerInvitePriorities(policy, s).includes(priority)) continue;
    byGroup.set(s.owner, [...(byGroup.get(s.owner) ?? []), s.name]);
  }
  return [...byGroup].map(([usergroup, services]) => ({ usergroup, services }));
}

/** Services that depend on `name` (directly). */
export function dependentsOf(policy: Policy, name: string): CatalogService[] {
  return policy.services.filter((s) => s.depends_on.some((d) => same(d, name)));
}

export function findVendor(policy: Policy, name: string): Vendor | undefined {
  return policy.vendors.find((v) => same(v.name, name));
}

/** The vendors behind an incident's services, in catalog order. */
export function vendorsOf(policy: Policy, serviceNames: string[]): Vendor[] {
  const names = new Set(servicesOf(policy, serviceNames).flatMap((s) => s.vendors.map((v) => v.toLowerCase())));
  return policy.vendors.filter((v) => names.has(v.name.toLowerCase()));
}

/** A vendor's contractual response time at a priority. */
export function contractMinutes(vendor: Vendor, priority: string): number {
  return vendor.response_minutes_by_priority?.[priority] ?? vendor.response_minutes;
}

/** Catalog services matching a search (name, description or owner), best matches first. */
export function searchServices(policy: Policy, query: string, limit = 100): CatalogService[] {
  const q = query.trim().toLowerCase();
  if (!q) return policy.services.slice(0, limit);
  const score = (s: CatalogService) => {
    const name = s.name.toLowerCase();
    if (name === q) return 0;
    if (name.startsWith(q)) return 1;
    if (name.includes(q)) return 2;
    if ((s.description ?? '').toLowerCase().includes(q) || (s.owner ?? '').toLowerCase().includes(q)) return 3;
    return -1;
  };
  return policy.services
    .map((s) => ({ s, rank: score(s) }))
    .filter((x) => x.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.s.name.localeCompare(b.s.name))
    .slice(0, limit)
    .map((x) => x.s);
}
