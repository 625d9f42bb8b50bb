import { z } from 'zod';

/**
 * Policy sections for preparedness: the service catalog, vendors, playbooks, drill scenarios,
 * disaster-recovery plans and change management. Cross-field rules live in `checkPreparedness`,
 * called from the policy schema's superRefine so a bad file is refused at start-up.
 */

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,59}$/;
const slug = (example: string) => z.string().regex(NAME_RE, `a lowercase name (letters, digits, ".", "_", "-") such as ${example}`);

/** A Slack user group: its id (S…) or handle, with or without the leading @. */
export const usergroupRef = z
  .string()
  .transform((v) => v.trim().replace(/^@/, ''))
  .pipe(z.string().regex(/^(S[A-Z0-9]{2,}|[a-z0-9][a-z0-9._-]{0,79})$/, 'a Slack user group id (S…) or handle such as checkout-team'));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) link' }).max(2000);
const minutes = z.number().int().min(1).max(100_000);

/** A checklist item: a line of text, or `{ text, role }` when one incident role owns it. */
export const checklistItem = z.union([
  z
    .string()
    .min(1)
    .max(200)
    .transform((text) => ({ text, role: undefined as string | undefined })),
  z.object({ text: z.string().min(1).max(200), role: z.string().min(1).optional() }).strict(),
]);
const checklist = z.array(checklistItem).min(1).max(40);

export const TIERS = { 1: 'critical', 2: 'high', 3: 'medium', 4: 'low' } as const;

const service = z
  .object({
    name: slug('checkout-api'),
    description: z.string().min(1).max(150).optional(),
    /** The owning team's Slack user group. */
    owner: usergroupRef.optional(),
    /** 1 (most critical) to 4. */
    tier: z.number().int().min(1).max(4).default(3),
    depends_on: z.array(z.string()).max(50).default([]),
    runbook: httpUrl.optional(),
    vendors: z.array(z.string()).max(10).default([]),
    /** Priorities at which the owner team is invited and paged; default: the two most urgent. */
    invite_owner_for: z.array(z.string()).max(10).optional(),
  })
  .strict();

const vendor = z
  .object({
    name: z.string().trim().min(1).max(60),
    /** Support contacts: phone numbers, e-mail addresses, portal links. */
    contacts: z.array(z.string().min(1).max(200)).max(10).default([]),
    /** Contractual response time in minutes. */
    response_minutes: minutes,
    /** Tighter (or looser) contractual times by priority, e.g. { P1: 15 }. */
    response_minutes_by_priority: z.record(z.string(), minutes).optional(),
    portal: httpUrl.optional(),
  })
  .strict();

const playbook = z
  .object({
    name: slug('database-outage'),
    title: z.string().min(1).max(100),
    /** Posted automatically when every listed criterion matches (any value within one); omit for by-hand only. */
    when: z
      .object({
        categories: z.array(z.string()).min(1).optional(),
        services: z.array(z.string()).min(1).optional(),
        kinds: z.array(z.enum(['service', 'security'])).min(1).optional(),
      })
      .strict()
      .optional(),
    items: checklist,
  })
  .strict();

export const MILESTONES = ['commander_named', 'triaged', 'first_update', 'resolved'] as const;
export type Milestone = (typeof MILESTONES)[number];

