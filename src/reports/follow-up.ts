import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Policy } from '../policy/schema.js';
import { countedIncidents } from './metrics.js';

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

/**
 * Follow-up health: open and overdue actions (now, workspace-wide: they outlive periods) and the
 * review completion rate of the period's incidents.
 */
export async function followUpStats(db: Db, policy: Policy, q: { teamId?: string; from: Date; to: Date; now: Date }): Promise<FollowUpStats> {
  const today = q.now.toISOString().slice(0, 10);
  const team = q.teamId ? sql`and i.team_id = ${q.teamId}` : sql``;
  const actions = await sql<{ open: string; overdue: string }>`
    select count(*) as open, count(*) filter (where a.due_date < ${today}::date) as overdue
    from follow_up_actions a join incidents i on i.id = a.incident_id
    where a.status = 'open' and not i.is_drill ${team}`.execute(db);
  const reviews = await sql<{ required: string; published: string }>`
    with base as (${countedIncidents(policy, q)})
    select count(r.id) as required, count(r.id) filter (where r.state = 'published') as published
    from base join reviews r on r.incident_id = base.id`.execute(db);
  const open = Number(actions.rows[0]?.open ?? 0);
  const overdue = Number(actions.rows[0]?.overdue ?? 0);
  const required = Number(reviews.rows[0]?.required ?? 0);
  const published = Number(reviews.rows[0]?.published ?? 0);
  const pct = (n: number, d: number) => (d ? Math.round((1000 * n) / d) / 10 : null);
  return { openActions: open, overdueActions: overdue, overduePct: pct(overdue, open), reviewsRequired: required, reviewsPublished: published, reviewCompletionPct: pct(published, required) };
}
