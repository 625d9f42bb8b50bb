import type { z } from 'zod';
import type { clockAlertSchema } from '../outbox/kinds.js';
import type { Incident } from '../incidents/incident.js';
import type { Policy } from '../policy/schema.js';
import type { RoleHolder } from '../roles/repository.js';
import { effectivePriority, priorityPolicy } from '../triage/priority.js';
import type { VendorEngagement } from '../vendors/service.js';

export type ClockAlert = z.infer<typeof clockAlertSchema>;

export interface ClockState {
  incident: Incident;
  roles: RoleHolder[];
  vendors: VendorEngagement[];
}

const MINUTE = 60_000;

/** The SLA targets that apply to an incident now: due times for response and resolution. */
export function slaTargets(policy: Policy, incident: Incident): { clock: 'response' | 'resolution'; priority: string; minutes: number; dueAt: Date; metAt: Date | null }[] {
  const priority = effectivePriority(policy, incident);
  const p = priorityPolicy(policy, priority);
  const out: ReturnType<typeof slaTargets> = [];
  if (p?.response_minutes) out.push({ clock: 'response', priority, minutes: p.response_minutes, dueAt: new Date(incident.declaredAt.getTime() + p.response_minutes * MINUTE), metAt: incident.acknowledgedAt });
  if (p?.resolution_minutes) out.push({ clock: 'resolution', priority, minutes: p.resolution_minutes, dueAt: new Date(incident.declaredAt.getTime() + p.resolution_minutes * MINUTE), metAt: incident.resolvedAt });
  return out;
}

/** When the next status update is due: the promised time, else the priority's cadence after the last one. */
export function nextUpdateDue(policy: Policy, incident: Incident): { dueAt: Date; everyMinutes: number | null } | undefined {
  const every = priorityPolicy(policy, effectivePriority(policy, incident))?.update_every_minutes ?? null;
  if (incident.nextUpdateAt) return { dueAt: incident.nextUpdateAt, everyMinutes: every };
  if (!every) return undefined;
  const since = incident.lastUpdateAt ?? incident.declaredAt;
  return { dueAt: new Date(since.getTime() + every * MINUTE), everyMinutes: every };
}

/**
 * The nags and clock warnings due for an open incident at `now`. Keys are stable, so the same
 * alert computed by two replicas, or again after a restart, is sent once; repeating nags carry the
 * interval number in their key so they fire once per interval.
 */
export function dueAlerts(policy: Policy, state: ClockState, now: Date): ClockAlert[] {
  const { incident, roles, vendors } = state;
  if (incident.resolvedAt || incident.closedAt || incident.classification !== 'incident') return [];
  const alerts: ClockAlert[] = [];
  const t = now.getTime();
  const commander = incident.commanderId;
  const comms = roles.find((r) => r.role === 'communications')?.userId ?? commander;

  if (!commander) {
    const every = policy.nags.no_commander_minutes * MINUTE;
    const n = Math.floor((t - incident.declaredAt.getTime()) / every);
    if (n >= 1) alerts.push({ key: `no_commander:${incident.id}:${n}`, kind: 'no_commander', minutes: Math.floor((t - incident.declaredAt.getTime()) / MINUTE) });
  }

  const due = nextUpdateDue(policy, incident);
  if (due && t >= due.dueAt.getTime()) {
    const interval = (due.everyMinutes ?? 30) * MINUTE;
    const n = Math.floor((t - due.dueAt.getTime()) / interval);
    alerts.push({ key: `update_overdue:${incident.id}:${due.dueAt.getTime()}:${n}`, kind: 'update_overdue', dueAt: due.dueAt.toISOString(), everyMinutes: due.everyMinutes, notify: comms });
  }

  for (const sla of slaTargets(policy, incident)) {
    if (sla.metAt) continue;
    const start = incident.declaredAt.getTime();
    const warnAt = start + sla.minutes * MINUTE * 0.75;
    const base = { clock: sla.clock, priority: sla.priority, targetMinutes: sla.minutes, dueAt: sla.dueAt.toISOString(), notify: commander };
    if (t >= sla.dueAt.getTime()) alerts.push({ key: `sla_breach:${sla.clock}:${incident.id}:${sla.priority}`, kind: 'sla_breach', ...base });
    else if (t >= warnAt) alerts.push({ key: `sla_warning:${sla.clock}:${incident.id}:${sla.priority}`, kind: 'sla_warning', ...base });
  }

  for (const v of vendors) {
    if (v.respondedAt) continue;
    const dueAt = v.engagedAt.getTime() + v.responseMinutes * MINUTE;
    if (t < dueAt) continue;
    const n = Math.floor((t - dueAt) / (v.responseMinutes * MINUTE));
    alerts.push({ key: `vendor_overdue:${v.id}:${n}`, kind: 'vendor_overdue', engagementId: v.id, vendor: v.vendor, ticketRef: v.ticketRef, responseMinutes: v.responseMinutes });
  }
  return alerts;
}
