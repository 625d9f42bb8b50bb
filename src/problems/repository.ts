import type { Kysely, Selectable } from 'kysely';
import type { Database, ProblemsTable } from '../db/schema.js';
import type { Problem } from './problem.js';

async function withIncidents(db: Kysely<Database>, rows: Selectable<ProblemsTable>[]): Promise<Problem[]> {
  if (!rows.length) return [];
  const links = await db
    .selectFrom('problem_incidents as l')
    .innerJoin('incidents as i', 'i.id', 'l.incident_id')
    .select(['l.problem_id', 'i.id', 'i.number', 'i.kind', 'i.channel_id'])
    .where('l.problem_id', 'in', rows.map((r) => r.id))
    .orderBy('i.number')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    teamId: r.team_id,
    title: r.title,
    description: r.description,
    knownError: r.known_error,
    workaround: r.workaround,
    ownerId: r.owner_id,
    status: r.status,
    private: r.private,
    resolution: r.resolution,
    createdBy: r.created_by,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
    incidents: links.filter((l) => l.problem_id === r.id).map((l) => ({ id: l.id, number: l.number, kind: l.kind, channelId: l.channel_id })),
  }));
}

/** A problem record with its linked incidents (within a workspace when teamId is given). */
export async function findProblem(db: Kysely<Database>, id: string, teamId?: string): Promise<Problem | undefined> {
  let q = db.selectFrom('problems').selectAll().where('id', '=', id);
  if (teamId) q = q.where('team_id', '=', teamId);
  const row = await q.executeTakeFirst();
  return row ? (await withIncidents(db, [row]))[0] : undefined;
}

/** The record a request (e.g. a modal view) already opened. */
export async function findProblemBySourceKey(db: Kysely<Database>, key: string): Promise<Problem | undefined> {
  const row = await db.selectFrom('problems').selectAll().where('source_key', '=', key).executeTakeFirst();
  return row ? (await withIncidents(db, [row]))[0] : undefined;
}

/** Problems not yet resolved, oldest first. */
export async function listOpenProblems(db: Kysely<Database>, teamId: string, limit: number): Promise<{ problems: Problem[]; total: number }> {
  const q = db.selectFrom('problems').where('team_id', '=', teamId).where('status', '<>', 'resolved');
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('id').limit(limit).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { problems: await withIncidents(db, rows), total: Number(count.n) };
}

/** Problems an incident is linked to. */
export async function problemsOfIncident(db: Kysely<Database>, incidentId: string): Promise<Problem[]> {
  const rows = await db
    .selectFrom('problems as p')
    .innerJoin('problem_incidents as l', 'l.problem_id', 'p.id')
    .selectAll('p')
    .where('l.incident_id', '=', incidentId)
    .orderBy('p.id')
    .execute();
  return withIncidents(db, rows);
}

/** Links an incident; false when it already was. */
export async function linkIncident(db: Kysely<Database>, problemId: string, incidentId: string, by: string, at: Date): Promise<boolean> {
  const row = await db
    .insertInto('problem_incidents')
    .values({ problem_id: problemId, incident_id: incidentId, linked_by: by, linked_at: at })
    .onConflict((oc) => oc.columns(['problem_id', 'incident_id']).doNothing())
    .returning('problem_id')
    .executeTakeFirst();
  return row !== undefined;
}
