import type { Db } from '../db/database.js';
import { toIncident } from '../incidents/incident.js';
import { IncidentTask } from '../incidents/side-effects.js';
import type { ScheduledJob } from '../jobs/scheduler.js';
import { enqueueTask } from '../outbox/tasks.js';
import type { Policy } from '../policy/schema.js';
import type { RoleHolder } from '../roles/repository.js';
import { appendTimeline } from '../timeline/timeline.js';
import type { VendorEngagement } from '../vendors/service.js';
import { dueAlerts, type ClockAlert } from './deadlines.js';
import type { TaskKind } from '../outbox/kinds.js';

/** Outbox task: tell the channel (and the person concerned) about a nag or SLA warning. */
export const ClockTask = { alert: 'clock.alert' } as const satisfies Record<string, TaskKind>;

/**
 * Every 30 seconds: works out which nags and SLA warnings are due for open incidents and fires each
 * once. The `nags` table's primary key is the alert key, so replicas and restarts never double one,
 * and an alert that became due while the app was down fires once when it comes back.
 */
export function clocksJob(db: Db, policy: Policy, onQueued: () => void): ScheduledJob {
  return {
    name: 'incident-clocks',
    cron: '*/30 * * * * *',
    async run(now) {
      const rows = await db.selectFrom('incidents').selectAll().where('resolved_at', 'is', null).where('closed_at', 'is', null).where('classification', '=', 'incident').execute();
      if (!rows.length) return;
      const ids = rows.map((r) => r.id);
      const roleRows = await db.selectFrom('incident_roles').select(['incident_id', 'role', 'user_id', 'assigned_by', 'assigned_at']).where('incident_id', 'in', ids).where('released_at', 'is', null).execute();
      const vendorRows = await db.selectFrom('vendor_engagements').selectAll().where('incident_id', 'in', ids).where('responded_at', 'is', null).execute();
      let queued = false;
      for (const row of rows) {
        const incident = toIncident(row);
        const roles: RoleHolder[] = roleRows.filter((r) => r.incident_id === row.id).map((r) => ({ role: r.role, userId: r.user_id, assignedBy: r.assigned_by, assignedAt: r.assigned_at }));
        const vendors: VendorEngagement[] = vendorRows
          .filter((v) => v.incident_id === row.id)
          .map((v) => ({ id: v.id, incidentId: v.incident_id, vendor: v.vendor, ticketRef: v.ticket_ref, contact: v.contact, responseMinutes: v.response_minutes, engagedAt: v.engaged_at, engagedBy: v.engaged_by, respondedAt: v.responded_at }));
        for (const alert of dueAlerts(policy, { incident, roles, vendors }, now)) {
          if (await fire(db, incident.id, alert, now)) queued = true;
        }
      }
      if (queued) onQueued();
    },
  };
}

async function fire(db: Db, incidentId: string, alert: ClockAlert, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('nags')
      .values({ key: alert.key, incident_id: incidentId, kind: alert.kind, fired_at: now })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claimed) return false;
    if (alert.kind === 'sla_breach') {
      await appendTimeline(trx, { incidentId, actorId: null, kind: 'sla_breached', payload: { clock: alert.clock, priority: alert.priority, target_minutes: alert.targetMinutes, due_at: alert.dueAt }, dedupeKey: alert.key, at: now });
    }
    if (alert.kind === 'vendor_overdue') {
      await appendTimeline(trx, { incidentId, actorId: null, kind: 'vendor_overdue', payload: { vendor: alert.vendor, response_minutes: alert.responseMinutes }, dedupeKey: alert.key, at: now });
    }
    await enqueueTask(trx, { kind: ClockTask.alert, incidentId, payload: alert });
    if (alert.kind === 'sla_warning' || alert.kind === 'sla_breach') await enqueueTask(trx, { kind: IncidentTask.sync, incidentId, dedupeKey: `sync:${incidentId}` });
    return true;
  });
}
