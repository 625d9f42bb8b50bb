import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { StatusMaintenancesTable, StatusPostsTable } from '../db/schema.js';
import type { PublicComponentState, PublicIncidentStatus } from '../statuspage/types.js';

export type { PublicComponentState, PublicIncidentStatus };

export const COMPONENT_STATES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const satisfies readonly PublicComponentState[];
export const PUBLIC_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const satisfies readonly PublicIncidentStatus[];

export const STATE_LABELS: Record<PublicComponentState, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

export const STATUS_LABELS: Record<PublicIncidentStatus, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' };

/** How bad a state is, for "the worst of": maintenance is planned, so it yields to any outage. */
export const SEVERITY: Record<PublicComponentState, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };

export const isComponentState = (v: unknown): v is PublicComponentState => (COMPONENT_STATES as readonly unknown[]).includes(v);
export const isPublicStatus = (v: unknown): v is PublicIncidentStatus => (PUBLIC_STATUSES as readonly unknown[]).includes(v);

export interface ComponentChange {
  name: string;
  state: PublicComponentState;
}

const componentChanges = z.array(z.object({ name: z.string(), state: z.enum(COMPONENT_STATES) }));

/** A public post of an incident: a draft behind its preview, pending a second person's approval, or published. */
export interface StatusPost {
  id: string;
  incidentId: string;
  authorId: string;
  status: PublicIncidentStatus;
  title: string;
  body: string;
  /** The components it names and their state from then on (components not named keep theirs). */
  components: ComponentChange[];
  notify: boolean;
  state: 'draft' | 'pending' | 'published';
  approvedBy: string | null;
  requestChannel: string | null;
  requestTs: string | null;
  createdAt: Date;
  publishedAt: Date | null;
}

export function toPost(r: Selectable<StatusPostsTable>): StatusPost {
  return {
    id: r.id,
    incidentId: r.incident_id,
    authorId: r.author_id,
    status: r.status,
    title: r.title,
    body: r.body,
    components: componentChanges.catch([]).parse(r.components),
    notify: r.notify,
    state: r.state,
    approvedBy: r.approved_by,
    requestChannel: r.request_channel,
    requestTs: r.request_ts,
    createdAt: r.created_at,
    publishedAt: r.published_at,
  };
}

export type MaintenanceStatus = 'scheduled' | 'in_progress' | 'completed';

export const MAINTENANCE_LABELS: Record<MaintenanceStatus, string> = { scheduled: 'Scheduled', in_progress: 'In progress', completed: 'Completed' };

/** A change record published as scheduled maintenance; its window is the change's. */
export interface Maintenance {
  changeId: string;
  title: string;
  body: string;
  components: string[];
  startsAt: Date;
  endsAt: Date;
  publishedStatus: MaintenanceStatus | null;
  revision: number;
  createdAt: Date;
}

export function toMaintenance(r: Selectable<StatusMaintenancesTable> & { starts_at: Date; ends_at: Date }): Maintenance {
  return {
    changeId: r.change_id,
    title: r.title,
    body: r.body,
    components: r.components,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    publishedStatus: (r.published_status as MaintenanceStatus | null) ?? null,
    revision: r.revision,
    createdAt: r.created_at,
  };
}

/** Where a maintenance window stands at `now`. */
export function maintenanceStatus(m: Pick<Maintenance, 'startsAt' | 'endsAt'>, now: Date): MaintenanceStatus {
  if (now < m.startsAt) return 'scheduled';
  return now < m.endsAt ? 'in_progress' : 'completed';
}
