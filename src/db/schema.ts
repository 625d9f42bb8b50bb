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
  changes: ChangesTable;
  checklist_runs: ChecklistRunsTable;
  checklist_ticks: ChecklistTicksTable;
  drills: DrillsTable;
  drill_injects: DrillInjectsTable;
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
  /** An exercise: excluded from metrics and from real paging. */
  is_drill: ColumnType<boolean, boolean | undefined, boolean>;
  /** The change record linked as this incident's cause. */
  caused_by_change_id: string | null;
  /** The DR plan active for this incident, and since when. */
  dr_plan: string | null;
  dr_activated_at: NullableTimestamp;
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

export type ChangeStatus = 'scheduled' | 'pending_approval' | 'approved' | 'rejected' | 'deployed';

/** A change record: planned (from Slack, maybe needing CAB approval) or a deployment reported by CI/CD. */
export interface ChangesTable {
  id: Generated<string>;
  title: string;
  description: string;
  services: ColumnType<string[], string[] | undefined, string[]>;
  starts_at: Timestamp;
  ends_at: Timestamp;
  impact: string | null;
  likelihood: string | null;
  risk: string | null;
  rollback_plan: string;
  implementer_id: string | null;
  implementer_name: string | null;
  requested_by: string;
  source: 'slack' | 'webhook';
  /** The CI/CD system's deployment id: a redelivered webhook is recorded once. */
  external_id: string | null;
  url: string | null;
  status: ChangeStatus;
  cab_channel_id: string | null;
  cab_ts: string | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  decision_note: string | null;
  created_at: Timestamp;
}

/** An interactive checklist posted in an incident channel: a playbook or a DR plan. */
export interface ChecklistRunsTable {
  id: Generated<string>;
  incident_id: string;
  source: 'playbook' | 'dr';
  name: string;
  title: string;
  items: JSONColumnType<{ text: string; role?: string }[]>;
  /** Unique per incident: a playbook is posted once; each DR activation gets its own run. */
  run_key: string;
  started_by: string | null;
  channel_id: string | null;
  message_ts: string | null;
  created_at: Timestamp;
}

/** The items currently ticked (the timeline keeps every tick and untick). */
export interface ChecklistTicksTable {
  run_id: string;
  item_index: number;
  done_by: string;
  done_at: Timestamp;
}

/** An exercise incident's scenario (a snapshot taken at the start) and, once resolved, its scorecard. */
export interface DrillsTable {
  incident_id: string;
  scenario: string;
  script: JSONColumnType<Record<string, unknown>>;
  started_by: string;
  started_at: Timestamp;
  scorecard: JSONColumnType<Record<string, unknown>> | null;
  scored_at: NullableTimestamp;
}

export interface DrillInjectsTable {
  incident_id: string;
  inject_index: number;
  fired_at: Timestamp;
}
