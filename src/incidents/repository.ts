import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database, IncidentsTable } from '../db/schema.js';
import { toIncident, type Incident } from './incident.js';
import type { FieldValues } from './fields.js';

export async function nextIncidentNumber(db: Kysely<Database>, teamId: string): Promise<number> {
  const row = await db
    .insertInto('incident_counters')
    .values({ team_id: teamId, last_number: 1 })
    .onConflict((oc) => oc.column('team_id').doUpdateSet({ last_number: sql`incident_counters.last_number + 1` }))
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return row.last_number;
}

export type InsertIncident = Pick<Incident, 'teamId' | 'number' | 'title' | 'description' | 'severity' | 'kind' | 'status' | 'services' | 'reporterId'> & {
  commanderId: string | null;
  sourceKey: string | null;
  declaredAt: Date;
  isDrill?: boolean;
  type?: string | null;
  fields?: FieldValues;
};

/** Inserts an incident; returns undefined when its source key was already used. */
export async function insertIncident(db: Kysely<Database>, i: InsertIncident): Promise<Incident | undefined> {
  const row = await db
    .insertInto('incidents')
    .values({
      team_id: i.teamId,
      number: i.number,
      title: i.title,
      description: i.description,
      severity: i.severity,
      kind: i.kind,
      status: i.status,
      services: i.services,
      commander_id: i.commanderId,
      reporter_id: i.reporterId,
      source_key: i.sourceKey,
      declared_at: i.declaredAt,
      detected_at: i.declaredAt,
      resolution_summary: null,
      channel_id: null,
      channel_name: null,
      card_ts: null,
      announce_channel_id: null,
      announce_ts: null,
      bookmark_id: null,
      priority: null,
      category: null,
      impact: null,
      urgency: null,
      business_impact: null,
      classification_reason: null,
      bridge_url: null,
      is_drill: i.isDrill ?? false,
      incident_type: i.type ?? null,
      custom_fields: JSON.stringify(i.fields ?? {}),
    })
    .onConflict((oc) => oc.column('source_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toIncident(row) : undefined;
}

export async function findIncidentById(db: Kysely<Database>, id: string, opts: { forUpdate?: boolean } = {}): Promise<Incident | undefined> {
  let q = db.selectFrom('incidents').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toIncident(row) : undefined;
}

export async function findIncidentBySourceKey(db: Kysely<Database>, key: string): Promise<Incident | undefined> {
  const row = await db.selectFrom('incidents').selectAll().where('source_key', '=', key).executeTakeFirst();
  return row ? toIncident(row) : undefined;
}

export async function findIncidentByChannel(db: Kysely<Database>, channelId: string): Promise<Incident | undefined> {
  const row = await db.selectFrom('incidents').selectAll().where('channel_id', '=', channelId).executeTakeFirst();
  return row ? toIncident(row) : undefined;
}

export async function updateIncident(db: Kysely<Database>, id: string, changes: Updateable<IncidentsTable>): Promise<Incident> {
  const row = await db
    .updateTable('incidents')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toIncident(row);
}

export interface ListFilter {
  teamId: string;
  includeClosed: boolean;
  limit: number;
  offset?: number;
  /** Only incidents of this type (by name, any case), private ones left out: their type is a detail. */
  type?: string;
}

/** Incidents newest first; those not yet closed unless includeClosed. */
export async function listIncidents(db: Kysely<Database>, f: ListFilter): Promise<{ incidents: Incident[]; total: number }> {
  let base = db.selectFrom('incidents').where('team_id', '=', f.teamId);
  if (!f.includeClosed) base = base.where('closed_at', 'is', null);
  if (f.type) base = base.where(sql<string>`lower(incident_type)`, '=', f.type.toLowerCase()).where('kind', '<>', 'security');
  // The page and the total in one statement (one round trip); with no incident on the page, the one
  // row that comes back carries only the total.
  const page = base.selectAll().orderBy('declared_at', 'desc').orderBy('number', 'desc').limit(f.limit).offset(f.offset ?? 0);
  const count = base.select((eb) => eb.fn.countAll<string>().as('n'));
  const { rows } = await sql<Selectable<IncidentsTable> & { total_count: string }>`
    select c.n as total_count, p.* from (${count}) c left join lateral (${page}) p on true order by p.declared_at desc, p.number desc`.execute(db);
  return { incidents: rows.filter((r) => r.id !== null).map(toIncident), total: Number(rows[0]?.total_count ?? 0) };
}

/** Moves the recorded detection earlier (an alert seen before the declaration), never later. */
export async function recordDetection(db: Kysely<Database>, id: string, at: Date): Promise<void> {
  await db.updateTable('incidents').set({ detected_at: sql<Date>`least(detected_at, ${at}::timestamptz)` }).where('id', '=', id).execute();
}
