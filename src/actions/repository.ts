import { sql, type Kysely, type Updateable } from 'kysely';
import type { Database, FollowUpActionsTable } from '../db/schema.js';
import type { FollowUpAction } from './action.js';

function joined(db: Kysely<Database>) {
  return db.selectFrom('follow_up_actions as a').innerJoin('incidents as i', 'i.id', 'a.incident_id');
}

function withColumns(q: ReturnType<typeof joined>) {
  return q
    .selectAll('a')
    .select(['i.number as i_number', 'i.title as i_title', 'i.kind as i_kind', 'i.channel_id as i_channel_id', 'i.team_id as i_team_id', 'i.commander_id as i_commander_id']);
}

function base(db: Kysely<Database>) {
  return withColumns(joined(db));
}

type Row = Awaited<ReturnType<ReturnType<typeof base>['executeTakeFirstOrThrow']>>;

function toAction(r: Row): FollowUpAction {
  return {
    id: r.id,
    incidentId: r.incident_id,
    title: r.title,
    ownerId: r.owner_id,
    team: r.team,
    dueDate: r.due_date,
    priority: r.priority,
    trackerUrl: r.tracker_url,
    status: r.status,
    snoozedUntil: r.snoozed_until,
    createdBy: r.created_by,
    createdAt: r.created_at,
    doneAt: r.done_at,
    doneBy: r.done_by,
    incident: { number: r.i_number, title: r.i_title, kind: r.i_kind, channelId: r.i_channel_id, teamId: r.i_team_id, commanderId: r.i_commander_id },
  };
}

/** An action with its incident's facts. */
export async function findAction(db: Kysely<Database>, id: string): Promise<FollowUpAction | undefined> {
  const row = await base(db).where('a.id', '=', id).executeTakeFirst();
  return row ? toAction(row) : undefined;
}

/** The action a request (e.g. a modal view) already added. */
export async function findActionBySourceKey(db: Kysely<Database>, key: string): Promise<FollowUpAction | undefined> {
  const row = await base(db).where('a.source_key', '=', key).executeTakeFirst();
  return row ? toAction(row) : undefined;
}

/** Locks an action row for a change; returns its current status and owner. */
export async function lockAction(db: Kysely<Database>, id: string) {
  return db.selectFrom('follow_up_actions').select(['id', 'status', 'owner_id', 'incident_id', 'due_date', 'snoozed_until']).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Actions by id, in no particular order. */
export async function findActionsByIds(db: Kysely<Database>, ids: string[]): Promise<FollowUpAction[]> {
  if (!ids.length) return [];
  const rows = await base(db).where('a.id', 'in', ids).execute();
  return rows.map(toAction);
}

/** Open actions of these owners (for reminders: no count, no paging). */
export async function openActionsOf(db: Kysely<Database>, ownerIds: string[]): Promise<FollowUpAction[]> {
  if (!ownerIds.length) return [];
  const rows = await base(db).where('a.owner_id', 'in', ownerIds).where('a.status', '=', 'open').execute();
  return rows.map(toAction);
}

/** Which actions a list shows. */
export interface ActionFilter {
  teamId?: string;
  incidentId?: string;
  ownerIds?: string[];
  status?: 'open' | 'done';
  /** Open actions due before this day. */
  overdueBefore?: string;
  limit: number;
}

/** Actions most urgent first: open before done, then by due date, then oldest first. */
export async function listActions(db: Kysely<Database>, f: ActionFilter): Promise<{ actions: FollowUpAction[]; total: number }> {
  let q = joined(db);
  if (f.teamId) q = q.where('i.team_id', '=', f.teamId);
  if (f.incidentId) q = q.where('a.incident_id', '=', f.incidentId);
  if (f.ownerIds) q = q.where('a.owner_id', 'in', f.ownerIds.length ? f.ownerIds : ['']);
  if (f.status) q = q.where('a.status', '=', f.status);
  if (f.overdueBefore) q = q.where('a.status', '=', 'open').where('a.due_date', '<', f.overdueBefore);
  const [rows, count] = await Promise.all([
    withColumns(q).orderBy(sql`a.status = 'done'`).orderBy('a.due_date').orderBy('a.id').limit(f.limit).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { actions: rows.map(toAction), total: Number(count.n) };
}

/** Inserts an action; undefined when its source key was already used. */
export async function insertAction(
  db: Kysely<Database>,
  a: { incidentId: string; title: string; ownerId: string; team: string | null; dueDate: string; priority: FollowUpAction['priority']; trackerUrl: string | null; createdBy: string; at: Date; sourceKey: string | null },
): Promise<string | undefined> {
  const row = await db
    .insertInto('follow_up_actions')
    .values({
      incident_id: a.incidentId,
      title: a.title,
      owner_id: a.ownerId,
      team: a.team,
      due_date: a.dueDate,
      priority: a.priority,
      tracker_url: a.trackerUrl,
      created_by: a.createdBy,
      created_at: a.at,
      updated_at: a.at,
      source_key: a.sourceKey,
      snoozed_until: null,
      done_by: null,
    })
    .onConflict((oc) => oc.column('source_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Applies column changes to one action. */
export async function updateAction(db: Kysely<Database>, id: string, changes: Updateable<FollowUpActionsTable>): Promise<void> {
  await db.updateTable('follow_up_actions').set(changes).where('id', '=', id).execute();
}
