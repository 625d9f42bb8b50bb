/**
 * The link of each incident to its ServiceNow `incident` record (table servicenow_links): the
 * record's sys_id and number, hashes of the field values last sent or seen, and the sync state.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, ServicenowSyncState } from '../db/schema.js';
import { givenUpOf, linkFailure } from '../integrations/given-up.js';

export interface ServiceNowLink {
  incidentId: string;
  sysId: string | null;
  number: string | null;
  fieldHashes: Record<string, string>;
  journalIds: string[];
  remoteUpdatedOn: string | null;
  syncState: ServicenowSyncState;
  lastError: string | null;
  lastSyncedAt: Date | null;
}

type Db = Kysely<Database>;

/** A short, stable hash of a field's value (echo suppression: a value we sent comes back with the same hash). */
export function fieldHash(value: string): string {
  return createHash('sha256').update(value.trim()).digest('base64url').slice(0, 22);
}

export function hashesOf(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => k !== 'work_notes' && k !== 'comments').map(([k, v]) => [k, fieldHash(v)]));
}

/** The record's page in the instance's UI. */
export function recordUrl(instanceUrl: string, sysId: string): string {
  return `${instanceUrl}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${sysId}`)}`;
}

export async function findLink(db: Db, incidentId: string): Promise<ServiceNowLink | undefined> {
  const row = await db.selectFrom('servicenow_links').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
  return row && toLink(row);
}

/** The incident's link, created (pending, no record yet) if it has none. */
export async function ensureLink(db: Db, incidentId: string): Promise<ServiceNowLink> {
  await db.insertInto('servicenow_links').values({ incident_id: incidentId }).onConflict((oc) => oc.column('incident_id').doNothing()).execute();
  return (await findLink(db, incidentId))!;
}

/** Records the record the incident is linked to, and the hashes of what it was created with. */
export async function recordLinked(db: Db, incidentId: string, record: { sysId: string; number: string; updatedOn: string | null }, hashes: Record<string, string>): Promise<void> {
  await db
    .updateTable('servicenow_links')
    .set({
      sys_id: record.sysId,
      number: record.number,
      remote_updated_on: record.updatedOn,
      field_hashes: sql`field_hashes || ${JSON.stringify(hashes)}::jsonb`,
      sync_state: 'synced',
      last_error: null,
      last_synced_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('incident_id', '=', incidentId)
    .execute();
}

/** A successful sync: the hashes of the fields sent are remembered. */
export async function recordSynced(db: Db, incidentId: string, hashes: Record<string, string>): Promise<void> {
  await db
    .updateTable('servicenow_links')
    .set({ field_hashes: sql`field_hashes || ${JSON.stringify(hashes)}::jsonb`, sync_state: 'synced', last_error: null, last_synced_at: sql`now()`, updated_at: sql`now()` })
    .where('incident_id', '=', incidentId)
    .execute();
}

/**
 * A failed sync: `failed` once given up, `pending` while it is retried. Answers whether the link was
 * not failing before (so the failure is announced once).
 */
export async function recordSyncError(db: Db, incidentId: string, state: Exclude<ServicenowSyncState, 'synced'>, error: string): Promise<boolean> {
  const before = await db.selectFrom('servicenow_links').select(['last_error']).where('incident_id', '=', incidentId).executeTakeFirst();
  await db.updateTable('servicenow_links').set({ sync_state: state, last_error: error.slice(0, 2000), updated_at: sql`now()` }).where('incident_id', '=', incidentId).execute();
  return before?.last_error === null;
}

function toLink(row: { incident_id: string; sys_id: string | null; number: string | null; field_hashes: Record<string, string>; journal_ids: string[]; remote_updated_on: string | null; sync_state: ServicenowSyncState; last_error: string | null; last_synced_at: Date | null }): ServiceNowLink {
  return {
    incidentId: row.incident_id,
    sysId: row.sys_id,
    number: row.number,
    fieldHashes: row.field_hashes,
    journalIds: row.journal_ids,
    remoteUpdatedOn: row.remote_updated_on,
    syncState: row.sync_state,
    lastError: row.last_error,
    lastSyncedAt: row.last_synced_at,
  };
}

/** The record the connector linked most recently (to check writing on without creating one). */
export async function latestLinked(db: Db): Promise<{ sysId: string; number: string } | undefined> {
  const row = await db.selectFrom('servicenow_links').select(['sys_id', 'number']).where('sys_id', 'is not', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return row?.sys_id && row.number ? { sysId: row.sys_id, number: row.number } : undefined;
}

/** Links to records worth reading back: those of incidents not closed here, or closed in the last day. */
export async function activeLinks(db: Db): Promise<(ServiceNowLink & { sysId: string; number: string })[]> {
  const rows = await db
    .selectFrom('servicenow_links as l')
    .innerJoin('incidents as i', 'i.id', 'l.incident_id')
    .selectAll('l')
    .where('l.sys_id', 'is not', null)
    .where((eb) => eb.or([eb('i.closed_at', 'is', null), eb('i.closed_at', '>', sql<Date>`now() - interval '1 day'`)]))
    .orderBy('l.incident_id')
    .execute();
  return rows.map(toLink).filter((l): l is ServiceNowLink & { sysId: string; number: string } => l.sysId !== null && l.number !== null);
}

/** What a poll learnt of the record: its sys_updated_on, the hashes of the values seen, the journal entries handled. */
export async function recordPolled(db: Db, incidentId: string, seen: { updatedOn: string; hashes: Record<string, string>; journalIds: string[] }): Promise<void> {
  await db
    .updateTable('servicenow_links')
    .set({
      remote_updated_on: seen.updatedOn,
      field_hashes: sql`field_hashes || ${JSON.stringify(seen.hashes)}::jsonb`,
      journal_ids: sql`(select coalesce(array_agg(distinct j), '{}') from unnest(journal_ids || ${seen.journalIds}::text[]) as j)`,
      updated_at: sql`now()`,
    })
    .where('incident_id', '=', incidentId)
    .execute();
}

export interface FailingSync {
  incidentId: string;
  number: number;
  title: string;
  private: boolean;
  channelId: string | null;
  recordNumber: string | null;
  syncState: ServicenowSyncState;
  lastError: string;
  since: Date;
  /** Its deliveries given up (and not sent again since): never applied there, even once the link is in sync again. */
  givenUp: number;
}

/**
 * Incidents whose sync fails now (retried or given up) or that have deliveries given up in `lanes`
 * (the connector's), the most recent first, and how many in all.
 */
export async function failingSyncs(db: Db, limit: number, lanes: readonly string[]): Promise<{ failing: FailingSync[]; total: number }> {
  const givenUp = givenUpOf(lanes, 'l.incident_id');
  const base = db.selectFrom('servicenow_links as l').innerJoin('incidents as i', 'i.id', 'l.incident_id').where((eb) => eb.or([eb('l.last_error', 'is not', null), eb(givenUp.count, '>', 0)]));
  const [rows, count] = await Promise.all([
    base
      .select(['l.incident_id', 'i.number', 'i.title', 'i.kind', 'i.channel_id', 'l.number as record_number', 'l.sync_state', 'l.last_error', 'l.updated_at', givenUp.count.as('given_up'), givenUp.latest.as('latest_given_up')])
      .orderBy('l.updated_at', 'desc')
      .limit(limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(count.n),
    failing: rows.map((r) => ({ incidentId: r.incident_id, number: r.number, title: r.title, private: r.kind === 'security', channelId: r.channel_id, recordNumber: r.record_number, syncState: r.sync_state, ...linkFailure(r) })),
  };
}
