import type { Clock } from './clock.js';
import type { Db } from './db/database.js';
import type { TaskQueue } from './outbox/queue.js';
import type { Policy } from './policy/schema.js';
import type { TimelinePublisher } from './timeline/publisher.js';
import type { TimelineLog } from './timeline/timeline.js';

/** What every service is made with: the database, the policy, the clock, the outbox's kick, and the integration events' publisher. */
export interface ServiceContext {
  db: Db;
  policy: Policy;
  clock: Clock;
  tasks: TaskQueue;
  /** Queues the integration events of the timeline rows a service appends, in the same transaction. */
  events: TimelinePublisher;
  /** Where timeline rows that no longer parse are reported. */
  timelineLog?: TimelineLog;
}
