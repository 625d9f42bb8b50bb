import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { KnownTimelineEvent } from './timeline.js';

/** A timeline row just appended (undefined when a dedupe key skipped the append). */
export type AppendedRow = KnownTimelineEvent | undefined;

/**
 * Turns appended timeline rows into integration events for their subscribers. Called in the
 * transaction that appended the row, so the deliveries commit (or roll back) with it.
 */
export interface TimelinePublisher {
  publish(trx: Kysely<Database>, row: AppendedRow): Promise<void>;
}

/** For a process with no subscribers (and tests of other things). */
export const NO_SUBSCRIBERS: TimelinePublisher = { publish: async () => {} };
