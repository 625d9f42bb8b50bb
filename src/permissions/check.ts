import type { PermissionAction, PermissionRule, Policy } from '../policy/schema.js';

export interface Actor {
  userId: string;
  /** Roles the user holds in the incident concerned. */
  roles: string[];
  /** Whether the user belongs to any of these Slack user groups (looked up only when needed). */
  inAnyGroup: (groups: string[]) => Promise<boolean>;
}

/** Who may do an action the policy does not list: correcting key timestamps, and keeping open an incident Jira says is Done, is for the commander or deputy (any other, `fields` included, is open to everyone). */
const UNLISTED: Partial<Record<PermissionAction, PermissionRule>> = {
  timestamps: { roles: ['commander', 'deputy'], usergroups: [], users: [] },
  keep_open: { roles: ['commander', 'deputy'], usergroups: [], users: [] },
};

/** The rule that applies to an action: the policy's, else its default (roles the policy does not define left out). */
export function ruleFor(policy: Policy, action: PermissionAction): PermissionRule | undefined {
  const listed = policy.permissions[action];
  if (listed) return listed;
  const fallback = UNLISTED[action];
  return fallback && { ...fallback, roles: fallback.roles.filter((r) => policy.roles.some((x) => x.id === r)) };
}

/** Whether the policy lets `actor` do `action` (an unrestricted action is open to everyone). */
export async function isAllowed(policy: Policy, action: PermissionAction, actor: Actor): Promise<boolean> {
  const rule = ruleFor(policy, action);
  if (!rule || (!rule.roles.length && !rule.usergroups.length && !rule.users.length)) return true;
  if (rule.users.includes(actor.userId)) return true;
  if (rule.roles.some((r) => actor.roles.includes(r))) return true;
  return rule.usergroups.length > 0 && (await actor.inAnyGroup(rule.usergroups));
}

const VERBS: Record<PermissionAction, string> = {
  resolve: 'resolve',
  close: 'close',
  reopen: 'reopen',
  priority: 'change the priority of',
  dr: 'activate or deactivate the DR plan for',
  timestamps: 'correct the key timestamps of',
  fields: 'change the type and fields of',
  keep_open: 'keep open',
};

/** The refusal a person sees, naming who may. */
export function refusal(policy: Policy, action: PermissionAction, what: string): string {
  const rule = ruleFor(policy, action)!;
  const who = [
    ...rule.roles.map((r) => `the ${policy.roles.find((x) => x.id === r)?.label ?? r}`),
    ...rule.usergroups.map((g) => (/^S[A-Z0-9]+$/.test(g) ? `members of <!subteam^${g}>` : `members of @${g}`)),
    ...rule.users.map((u) => `<@${u}>`),
  ];
  const list = who.length > 1 ? `${who.slice(0, -1).join(', ')} or ${who.at(-1)}` : who[0];
  return `Only ${list} may ${VERBS[action]} ${what}.`;
}
