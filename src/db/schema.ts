import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Table types for Kysely. Column names are snake_case as stored. */
export interface Database {
  incident_counters: IncidentCountersTable;
  incidents: IncidentsTable;
  incident_roles: IncidentRolesTable;
  timeline_events: TimelineEventsTable;
  slack_tasks: SlackTasksTable;
  slack_event_receipts: SlackEventReceiptsTable;
  vendor_engagements: VendorEngagementsTable;
  nags: NagsTable;
  job_runs: JobRunsTable;
  sent_reports: SentReportsTable;
}

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface IncidentCountersTable {
  team_id: string;
  last_number: number;
}

export interface IncidentsTable {
  id: Generated<string>;
  team_id: string;
  number: number;
  title: string;
  description: string;
  severity: string;
  kind: 'service' | 'security';
  status: string;
  services: ColumnType<string[], string[] | undefined, string[]>;
  commander_id: string | null;
  reporter_id: string;
  resolution_summary: string | null;
  next_update_at: NullableTimestamp;
  declared_at: Timestamp;
  acknowledged_at: NullableTimestamp;
  mitigated_at: NullableTimestamp;
  resolved_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  /** Idempotency key of the request that declared it (e.g. the modal's view id). */
  source_key: string | null;
  channel_id: string | null;
  channel_name: string | null;
  card_ts: string | null;
  announce_channel_id: string | null;
  announce_ts: string | null;
  bookmark_id: string | null;
  provisioned_at: NullableTimestamp;
  updated_at: Timestamp;
  priority: string | null;
  category: string | null;
  impact: string | null;
  urgency: string | null;
  business_impact: string | null;
  classification: ColumnType<'incident' | 'security_event', 'incident' | 'security_event' | undefined, 'incident' | 'security_event'>;
  classification_reason: string | null;
  bridge_url: string | null;
  last_update_at: NullableTimestamp;
}

export interface VendorEngagementsTable {
  id: Generated<string>;
  incident_id: string;
  vendor: string;
  ticket_ref: string | null;
  contact: string | null;
  response_minutes: number;
  engaged_at: Timestamp;
  engaged_by: string;
  responded_at: NullableTimestamp;
  responded_by: string | null;
}

/** A nag or clock warning already sent; the key makes each fire once across replicas and restarts. */
export interface NagsTable {
  key: string;
  incident_id: string;
  kind: string;
  fired_at: Timestamp;
}

export interface IncidentRolesTable {
  id: Generated<string>;
  incident_id: string;
  role: string;
  user_id: string;
  assigned_by: string;
  assigned_at: Timestamp;
  released_at: NullableTimestamp;
}

export interface TimelineEventsTable {
  id: Generated<string>;
  incident_id: string;
  at: Timestamp;
  actor_id: string | null;
  kind: string;
  payload: JSONColumnType<Record<string, unknown>>;
  /** Set for rows that must be recorded once, e.g. a reaction's event id. */
  dedupe_key: string | null;
  /** Position in the incident's hash chain; set by the database. */
  seq: Generated<number>;
  prev_hash: Generated<string>;
  hash: Generated<string>;
}

export interface SlackTasksTable {
  id: Generated<string>;
  kind: string;
  incident_id: string | null;
  payload: JSONColumnType<Record<string, unknown>>;
  /** While a task with this key is pending, another with the same key is not added. */
  dedupe_key: string | null;
  run_at: Timestamp;
  attempts: Generated<number>;
  locked_until: NullableTimestamp;
  last_error: string | null;
  done_at: NullableTimestamp;
  failed: Generated<boolean>;
  created_at: Timestamp;
}

export interface SlackEventReceiptsTable {
  event_id: string;
  received_at: Timestamp;
}

export interface JobRunsTable {
  name: string;
  fire_time: Timestamp;
  claimed_at: Timestamp;
  finished_at: NullableTimestamp;
  error: string | null;
}

/** A scheduled report already sent, by key (e.g. `weekly:2026-W48`). */
export interface SentReportsTable {
  key: string;
  sent_at: Timestamp;
}
