import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Incident } from '../incidents/incident.js';
import type { IncidentHooks } from '../incidents/service.js';
import { enqueueTask } from '../outbox/tasks.js';
import { chainHead, recordChainHead, verifyChains, type ChainHead, type ChainReport } from './verify.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { ServiceContext } from '../context.js';

/** Outbox task: record the incident's chain head and post it to its channel (payload.reason). */
export const AuditTask = { seal: 'audit.seal' } as const satisfies Record<string, TaskKind>;

/** The timeline's tamper evidence, for commands, exports and reviews. */
export class AuditService {
  constructor(private readonly ctx: ServiceContext) {}

  /** `posted`: the chain heads found in Slack, compared like the recorded ones. */
  verify(incidentId?: string, posted: ChainHead[] = []): Promise<ChainReport> {
    return verifyChains(this.ctx.db, incidentId, posted);
  }

  head(incidentId: string): Promise<{ seq: number; hash: string } | undefined> {
    return chainHead(this.ctx.db, incidentId);
  }

  /** Records a head that has just been posted (or could not be: no channel). */
  sealed(head: ChainHead, reason: string, postedAt: { channelId: string; ts: string } | null): Promise<void> {
    return recordChainHead(this.ctx.db, head, reason, postedAt);
  }

  /**
   * Seals the timeline when an incident is resolved and when it is closed. The task runs after the
   * incident's earlier side effects, so the head it records includes the rows they wrote.
   */
  hooks(): IncidentHooks {
    const seal = (reason: 'resolved' | 'closed') => (trx: Kysely<Database>, incident: Incident) => enqueueTask(trx, { kind: AuditTask.seal, incidentId: incident.id, payload: { reason } });
    return { resolved: seal('resolved'), closed: seal('closed') };
  }
}
