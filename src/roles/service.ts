import { DomainError } from '../incidents/errors.js';
import { updateIncident } from '../incidents/repository.js';
import type { IncidentService } from '../incidents/service.js';
import type { Role } from '../policy/schema.js';
import type { TimelineEvent } from '../timeline/timeline.js';
import { ROLE_ALIASES } from './aliases.js';
import { currentRoles, insertRole, releaseRole, type RoleHolder } from './repository.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { ServiceContext } from '../context.js';

export type { RoleHolder };


/** Outbox task: invite the new holder to the channel and DM them the role's checklist. */
export const RoleTask = { welcome: 'role.welcome' } as const satisfies Record<string, TaskKind>;

/** Incident roles from the policy: assign, claim, list. The commander is mirrored on the incident. */
export class RoleService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  /** Finds a role by id or label, forgivingly (`comms`, `Communications lead`, `communications`, `ic`). */
  findRole(name: string): Role | undefined {
    const raw = name.trim().toLowerCase().replace(/^@/, '');
    const n = ROLE_ALIASES[raw] ?? raw;
    if (!n) return undefined;
    return (
      this.ctx.policy.roles.find((r) => r.id === n || r.label.toLowerCase() === n) ??
      this.ctx.policy.roles.find((r) => r.id.startsWith(n) || r.label.toLowerCase().startsWith(n))
    );
  }

  current(incidentId: string): Promise<RoleHolder[]> {
    return currentRoles(this.ctx.db, incidentId);
  }

  /**
   * Gives `role` to `userId`. With `claim`, only an unfilled role can be taken (a button pressed
   * twice, or by two people, does not steal the role).
   */
  async assign(input: { incidentId: string; role: string; userId: string; actorId: string; claim?: boolean }): Promise<{ event?: TimelineEvent; previous?: string }> {
    const role = this.ctx.policy.roles.find((r) => r.id === input.role);
    if (!role) throw new DomainError('invalid_input', `Unknown role "${input.role}". Roles: ${this.ctx.policy.roles.map((r) => r.id).join(', ')}.`, 'role');
    return this.incidents.applyChange(input.incidentId, async (trx, incident, t) => {
      if (incident.closedAt) throw new DomainError('invalid_state', 'This incident is closed.');
      const holder = (await currentRoles(trx, incident.id)).find((h) => h.role === role.id);
      if (holder?.userId === input.userId) throw new DomainError('invalid_state', `<@${input.userId}> already is the ${role.label}.`);
      if (input.claim && holder) throw new DomainError('invalid_state', `<@${holder.userId}> already is the ${role.label}.`);
      if (holder) await releaseRole(trx, incident.id, role.id, t.now);
      await insertRole(trx, { incidentId: incident.id, role: role.id, userId: input.userId, assignedBy: input.actorId, at: t.now });
      if (role.id === 'commander') await updateIncident(trx, incident.id, { commander_id: input.userId });
      const event = await t.append({ actorId: input.actorId, kind: 'role_assigned', payload: { role: role.id, label: role.label, user: input.userId, previous: holder?.userId ?? null } });
      await t.enqueue({ kind: RoleTask.welcome, payload: { role: role.id, userId: input.userId } });
      return { event, previous: holder?.userId };
    });
  }
}
