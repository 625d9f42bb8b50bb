import type { Selectable } from 'kysely';
import type { IncidentsTable } from '../db/schema.js';
import { parseFieldValues, type FieldValues } from './fields.js';

export const INCIDENT_KINDS = ['service', 'security'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export function isIncidentKind(v: string | undefined): v is IncidentKind {
  return (INCIDENT_KINDS as readonly string[]).includes(v ?? '');
}

/**
 * What a declaration came from, when it came from an alert group: declared by a routing rule
 * ('auto') or by a person from the group's triage post ('manual'). The group is linked to the
 * incident in the declaring transaction.
 */
export interface DeclarationOrigin {
  signalGroupId: string;
  how: 'auto' | 'manual';
}

/** An incident as the rest of the code sees it. */
export interface Incident {
  id: string;
  teamId: string;
  number: number;
  title: string;
  description: string;
  severity: string;
  kind: IncidentKind;
  status: string;
  services: string[];
  commanderId: string | null;
  reporterId: string;
  resolutionSummary: string | null;
  nextUpdateAt: Date | null;
  declaredAt: Date;
  /** When it was noticed, as recorded (corrections live beside it: src/timestamps). */
  detectedAt: Date;
  acknowledgedAt: Date | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  channelId: string | null;
  channelName: string | null;
  cardTs: string | null;
  announceChannelId: string | null;
  announceTs: string | null;
  bookmarkId: string | null;
  provisionedAt: Date | null;
  priority: string | null;
  category: string | null;
  impact: string | null;
  urgency: string | null;
  businessImpact: string | null;
  /** 'security_event': triaged as an event, not an incident (recorded and closed with a reason). */
  classification: 'incident' | 'security_event';
  classificationReason: string | null;
  bridgeUrl: string | null;
  lastUpdateAt: Date | null;
  /** An exercise (`/incident drill`): marked everywhere, excluded from metrics and from real paging. */
  isDrill: boolean;
  causedByChangeId: string | null;
  /** The active disaster-recovery plan, if any. */
  drPlan: string | null;
  drActivatedAt: Date | null;
  /** Its type (policy `incident_types`, by name), or null. */
  type: string | null;
  /** Custom field values by key; a key may belong to a field the policy no longer has. */
  fields: FieldValues;
}

/** How people quote an incident, e.g. `INC-42` (the policy's `number_prefix` and the team's number). */
export function incidentRef(prefix: string, incident: Pick<Incident, 'number'>): string {
  return `${prefix}-${incident.number}`;
}

/** Security incidents are private: their details never leave their own (private) channel. */
export function isPrivate(incident: Pick<Incident, 'kind'>): boolean {
  return incident.kind === 'security';
}

export function isResolved(incident: Pick<Incident, 'resolvedAt'>): boolean {
  return incident.resolvedAt !== null;
}

export function isClosed(incident: Pick<Incident, 'closedAt'>): boolean {
  return incident.closedAt !== null;
}

export function toIncident(row: Selectable<IncidentsTable>): Incident {
  return {
    id: row.id,
    teamId: row.team_id,
    number: row.number,
    title: row.title,
    description: row.description,
    severity: row.severity,
    kind: row.kind,
    status: row.status,
    services: row.services,
    commanderId: row.commander_id,
    reporterId: row.reporter_id,
    resolutionSummary: row.resolution_summary,
    nextUpdateAt: row.next_update_at,
    declaredAt: row.declared_at,
    detectedAt: row.detected_at,
    acknowledgedAt: row.acknowledged_at,
    mitigatedAt: row.mitigated_at,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    channelId: row.channel_id,
    channelName: row.channel_name,
    cardTs: row.card_ts,
    announceChannelId: row.announce_channel_id,
    announceTs: row.announce_ts,
    bookmarkId: row.bookmark_id,
    provisionedAt: row.provisioned_at,
    priority: row.priority,
    category: row.category,
    impact: row.impact,
    urgency: row.urgency,
    businessImpact: row.business_impact,
    classification: row.classification,
    classificationReason: row.classification_reason,
    bridgeUrl: row.bridge_url,
    lastUpdateAt: row.last_update_at,
    isDrill: row.is_drill,
    causedByChangeId: row.caused_by_change_id,
    drPlan: row.dr_plan,
    drActivatedAt: row.dr_activated_at,
    type: row.incident_type,
    fields: parseFieldValues(row.custom_fields),
  };
}
