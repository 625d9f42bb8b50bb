import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { ReviewCounts } from './metrics.js';

export interface FollowUpStats {
  openActions: number;
  overdueActions: number;
  /** Share of open actions past their due date, in percent (null when none are open). */
  overduePct: number | null;
  /** Reviews published of the reviews required for the period's incidents. */
  reviewsRequired: number;
  reviewsPublished: number;
  reviewCompletionPct: number | null;
}

/** Open and overdue follow-up actions, now and workspace-wide (they outlive periods). */
export async function actionCounts(db: Db, q: { teamId?: string; now: Date }): Promise<{ open: number; overdue: number }> {
  const today = q.now.toISOString().slice(0, 10);
  const team = q.teamId ? sql`and i.team_id = ${q.teamId}` : sql``;
  const { rows } = await sql<{ open: string; overdue: string }>`
    select count(*) as open, count(*) filter (where a.due_date < ${today}::date) as overdue
    from follow_up_actions a join incidents i on i.id = a.incident_id
    where a.status = 'open' and not i.is_drill ${team}`.execute(db);
  return { open: Number(rows[0]?.open ?? 0), overdue: Number(rows[0]?.overdue ?? 0) };
}

/**
 * Follow-up health: open and overdue actions (actionCounts) and the review completion rate of the
 * period's incidents (from periodFigures).
 */
export function followUpOf(actions: { open: number; overdue: number }, reviews: ReviewCounts): FollowUpStats {
  const pct = (n: number, d: number) => (d ? Math.round((1000 * n) / d) / 10 : null);
  return {
    openActions: actions.open,
    overdueActions: actions.overdue,
    overduePct: pct(actions.overdue, actions.open),
    reviewsRequired: reviews.required,
    reviewsPublished: reviews.published,
    reviewCompletionPct: pct(reviews.published, reviews.required),
  };
}
