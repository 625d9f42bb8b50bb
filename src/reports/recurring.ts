import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Policy } from '../policy/schema.js';

export interface RecurringIssue {
  service: string;
  category: string;
  count: number;
  numbers: number[];
  last: Date;
}

/**
 * The same service and category seen `recurring_threshold` times or more within
 * `recurring_window_days` (policy): a candidate for a problem record.
 */
export async function recurringIssues(db: Db, policy: Policy, q: { teamId?: string; now: Date }): Promise<RecurringIssue[]> {
  const from = new Date(q.now.getTime() - policy.reports.recurring_window_days * 86_400_000);
  const team = q.teamId ? sql`and i.team_id = ${q.teamId}` : sql``;
  const { rows } = await sql<{ service: string; category: string; n: string; numbers: number[]; last: Date }>`
    select s as service, i.category, count(*) as n, array_agg(i.number order by i.declared_at) as numbers, max(i.declared_at) as last
    from incidents i, unnest(i.services) s
    where i.declared_at >= ${from} and i.declared_at <= ${q.now} and i.classification = 'incident' and not i.is_drill and i.category is not null ${team}
    group by 1, 2
    having count(*) >= ${policy.reports.recurring_threshold}
    order by 3 desc, 5 desc`.execute(db);
  return rows.map((r) => ({ service: r.service, category: r.category, count: Number(r.n), numbers: r.numbers.map(Number), last: r.last }));
}
