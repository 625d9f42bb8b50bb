/** Short names people type (and policies write) for the default roles. */
export const ROLE_ALIASES: Readonly<Record<string, string>> = { ic: 'commander', comms: 'communications', comm: 'communications', ops: 'operations', sec: 'security', dep: 'deputy' };

/** A role id as written (`comms`) resolved to the policy's id (`communications`) when it is an alias. */
export function resolveRoleAlias(name: string): string {
  const n = name.trim().toLowerCase();
  return ROLE_ALIASES[n] ?? n;
}
