import type { Kysely } from 'kysely';
import type { Change } from '../changes/change.js';
import type { ServiceContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { DomainError } from '../incidents/errors.js';
import type { StatusPagePolicy } from '../policy/status-page-schema.js';
import type { PublicMaintenance } from '../statuspage/types.js';
import { pageChanged, type StatusPublishers } from './changed.js';
import { HISTORY_DAYS } from './page.js';
import { maintenanceStatus, type Maintenance } from './post.js';
import * as repo from './repository.js';

export const MAINTENANCE_BODY_MAX = 2000;
const DAY = 86_400_000;

/** The maintenance as the Statuspage connector receives it, one revision per published status. */
export function publicMaintenance(m: Maintenance, status = m.publishedStatus ?? 'scheduled'): PublicMaintenance {
  return {
    changeId: m.changeId,
    revision: `${m.changeId}:${m.revision}`,
    title: m.title,
    body: m.body,
    components: m.components,
    scheduledFor: m.startsAt.toISOString(),
    scheduledUntil: m.endsAt.toISOString(),
    status,
  };
}

/**
 * Scheduled maintenance from change records: only changes recorded with "publish as maintenance",
 * on the components behind the change's services; scheduled before its window, in progress during
 * it, completed after. A change the CAB rejected leaves the page.
 */
export class MaintenanceService {
  constructor(
    private readonly ctx: ServiceContext,
    readonly page: StatusPagePolicy,
    /** Who else hears of maintenance published and withdrawn (a connector). */
    private readonly publishers: readonly StatusPublishers[] = [],
  ) {}

  /** The maintenance as last published (its latest revision), unless it left the page. */
  async published(changeId: string): Promise<PublicMaintenance | undefined> {
    const m = await repo.findMaintenance(this.ctx.db, changeId);
    return m?.publishedStatus ? publicMaintenance(m) : undefined;
  }

  /** Components behind the change's services. */
  componentsFor(services: string[]): string[] {
    const names = new Set(services.map((s) => s.toLowerCase()));
    return this.page.components.filter((c) => c.services.some((s) => names.has(s.toLowerCase()))).map((c) => c.name);
  }

  /** Publishes a change as maintenance, in the change's own transaction. */
  async schedule(trx: Kysely<Database>, change: Change, opts: { body: string; actorId: string }): Promise<void> {
    const components = this.componentsFor(change.services);
    if (!components.length) throw new DomainError('invalid_input', `None of this change's services is on the status page (components: ${this.page.components.map((c) => c.name).join(', ')}).`, 'publishMaintenance');
    const body = opts.body.trim() || `Scheduled maintenance on ${components.join(', ')}.`;
    if (body.length > MAINTENANCE_BODY_MAX) throw new DomainError('invalid_input', `Keep the public text to ${MAINTENANCE_BODY_MAX} characters.`, 'maintenanceText');
    await repo.insertMaintenance(trx, { changeId: change.id, title: change.title, body, components, createdBy: opts.actorId, createdAt: this.ctx.clock.now() });
    await this.refresh(trx, this.ctx.clock.now(), change.id);
  }

  /**
   * Publishes each maintenance whose status moved (its window started or ended) since it was last
   * published: run by a job every minute, and when one is scheduled.
   */
  async refresh(db: Kysely<Database>, now: Date, onlyChangeId?: string): Promise<number> {
    const due = (await repo.maintenancesSince(db, new Date(now.getTime() - HISTORY_DAYS * DAY))).filter((m) => (!onlyChangeId || m.changeId === onlyChangeId) && maintenanceStatus(m, now) !== m.publishedStatus);
    for (const m of due) {
      const status = maintenanceStatus(m, now);
      const revision = await repo.recordMaintenanceStatus(db, m.changeId, status);
      for (const p of this.publishers) await p.maintenance?.(db, publicMaintenance({ ...m, revision, publishedStatus: status }));
    }
    if (due.length) await pageChanged(db, Boolean(this.page.export_dir));
    return due.length;
  }

  /** The job's run: one transaction, rows locked, so two replicas never publish the same step twice. */
  async tick(now: Date): Promise<number> {
    const n = await this.ctx.db.transaction().execute(async (trx) => {
      await repo.maintenancesSince(trx, new Date(now.getTime() - HISTORY_DAYS * DAY), { forUpdate: true });
      // A change the CAB rejected has left the page: its static copy is written again, and the
      // publishers (Statuspage) take it back too.
      const withdrawn = await repo.withdrawRejected(trx);
      for (const changeId of withdrawn) for (const p of this.publishers) await p.maintenanceWithdrawn?.(trx, changeId);
      if (withdrawn.length) await pageChanged(trx, Boolean(this.page.export_dir));
      return withdrawn.length + (await this.refresh(trx, now));
    });
    if (n) this.ctx.tasks.kick();
    return n;
  }
}
