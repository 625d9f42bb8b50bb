import { sql, type Kysely, type Updateable } from 'kysely';
import type { Database, ReviewsTable } from '../db/schema.js';
import { toReview, type Review, type ReviewContent } from './review.js';

/** The review of an incident (locked for the transaction with forUpdate). */
export async function findReview(db: Kysely<Database>, incidentId: string, opts: { forUpdate?: boolean } = {}): Promise<Review | undefined> {
  let q = db.selectFrom('reviews').selectAll().where('incident_id', '=', incidentId);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toReview(row) : undefined;
}

/** The review form's fields as columns. */
export function contentColumns(c: ReviewContent) {
  return {
    summary: c.summary,
    customer_impact: c.customerImpact,
    root_cause: c.rootCause,
    root_cause_confirmed: c.rootCauseConfirmed,
    contributing_factors: c.contributingFactors,
    five_whys: c.fiveWhys,
    went_well: c.wentWell,
    went_badly: c.wentBadly,
    lessons: c.lessons,
    owner_id: c.ownerId,
    meeting_date: c.meetingDate,
  };
}

/** Inserts a review, or returns undefined when the incident already has one. */
export async function insertReview(
  db: Kysely<Database>,
  r: { incidentId: string; ownerId: string; createdBy: string; dueAt: Date | null; at: Date; content?: ReviewContent },
): Promise<Review | undefined> {
  const row = await db
    .insertInto('reviews')
    .values({
      incident_id: r.incidentId,
      owner_id: r.ownerId,
      created_by: r.createdBy,
      due_at: r.dueAt,
      created_at: r.at,
      updated_at: r.at,
      owner_notified: null,
      doc_file_id: null,
      doc_permalink: null,
      bookmark_id: null,
      published_by: null,
      meeting_date: null,
      ...(r.content ? { ...contentColumns(r.content), revision: 1 } : {}),
    })
    .onConflict((oc) => oc.column('incident_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toReview(row) : undefined;
}

/** Updates a review; `bump` marks a change the document should show. */
export async function updateReview(db: Kysely<Database>, incidentId: string, changes: Updateable<ReviewsTable>, opts: { bump?: boolean; at?: Date } = {}): Promise<Review> {
  const row = await db
    .updateTable('reviews')
    .set({ ...changes, ...(opts.bump ? { revision: sql<number>`revision + 1` } : {}), ...(opts.at ? { updated_at: opts.at } : {}) })
    .where('incident_id', '=', incidentId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toReview(row);
}
