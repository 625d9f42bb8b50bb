import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock.js';
import { DomainError } from '../incidents/errors.js';
import { incidentRef, type Incident } from '../incidents/incident.js';
import { isAllowed, refusal } from '../permissions/check.js';
import type { PermissionAction, Policy } from '../policy/schema.js';
import type { RoleService } from '../roles/service.js';

const TTL_MS = 5 * 60_000;
/**
 * How long a check waits for Slack's user groups. Checks run before a form is answered, and Slack
 * wants every answer within 3 s, whatever Slack itself is doing.
 */
const LOOKUP_BUDGET_MS = 1_500;

/**
 * Applies the policy's `permissions` before a guarded action. User-group membership comes from
 * Slack and is cached for five minutes. A look-up Slack does not answer within LOOKUP_BUDGET_MS
 * refuses the action with a "try again" (never allows it); the look-up goes on and fills the cache,
 * so the next attempt is quick.
 */
export class Authorizer {
  private groups?: { at: number; byHandle: Map<string, string> };
  private members = new Map<string, { at: number; users: Set<string> }>();
  /** Look-ups under way, shared by the checks that need them. */
  private inFlight = new Map<string, Promise<unknown>>();

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
      await this.lookUp('usergroups', async () => {
        const res = await this.client.usergroups.list({});
        this.groups = { at: now, byHandle: new Map((res.usergroups ?? []).map((u) => [u.handle ?? '', u.id ?? ''])) };
      });
    }
    return this.groups!.byHandle.get(handle.replace(/^@/, ''));
  }

  private async groupMembers(id: string): Promise<Set<string>> {
    const now = this.clock.now().getTime();
    const cached = this.members.get(id);
    if (cached && now - cached.at <= TTL_MS) return cached.users;
    await this.lookUp(`members:${id}`, async () => {
      const res = await this.client.usergroups.users.list({ usergroup: id });
      this.members.set(id, { at: now, users: new Set(res.users ?? []) });
    });
    return this.members.get(id)!.users;
  }

  /** Runs (or joins) the look-up `key`, waiting for it at most LOOKUP_BUDGET_MS. */
  private async lookUp(key: string, run: () => Promise<void>): Promise<void> {
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = run().finally(() => this.inFlight.delete(key));
      // Finished after its callers stopped waiting: it has filled the cache (or failed, and is logged by the client).
      pending.catch(() => {});
      this.inFlight.set(key, pending);
    }
    const late = Symbol('late');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([pending, new Promise<typeof late>((resolve) => (timer = setTimeout(() => resolve(late), LOOKUP_BUDGET_MS)))]).finally(() => clearTimeout(timer));
    if (outcome === late) throw new DomainError('invalid_state', 'Slack did not answer in time about the user groups this permission depends on; try again in a moment.');
  }
}
