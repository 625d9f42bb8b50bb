import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { ChangesTable, Database } from '../db/schema.js';
import { toChange, type Change } from './change.js';

/** Inserts a change; with an external id already recorded, returns undefined. */
export async function insertChange(db: Kysely<Database>, values: Insertable<ChangesTable>): Promise<Change | undefined> {
  const row = await db
    .insertInto('changes')
    .values(values)
    .onConflict((oc) => oc.column('external_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toChange(row) : undefined;
}

export async function findChange(db: Kysely<Database>, id: string, opts: { forUpdate?: boolean } = {}): Promise<Change | undefined> {
  let q = db.selectFrom('changes').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toChange(row) : undefined;
}

export async function findChangeByExternalId(db: Kysely<Database>, externalId: string): Promise<Change | undefined> {
  const row = await db.selectFrom('changes').selectAll().where('external_id', '=', externalId).executeTakeFirst();
  return row ? toChange(row) : undefined;
}

export async function findChanges(db: Kysely<Database>, ids: string[]): Promise<Change[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('changes').selectAll().where('id', 'in', ids).orderBy('starts_at', 'desc').execute();
  return rows.map(toChange);
}

export async function updateChange(db: Kysely<Database>, id: string, changes: Updateable<ChangesTable>): Promise<Change> {
  const row = await db.updateTable('changes').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return toChange(row);
}

/**
 * Changes touching any of `services` (case-insensitive) whose window overlaps [since, until]:
 * started by `until` and not ended before `since`. Rejected changes did not happen and are left out.
 */
export async function changesOnServices(db: Kysely<Database>, services: string[], since: Date, until: Date): Promise<Change[]> {
  if (!services.length) return [];
  const lowered = services.map((s) => s.toLowerCase());
  const rows = await db
    .selectFrom('changes')
    .selectAll()
    .where('status', '!=', 'rejected')
    .where('starts_at', '<=', until)
    .where('ends_at', '>=', since)
    .where(sql<boolean>`exists (select 1 from unnest(services) s where lower(s) = any(${lowered}::text[]))`)
    .orderBy('starts_at', 'desc')
    .limit(50)
    .execute();
  return rows.map(toChange);
}

/** Changes newest first: all of them, or only those whose window ends after `since` (plus any awaiting a decision). */
export async function listChanges(db: Kysely<Database>, opts: { since?: Date; limit: number }): Promise<{ changes: Change[]; total: number }> {
  let base = db.selectFrom('changes');
  if (opts.since) {
    const since = opts.since;
    base = base.where((eb) => eb.or([eb('ends_at', '>=', since), eb('status', '=', 'pending_approval')]));
  }
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('starts_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { changes: rows.map(toChange), total: Number(count.n) };
}

/** Incidents linked to a change as their cause. */
export async function incidentsCausedBy(db: Kysely<Database>, changeId: string): Promise<{ id: string; number: number; title: string; kind: 'service' | 'security'; channelId: string | null; isDrill: boolean }[]> {
  const rows = await db.selectFrom('incidents').select(['id', 'number', 'title', 'kind', 'channel_id', 'is_drill']).where('caused_by_change_id', '=', changeId).orderBy('declared_at').execute();
  return rows.map((r) => ({ id: r.id, number: r.number, title: r.title, kind: r.kind, channelId: r.channel_id, isDrill: r.is_drill }));
}
