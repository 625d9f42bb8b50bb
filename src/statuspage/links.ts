/**
 * The link of each published incident or maintenance to its Statuspage incident (table
 * statuspage_links), and the claim that makes each post or revision go out once: a send is claimed
 * (pending, with the time) before its call, recorded as sent after it, and left "unconfirmed" (pending
 * without a time) when the call's outcome is unknown, so the next attempt checks Statuspage first.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** Whose Statuspage incident: an incident's public posts, or a change published as maintenance. */
export type StatuspageSubject = { incidentId: string } | { changeId: string };

export interface StatuspageLink {
  id: string;
  statuspageIncidentId: string | null;
  sentIds: string[];
  lastStatus: string | null;
  /**
   * The send whose call was made but not confirmed, and the name it carried; `inFlight` while its
   * call may still be running (claimed within IN_FLIGHT_SECONDS, by the database's clock, and not ended).
   */
  pending: { sendId: string; name: string | null; inFlight: boolean } | null;
  lastError: string | null;
}

/**
 * The send that deletes a withdrawn maintenance's Statuspage incident. Once it is among a link's sent
 * ids nothing more is sent for that subject.
 */
export const WITHDRAWN_SEND = 'withdrawn';

/** A call made within this long is taken as still running (on another replica); older, its caller died. */
export const IN_FLIGHT_SECONDS = 60;

const column = (s: StatuspageSubject) => ('incidentId' in s ? { incident_id: s.incidentId } : { change_id: s.changeId });

/** The reference written in the Statuspage incident's metadata, to find it again. */
export const subjectRef = (s: StatuspageSubject) => ('incidentId' in s ? `incident:${s.incidentId}` : `change:${s.changeId}`);

export async function findStatuspageLink(db: Db, subject: StatuspageSubject): Promise<StatuspageLink | undefined> {
  const [col, value] = Object.entries(column(subject))[0] as ['incident_id' | 'change_id', string];
  const row = await db
    .selectFrom('statuspage_links')
    .select(['id', 'statuspage_incident_id', 'sent_ids', 'last_status', 'pending_send', 'pending_name', 'last_error', sql<boolean>`coalesce(pending_at > now() - make_interval(secs => ${IN_FLIGHT_SECONDS}), false)`.as('in_flight')])
    .where(col, '=', value)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    statuspageIncidentId: row.statuspage_incident_id,
    sentIds: row.sent_ids,
    lastStatus: row.last_status,
    pending: row.pending_send === null ? null : { sendId: row.pending_send, name: row.pending_name, inFlight: row.in_flight },
    lastError: row.last_error,
  };
}

/** The subject's link, created (no Statuspage incident yet) if it has none. */
export async function ensureStatuspageLink(db: Db, subject: StatuspageSubject): Promise<StatuspageLink> {
  await db.insertInto('statuspage_links').values(column(subject)).onConflict((oc) => oc.column('incident_id' in column(subject) ? 'incident_id' : 'change_id').doNothing()).execute();
  return (await findStatuspageLink(db, subject))!;
}

/**
 * Claims a send: answers false when it was sent already, another call is pending (in flight, or
 * unconfirmed and not yet checked) or the subject was withdrawn, so two replicas never make the same
 * call and nothing follows a withdrawal.
 */
export async function claimSend(db: Db, linkId: string, sendId: string, name: string | null): Promise<boolean> {
  const r = await db
    .updateTable('statuspage_links')
    .set({ pending_send: sendId, pending_name: name, pending_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', linkId)
    .where('pending_send', 'is', null)
    .where(sql<boolean>`not (sent_ids && ${[sendId, WITHDRAWN_SEND]}::text[])`)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/**
 * A send confirmed (by its answer, or found on Statuspage): the incident id is kept and the pending
 * claim cleared. A withdrawal of a subject that has no Statuspage incident keeps none (null).
 */
export async function recordSent(db: Db, linkId: string, sent: { statuspageIncidentId: string | null; sendId: string; status: string }): Promise<void> {
  await db
    .updateTable('statuspage_links')
    .set({
      statuspage_incident_id: sql`coalesce(${sent.statuspageIncidentId}::text, statuspage_incident_id)`,
      sent_ids: sql`(select array_agg(distinct s) from unnest(sent_ids || ${[sent.sendId]}::text[]) as s)`,
      last_status: sent.status,
      pending_send: sql`case when pending_send = ${sent.sendId} then null else pending_send end`,
      pending_name: sql`case when pending_send = ${sent.sendId} then null else pending_name end`,
      pending_at: sql`case when pending_send = ${sent.sendId} then null else pending_at end`,
      last_error: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', linkId)
    .execute();
}

/** The Statuspage incident found for a link that had none stored (a create whose answer was lost). */
export async function recordFound(db: Db, linkId: string, statuspageIncidentId: string): Promise<void> {
  await db.updateTable('statuspage_links').set({ statuspage_incident_id: statuspageIncidentId, updated_at: sql`now()` }).where('id', '=', linkId).where('statuspage_incident_id', 'is', null).execute();
}

/**
 * A failed send. `applied: 'no'` (refused, rate-limited) clears the claim; `'unknown'` (no answer, 5xx)
 * keeps it, unconfirmed, for the next attempt to check.
 */
export async function recordFailed(db: Db, linkId: string, sendId: string, applied: 'no' | 'unknown', error: string): Promise<void> {
  const mine = sql<boolean>`pending_send = ${sendId}`;
  await db
    .updateTable('statuspage_links')
    .set({
      pending_send: applied === 'no' ? sql`case when ${mine} then null else pending_send end` : sql`pending_send`,
      pending_name: applied === 'no' ? sql`case when ${mine} then null else pending_name end` : sql`pending_name`,
      pending_at: sql`case when ${mine} then null else pending_at end`,
      last_error: error.slice(0, 2000),
      updated_at: sql`now()`,
    })
    .where('id', '=', linkId)
    .execute();
}

/** A pending send checked against Statuspage and not found there: it can be claimed again. */
export async function clearPending(db: Db, linkId: string, sendId: string): Promise<void> {
  await db.updateTable('statuspage_links').set({ pending_send: null, pending_name: null, pending_at: null, updated_at: sql`now()` }).where('id', '=', linkId).where('pending_send', '=', sendId).execute();
}

/** A subject whose last send failed (being retried, or given up), for showing where it can be seen. */
export interface FailingStatuspageLink {
  subject: StatuspageSubject;
  statuspageIncidentId: string | null;
  lastError: string;
  since: Date;
}

/** Links whose last send failed, the most recent first. */
export async function failingStatuspageLinks(db: Db, limit: number): Promise<FailingStatuspageLink[]> {
  const rows = await db
    .selectFrom('statuspage_links')
    .select(['incident_id', 'change_id', 'statuspage_incident_id', 'last_error', 'updated_at'])
    .where('last_error', 'is not', null)
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    subject: r.incident_id !== null ? { incidentId: r.incident_id } : { changeId: r.change_id! },
    statuspageIncidentId: r.statuspage_incident_id,
    lastError: r.last_error!,
    since: r.updated_at,
  }));
}
