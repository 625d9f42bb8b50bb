import type { Selectable } from 'kysely';
import type { ReviewsTable } from '../db/schema.js';

/** draft → in_review → published. */
export type ReviewState = 'draft' | 'in_review' | 'published';

/** How a state reads in messages and documents. */
export const REVIEW_STATE_LABEL: Record<ReviewState, string> = { draft: 'draft', in_review: 'in review', published: 'published' };

/** What a person writes in the review form. */
export interface ReviewContent {
  summary: string;
  customerImpact: string;
  rootCause: string;
  rootCauseConfirmed: boolean;
  contributingFactors: string;
  fiveWhys: string;
  wentWell: string;
  wentBadly: string;
  lessons: string;
  ownerId: string;
  /** Review meeting day, YYYY-MM-DD. */
  meetingDate: string | null;
}

/** A post-incident review with the record of its latest generated document. */
export interface Review extends ReviewContent {
  id: string;
  incidentId: string;
  state: ReviewState;
  ownerNotified: string | null;
  dueAt: Date | null;
  revision: number;
  docRevision: number;
  docVersion: number;
  docFileId: string | null;
  docPermalink: string | null;
  docGeneratedAt: Date | null;
  bookmarkId: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  publishedAt: Date | null;
  publishedBy: string | null;
}

/** Maps a stored row to a Review. */
export function toReview(row: Selectable<ReviewsTable>): Review {
  return {
    id: row.id,
    incidentId: row.incident_id,
    state: row.state,
    summary: row.summary,
    customerImpact: row.customer_impact,
    rootCause: row.root_cause,
    rootCauseConfirmed: row.root_cause_confirmed,
    contributingFactors: row.contributing_factors,
    fiveWhys: row.five_whys,
    wentWell: row.went_well,
    wentBadly: row.went_badly,
    lessons: row.lessons,
    ownerId: row.owner_id,
    ownerNotified: row.owner_notified,
    meetingDate: row.meeting_date,
    dueAt: row.due_at,
    revision: row.revision,
    docRevision: row.doc_revision,
    docVersion: row.doc_version,
    docFileId: row.doc_file_id,
    docPermalink: row.doc_permalink,
    docGeneratedAt: row.doc_generated_at,
    bookmarkId: row.bookmark_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    submittedAt: row.submitted_at,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
  };
}
