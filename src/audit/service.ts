import type { Db } from '../db/database.js';
import { chainHead, verifyChains, type ChainReport } from './verify.js';

/** The timeline's tamper evidence, for commands, exports and reviews. */
export class AuditService {
  constructor(private readonly db: Db) {}

  verify(incidentId?: string): Promise<ChainReport> {
    return verifyChains(this.db, incidentId);
  }

  head(incidentId: string): Promise<{ seq: number; hash: string } | undefined> {
    return chainHead(this.db, incidentId);
  }
}
