import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { ScheduledJob } from './scheduler.js';

/** Daily clean-up of bookkeeping rows that have served their purpose. Timeline rows are never touched. */
export function housekeepingJob(db: Db): ScheduledJob {
  return {
    name: 'housekeeping',
    cron: '17 3 * * *',
    async run(now) {
      await db.deleteFrom('job_runs').where('fire_time', '<', sql<Date>`${now}::timestamptz - interval '14 days'`).execute();
      await db.deleteFrom('slack_event_receipts').where('received_at', '<', sql<Date>`${now}::timestamptz - interval '2 days'`).execute();
      await db.deleteFrom('update_drafts').where('expires_at', '<', now).execute();
      await db.deleteFrom('slack_tasks').where('done_at', '<', sql<Date>`${now}::timestamptz - interval '30 days'`).where('failed', '=', false).execute();
    },
  };
}
