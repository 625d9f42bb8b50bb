import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { enqueueTask } from '../outbox/tasks.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { PublicIncidentPost, PublicMaintenance } from '../statuspage/types.js';

/** Outbox task kinds of the status page (payloads in outbox/kinds.ts). */
export const StatusTask = {
  approval: 'status.approval',
  published: 'status.published',
  proposeResolved: 'status.propose_resolved',
  export: 'status.export',
  connectorFailing: 'status.connector_failing',
} as const satisfies Record<string, TaskKind>;

/**
 * Who else hears of what the page publishes (the Statuspage connector): called inside the
 * publishing transaction, so what they queue commits with it.
 */
export interface StatusPublishers {
  post?(trx: Kysely<Database>, post: PublicIncidentPost): Promise<void>;
  maintenance?(trx: Kysely<Database>, maintenance: PublicMaintenance): Promise<void>;
  /** A change's maintenance left the page (the CAB rejected the change). */
  maintenanceWithdrawn?(trx: Kysely<Database>, changeId: string): Promise<void>;
}

/** The page changed: its static copy is written again (once, however many changes are pending). */
export async function pageChanged(trx: Kysely<Database>, exporting: boolean): Promise<void> {
  if (exporting) await enqueueTask(trx, { kind: StatusTask.export, dedupeKey: 'status.export' });
}