export const scenarioSchema = z
  .object({
    name: slug('checkout-outage'),
    title: z.string().min(1).max(80),
    description: z.string().max(3000).default(''),
    /** Default: the most severe severity. */
    severity: z.string().optional(),
    kind: z.enum(['service', 'security']).default('service'),
    services: z.array(z.string()).max(20).default([]),
    /** Messages posted into the exercise channel at set minutes after the start. */
    injects: z
      .array(z.object({ at_minutes: z.number().int().min(0).max(10_080), text: z.string().min(1).max(2000) }).strict())
      .max(50)
      .default([]),
    /** Minutes from the start by which each milestone is expected. */
    expected: z
      .object({
        commander_named: minutes.optional(),
        triaged: minutes.optional(),
        first_update: minutes.optional(),
        resolved: minutes.optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

const drills = z
  .object({
    /** A directory of scenario files (one scenario per .yml/.yaml file), relative to the policy file. */
    directory: z.string().min(1).optional(),
    scenarios: z.array(scenarioSchema).max(200).default([]),
  })
  .strict();

const drPlan = z
  .object({
    name: slug('region-failover'),
    title: z.string().min(1).max(100),
    description: z.string().max(1000).optional(),
    /** Services the plan covers: it is offered first for incidents on them. */
    services: z.array(z.string()).max(50).default([]),
    /** The full plan document (BCP/DR runbook). */
    document: httpUrl.optional(),
    checklist,
  })
  .strict();

const dr = z
  .object({
    /** The crisis team's Slack user group: invited and paged when a plan is activated. */
    crisis_team: usergroupRef.optional(),
    plans: z.array(drPlan).max(50).default([]),
  })
  .strict();

export const CHANGE_IMPACTS = ['low', 'medium', 'high'] as const;
export const CHANGE_LIKELIHOODS = ['low', 'medium', 'high'] as const;
export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
export type ChangeImpact = (typeof CHANGE_IMPACTS)[number];
export type ChangeLikelihood = (typeof CHANGE_LIKELIHOODS)[number];
export type Risk = (typeof RISKS)[number];

const risk = z.enum(RISKS);
const riskRow = z.object({ low: risk, medium: risk, high: risk }).strict();

export const DEFAULT_RISK_MATRIX = {
  high: { low: 'medium', medium: 'high', high: 'critical' },
  medium: { low: 'low', medium: 'medium', high: 'high' },
  low: { low: 'low', medium: 'low', high: 'medium' },
} as const;

const changes = z
  .object({
    /** Impact (rows) × likelihood (columns) → risk. */
    matrix: z.object({ high: riskRow, medium: riskRow, low: riskRow }).strict().default(DEFAULT_RISK_MATRIX),
    /** Changes at or above this risk need a CAB decision (when approvers are configured). */
    cab_threshold: risk.default('high'),
    /** Where approval requests are posted (channel id, or #name for a public channel). */
    cab_channel: z.string().min(1).optional(),
    /** Slack user ids allowed to approve or reject; none turns the CAB gate off. */
    approvers: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123ABCD')).max(50).default([]),
    /** How far back "what changed?" looks when an incident is declared or triaged. */
    lookback_hours: z.number().int().min(1).max(720).default(24),
  })
  .strict();

/** The preparedness keys of the policy, each with defaults. */
export const preparednessShape = {
  services: z.array(service).max(2000).default([]),
  vendors: z.array(vendor).max(200).default([]),
  playbooks: z.array(playbook).max(200).default([]),
  drills: drills.prefault({}),
  dr: dr.prefault({}),
  changes: changes.prefault({}),
};

export type CatalogService = z.infer<typeof service>;
export type Vendor = z.infer<typeof vendor>;
export type Playbook = z.infer<typeof playbook>;
export type ChecklistItem = z.infer<typeof checklistItem>;
export type Scenario = z.infer<typeof scenarioSchema>;
export type DrPlan = z.infer<typeof drPlan>;

/** What the cross-field check reads. */
interface PreparednessPolicy {
  severities: { id: string }[];
  categories: string[];
  priorities: { id: string }[];
  roles: { id: string }[];
  escalation: { services?: string[] }[];
  services: CatalogService[];
  vendors: Vendor[];
  playbooks: Playbook[];
  drills: { scenarios: Scenario[] };
  dr: { crisis_team?: string; plans: DrPlan[] };
  changes: { cab_channel?: string; approvers: string[] };
}

type Issue = (path: PropertyKey[], message: string) => void;

function duplicates(names: string[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names.map((x) => x.toLowerCase())) (seen.has(n) ? dup : seen).add(n);
  return dup;
}

/** Reports one issue per repeated name (on each later occurrence). */
function uniqueNames(list: { name: string }[], key: string, what: string, issue: Issue): void {
  const dup = duplicates(list.map((x) => x.name));
  const reported = new Set<string>();
  list.forEach((x, i) => {
    const n = x.name.toLowerCase();
    if (dup.has(n) && reported.has(n)) issue([key, i, 'name'], `duplicate ${what} name "${x.name}"`);
    reported.add(n);
  });
}

/** Finds a dependency cycle, returned as the names along it, or undefined. */
function dependencyCycle(services: CatalogService[]): string[] | undefined {
  const deps = new Map(services.map((s) => [s.name, s.depends_on]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const d of deps.get(name) ?? []) {
      if (!deps.has(d) || d === name) continue;
      const cycle = visit(d);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const s of services) {
    const cycle = visit(s.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Cross-field rules: names that must exist, names that must be unique. One issue per problem. */
export function checkPreparedness(policy: PreparednessPolicy, addIssue: Issue): void {
  const priorities = new Set(policy.priorities.map((p) => p.id));
  const roles = new Set(policy.roles.map((r) => r.id));
  const services = new Set(policy.services.map((s) => s.name));
  const vendors = new Set(policy.vendors.map((v) => v.name.toLowerCase()));
  // With an empty catalog, services are free text everywhere; with one, names must come from it.
  const knownService = (name: string) => services.size === 0 || services.has(name);

  uniqueNames(policy.services, 'services', 'service', addIssue);
  policy.services.forEach((s, i) => {
    for (const d of s.depends_on) {
      if (d === s.name) addIssue(['services', i, 'depends_on'], `service "${s.name}" cannot depend on itself`);
      else if (!services.has(d)) addIssue(['services', i, 'depends_on'], `service "${s.name}" depends on unknown service "${d}"`);
    }
    for (const v of s.vendors) {
      if (!vendors.has(v.toLowerCase())) addIssue(['services', i, 'vendors'], `service "${s.name}" names unknown vendor "${v}"`);
    }
    for (const p of s.invite_owner_for ?? []) {
      if (!priorities.has(p)) addIssue(['services', i, 'invite_owner_for'], `unknown priority ${p}`);
    }
    if (s.invite_owner_for?.length && !s.owner) addIssue(['services', i, 'owner'], `service "${s.name}" has invite_owner_for but no owner`);
  });
  const cycle = dependencyCycle(policy.services);
  if (cycle) addIssue(['services'], `dependency cycle: ${cycle.join(' → ')}`);

  uniqueNames(policy.vendors, 'vendors', 'vendor', addIssue);
  policy.vendors.forEach((v, i) => {
    for (const p of Object.keys(v.response_minutes_by_priority ?? {})) {
      if (!priorities.has(p)) addIssue(['vendors', i, 'response_minutes_by_priority'], `unknown priority ${p}`);
    }
  });

  const checkItems = (path: PropertyKey[], items: ChecklistItem[]) =>
    items.forEach((item, j) => {
      if (item.role && !roles.has(item.role)) addIssue([...path, j, 'role'], `unknown role "${item.role}" (roles: ${[...roles].join(', ')})`);
    });
  const checkServices = (path: PropertyKey[], names: string[] | undefined) => {
    for (const n of names ?? []) if (!knownService(n)) addIssue(path, `unknown service "${n}"`);
  };

  uniqueNames(policy.playbooks, 'playbooks', 'playbook', addIssue);
  policy.playbooks.forEach((pb, i) => {
    checkItems(['playbooks', i, 'items'], pb.items);
    for (const c of pb.when?.categories ?? []) {
      if (!policy.categories.includes(c)) addIssue(['playbooks', i, 'when', 'categories'], `unknown category "${c}"`);
    }
    checkServices(['playbooks', i, 'when', 'services'], pb.when?.services);
  });

  uniqueNames(policy.drills.scenarios, 'drills', 'drill scenario', (path, message) => addIssue(['drills', 'scenarios', ...path.slice(1)], message));
  policy.drills.scenarios.forEach((s, i) => {
    if (s.severity && !policy.severities.some((sev) => sev.id === s.severity)) addIssue(['drills', 'scenarios', i, 'severity'], `unknown severity ${s.severity}`);
    checkServices(['drills', 'scenarios', i, 'services'], s.services);
  });

  uniqueNames(policy.dr.plans, 'dr', 'DR plan', (path, message) => addIssue(['dr', 'plans', ...path.slice(1)], message));
  policy.dr.plans.forEach((plan, i) => {
    checkItems(['dr', 'plans', i, 'checklist'], plan.checklist);
    checkServices(['dr', 'plans', i, 'services'], plan.services);
  });
  if (policy.dr.plans.length && !policy.dr.crisis_team) addIssue(['dr', 'crisis_team'], 'is required when DR plans are configured (the user group paged on activation)');

  if (policy.changes.cab_channel && !policy.changes.approvers.length) addIssue(['changes', 'approvers'], 'name at least one approver when a CAB channel is set');
  if (policy.changes.approvers.length && !policy.changes.cab_channel) addIssue(['changes', 'cab_channel'], 'is required when approvers are set (where approval requests are posted)');

  policy.escalation.forEach((rule, i) => checkServices(['escalation', i, 'services'], rule.services));
}
