import type { Selectable } from 'kysely';
import type { SignalGroupsTable, SignalsTable } from '../db/schema.js';
import type { SignalSeverity } from '../policy/signals-schema.js';
import type { Route } from './routing.js';

/** A group of alerts with one Slack post, one classification and at most one incident. */
export interface SignalGroup {
  id: string;
  source: string;
  groupKey: string;
  episode: number;
  title: string;
  description: string;
  severity: SignalSeverity;
  service: string | null;
  labels: Record<string, string>;
  link: string | null;
  status: 'firing' | 'resolved';
  /** Alerts in the group, counting those the sender left out of its latest delivery. */
  signalCount: number;
  firingCount: number;
  /** How many of them the sender left out (listed neither in the post nor in the signals table). */
  unlistedCount: number;
  /** Deliveries received for the group (one delivery may carry many alerts). */
  deliveryCount: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  route: Route;
  classification: 'incident' | 'not_incident' | 'security_event' | null;
  classificationReason: string | null;
  classifiedBy: string | null;
  classifiedAt: Date | null;
  incidentId: string | null;
  postChannelId: string | null;
  postTs: string | null;
}

/** One alert within a group. */
export interface Signal {
  id: string;
  groupId: string;
  dedupKey: string;
  title: string;
  severity: SignalSeverity;
  status: 'firing' | 'resolved';
  count: number;
  link: string | null;
  lastSeenAt: Date;
}

export function toGroup(row: Selectable<SignalGroupsTable>): SignalGroup {
  return {
    id: row.id,
    source: row.source,
    groupKey: row.group_key,
    episode: row.episode,
    title: row.title,
    description: row.description,
    severity: row.severity as SignalSeverity,
    service: row.service,
    labels: row.labels,
    link: row.link,
    status: row.status,
    signalCount: row.signal_count,
    firingCount: row.firing_count,
    unlistedCount: row.unlisted_count,
    deliveryCount: Number(row.delivery_count),
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    resolvedAt: row.resolved_at,
    route: { ...(row.route as Omit<Route, 'action' | 'channel'>), action: row.route_action, channel: row.channel_id },
    classification: row.classification,
    classificationReason: row.classification_reason,
    classifiedBy: row.classified_by,
    classifiedAt: row.classified_at,
    incidentId: row.incident_id,
    postChannelId: row.post_channel_id,
    postTs: row.post_ts,
  };
}

export function toSignal(row: Selectable<SignalsTable>): Signal {
  return {
    id: row.id,
    groupId: row.group_id,
    dedupKey: row.dedup_key,
    title: row.title,
    severity: row.severity as SignalSeverity,
    status: row.status,
    count: row.count,
    link: row.link,
    lastSeenAt: row.last_seen_at,
  };
}
