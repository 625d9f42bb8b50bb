import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock.js';
import { DomainError } from '../incidents/errors.js';
import { incidentRef, type Incident } from '../incidents/incident.js';
import { isAllowed, refusal } from '../permissions/check.js';
import type { PermissionAction, Policy } from '../policy/schema.js';
import type { RoleService } from '../roles/service.js';

const TTL_MS = 5 * 60_000;

/**
 * Applies the policy's `permissions` before a guarded action. User-group membership comes from
 * Slack and is cached for five minutes.
 */
export class Authorizer {
  private groups?: { at: number; byHandle: Map<string, string> };
  private members = new Map<string, { at: number; users: Set<string> }>();

  constructor(
    private readonly client: WebClient,
    private readonly policy: Policy,
    private readonly roles: RoleService,
    private readonly clock: Clock,
  ) {}

  /** Throws a DomainError('forbidden') with a clear refusal when the user may not do it. */
  async require(action: PermissionAction, userId: string, incident?: Incident): Promise<void> {
    const held = incident ? (await this.roles.current(incident.id)).filter((r) => r.userId === userId).map((r) => r.role) : [];
    const allowed = await isAllowed(this.policy, action, { userId, roles: held, inAnyGroup: (groups) => this.inAnyGroup(userId, groups) });
    if (!allowed) throw new DomainError('forbidden', refusal(this.policy, action, incident ? incidentRef(this.policy.number_prefix, incident) : 'this'));
  }

  private async inAnyGroup(userId: string, groups: string[]): Promise<boolean> {
    for (const g of groups) {
      const id = /^S[A-Z0-9]+$/.test(g) ? g : await this.groupId(g);
      if (id && (await this.groupMembers(id)).has(userId)) return true;
    }
    return false;
  }

  private async groupId(handle: string): Promise<string | undefined> {
    const now = this.clock.now().getTime();
    if (!this.groups || now - this.groups.at > TTL_MS) {
      const res = await this.client.usergroups.list({});
      this.groups = { at: now, byHandle: new Map((res.usergroups ?? []).map((u) => [u.handle ?? '', u.id ?? ''])) };
    }
    return this.groups.byHandle.get(handle.replace(/^@/, ''));
  }

  private async groupMembers(id: string): Promise<Set<string>> {
    const now = this.clock.now().getTime();
    const cached = this.members.get(id);
    if (cached && now - cached.at <= TTL_MS) return cached.users;
    const res = await this.client.usergroups.users.list({ usergroup: id });
    const users = new Set(res.users ?? []);
    this.members.set(id, { at: now, users });
    return users;
  }
}
