import type { Clock } from './clock.js';
import type { Db } from './db/database.js';
import type { TaskQueue } from './outbox/queue.js';
import type { Policy } from './policy/schema.js';
import type { TimelineLog } from './timeline/timeline.js';

/** What every service is made with: the database, the policy, the clock, and the outbox's kick. */
export interface ServiceContext {
  db: Db;
  policy: Policy;
  clock: Clock;
  tasks: TaskQueue;
  /** Where timeline rows that no longer parse are reported. */
  timelineLog?: TimelineLog;
}
