/**
 * Deliveries to outside systems that were given up (a connector's lane: retried past its window, or
 * refused for good): listed where people look (`/incident itsm`), and sent again on request.
 *
 * A given-up delivery followed by a later one of the same incident that went through in the same
 * lane is superseded: the later one set the record to a newer state, and sending the older one now
 * would set it back (a reopening after the resolution…). Superseded deliveries are listed for the
 * record but neither counted as failing nor sent again.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';

export interface GivenUpDelivery {
  lane: string;
  /** The integration event's type (incident.resolved…), or the task's kind in a feature lane. */
  what: string;
  /** When its event happened (when it was queued, for a task that carries no event). */
  happenedAt: Date;
  gaveUpAt: Date;
  attempts: number;
  error: string;
  /** A later delivery of the incident in the same lane went through: not sent again. */
  superseded: boolean;
}

/** Whether the task `t` (a slack_tasks alias) is followed by a delivered task of its incident in its lane. */
function supersededSql(t: string): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from slack_tasks later where later.incident_id = ${sql.ref(`${t}.incident_id`)} and later.lane = ${sql.ref(`${t}.lane`)}
    and later.id > ${sql.ref(`${t}.id`)} and later.done_at is not null and not later.failed)`;
}

/** The incident's given-up tasks in these lanes, oldest first (the order they are sent again in). */
export async function givenUpDeliveries(db: Db, incidentId: string, lanes: readonly string[]): Promise<GivenUpDelivery[]> {
  if (!lanes.length) return [];
  const rows = await db
    .selectFrom('slack_tasks')
    .select(['lane', 'kind', sql<string | null>`payload->'event'->>'type'`.as('event_type'), sql<string | null>`payload->'event'->>'occurredAt'`.as('occurred_at'), 'created_at', 'done_at', 'attempts', 'last_error'])
    .select(supersededSql('slack_tasks').as('superseded'))
    .where('incident_id', '=', incidentId)
    .where('lane', 'in', [...lanes])
    .where('failed', '=', true)
    .where('done_at', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ lane: r.lane, what: r.event_type ?? r.kind, happenedAt: r.occurred_at ? new Date(r.occurred_at) : r.created_at, gaveUpAt: r.done_at!, attempts: r.attempts, error: r.last_error ?? '', superseded: r.superseded }));
}

/**
 * Queues the incident's given-up tasks in these lanes again, each with a fresh retry window, except
 * the superseded ones. They keep their place: in each lane they run in their original order, before
 * the incident's later tasks still waiting there. Answers how many were queued again.
 */
export async function redriveGivenUp(db: Db, incidentId: string, lanes: readonly string[]): Promise<number> {
  if (!lanes.length) return 0;
  const r = await db
    .updateTable('slack_tasks')
    .set({ done_at: null, failed: false, attempts: 0, locked_until: null, run_at: sql<Date>`now()`, created_at: sql<Date>`now()` })
    .where('incident_id', '=', incidentId)
    .where('lane', 'in', [...lanes])
    .where('failed', '=', true)
    .where('done_at', 'is not', null)
    .where(sql<boolean>`not ${supersededSql('slack_tasks')}`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * For a query of a connector's links: how many of the link's incident's deliveries in these lanes
 * were given up and not superseded, and the latest of them (its error and when), through
 * slack_tasks_given_up_idx.
 */
export function givenUpOf(lanes: readonly string[], incidentId: string) {
  const of = sql`from slack_tasks g where g.failed and g.incident_id = ${sql.ref(incidentId)} and g.lane in (${sql.join([...lanes])}) and not ${supersededSql('g')}`;
  return {
    count: sql<number>`(select count(*)::int ${of})`,
    latest: sql<{ error: string | null; at: string } | null>`(select json_build_object('error', g.last_error, 'at', g.done_at) ${of} order by g.id desc limit 1)`,
  };
}

/** What a connector's failing link shows: its own error, else (in sync again) that of its latest given-up delivery. */
export function linkFailure(r: { last_error: string | null; updated_at: Date; given_up: number; latest_given_up: { error: string | null; at: string } | null }): { lastError: string; since: Date; givenUp: number } {
  if (r.last_error !== null || !r.latest_given_up) return { lastError: r.last_error ?? '', since: r.updated_at, givenUp: r.given_up };
  return { lastError: r.latest_given_up.error ?? '', since: new Date(r.latest_given_up.at), givenUp: r.given_up };
}
