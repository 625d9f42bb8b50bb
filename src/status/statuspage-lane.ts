import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LaneTaskHandlers } from '../jobs/task-runner.js';
import { PermanentFailure } from '../jobs/task-runner.js';
import { enqueueTask } from '../outbox/tasks.js';
import type { StatusPublishers } from './changed.js';
import type { StatuspageSync } from '../statuspage/sync.js';
import type { PublicIncidentPost, PublicMaintenance } from '../statuspage/types.js';

/** The outbox lane of Statuspage calls: Statuspage being slow or down holds back nothing else. */
export const STATUSPAGE_LANE = 'statuspage';

/**
 * Queues each published post and maintenance revision for Statuspage, in the publishing transaction:
 * a post in its incident's order; a maintenance by its change (the task sends its latest revision, or
 * withdraws it once it left the page).
 */
export function statuspagePublishers(): StatusPublishers {
  const maintenanceTask = (trx: Kysely<Database>, changeId: string) =>
    enqueueTask(trx, { kind: 'statuspage.maintenance', lane: STATUSPAGE_LANE, payload: { changeId }, dedupeKey: `statuspage.maintenance:${changeId}` });
  return {
    post: (trx: Kysely<Database>, post: PublicIncidentPost) => enqueueTask(trx, { kind: 'statuspage.post', incidentId: post.incidentId, lane: STATUSPAGE_LANE, payload: { postId: post.postId }, idempotencyKey: `statuspage.post:${post.postId}` }),
    maintenance: (trx: Kysely<Database>, m: PublicMaintenance) => maintenanceTask(trx, m.changeId),
    maintenanceWithdrawn: maintenanceTask,
  };
}

export interface StatuspageLaneDeps {
  sync: StatuspageSync;
  /** The post as published; undefined when it is not (any more). */
  post(postId: string): Promise<PublicIncidentPost | undefined>;
  /** The maintenance as it stands now (its latest revision); undefined when it left the page (or never was on it). */
  maintenance(changeId: string): Promise<PublicMaintenance | undefined>;
  /** Tells people a post is not getting through (once per post: after its second failure, or a refusal). */
  failing(post: PublicIncidentPost, error: string): Promise<void>;
}

/** Failures before people hear of it; the outbox keeps retrying either way. */
const TELL_AFTER_ATTEMPTS = 2;

/**
 * The lane's handlers: each calls the sync, which sends a post or revision (or deletes a withdrawn
 * maintenance) once however often it is retried.
 */
export function statuspageLaneHandlers(deps: StatuspageLaneDeps) {
  return {
    'statuspage.post': async (task) => {
      const post = await deps.post(task.payload.postId);
      if (!post) throw new PermanentFailure(`status page post ${task.payload.postId} is not published`);
      try {
        await deps.sync.publishIncidentPost(post, { signal: AbortSignal.timeout(60_000) });
      } catch (err) {
        if (err instanceof PermanentFailure || task.attempts >= TELL_AFTER_ATTEMPTS) await deps.failing(post, (err as Error).message);
        throw err;
      }
    },
    'statuspage.maintenance': async (task) => {
      const m = await deps.maintenance(task.payload.changeId);
      const signal = AbortSignal.timeout(60_000);
      // Off the page: its Statuspage incident, if one was created, is deleted (nothing created, no call).
      if (m) await deps.sync.publishMaintenance(m, { signal });
      else await deps.sync.withdrawMaintenance(task.payload.changeId, { signal });
    },
  } satisfies LaneTaskHandlers<typeof STATUSPAGE_LANE>;
}
