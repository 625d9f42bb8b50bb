import type { Db } from '../db/database.js';

/**
 * Who may see a private (security) incident's details outside its channel: its reporter, its
 * commander and anyone who holds or held a role in it. Everyone else sees that it exists, no more.
 */
export async function privateIncidentsVisibleTo(db: Db, userId: string | undefined, incidentIds: string[]): Promise<Set<string>> {
  if (!userId || !incidentIds.length) return new Set();
  const direct = await db
    .selectFrom('incidents')
    .select('id')
    .where('id', 'in', incidentIds)
    .where((eb) => eb.or([eb('reporter_id', '=', userId), eb('commander_id', '=', userId)]))
    .execute();
  const viaRoles = await db.selectFrom('incident_roles').select('incident_id as id').distinct().where('incident_id', 'in', incidentIds).where('user_id', '=', userId).execute();
  return new Set([...direct, ...viaRoles].map((r) => r.id));
}

export const RESTRICTED_TITLE = 'Security incident (restricted)';
