import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface RoleHolder {
  role: string;
  userId: string;
  assignedBy: string;
  assignedAt: Date;
}

/** Current holders of an incident's roles. */
export async function currentRoles(db: Kysely<Database>, incidentId: string): Promise<RoleHolder[]> {
  const rows = await db
    .selectFrom('incident_roles')
    .select(['role', 'user_id', 'assigned_by', 'assigned_at'])
    .where('incident_id', '=', incidentId)
    .where('released_at', 'is', null)
    .orderBy('assigned_at')
    .execute();
  return rows.map((r) => ({ role: r.role, userId: r.user_id, assignedBy: r.assigned_by, assignedAt: r.assigned_at }));
}

export async function releaseRole(db: Kysely<Database>, incidentId: string, role: string, at: Date): Promise<void> {
  await db.updateTable('incident_roles').set({ released_at: at }).where('incident_id', '=', incidentId).where('role', '=', role).where('released_at', 'is', null).execute();
}

export async function insertRole(db: Kysely<Database>, r: { incidentId: string; role: string; userId: string; assignedBy: string; at: Date }): Promise<void> {
  await db.insertInto('incident_roles').values({ incident_id: r.incidentId, role: r.role, user_id: r.userId, assigned_by: r.assignedBy, assigned_at: r.at }).execute();
}
