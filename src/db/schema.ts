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
  reviews: ReviewsTable;
  follow_up_actions: FollowUpActionsTable;
  action_escalations: ActionEscalationsTable;
  problems: ProblemsTable;
  problem_incidents: ProblemIncidentsTable;
  slack_users: SlackUsersTable;
  reminder_sends: ReminderSendsTable;
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

/** A calendar date as stored in a `date` column: 'YYYY-MM-DD' (see the DATE type parser in database.ts). */
type DateOnly = string;

/** A post-incident review (one per incident) and the record of its generated document. */
export interface ReviewsTable {
  id: Generated<string>;
  incident_id: string;
  state: ColumnType<'draft' | 'in_review' | 'published', 'draft' | 'in_review' | 'published' | undefined, 'draft' | 'in_review' | 'published'>;
  summary: Generated<string>;
  customer_impact: Generated<string>;
  root_cause: Generated<string>;
  root_cause_confirmed: Generated<boolean>;
  contributing_factors: Generated<string>;
  five_whys: Generated<string>;
  went_well: Generated<string>;
  went_badly: Generated<string>;
  lessons: Generated<string>;
  owner_id: string;
  owner_notified: string | null;
  meeting_date: DateOnly | null;
  due_at: NullableTimestamp;
  revision: Generated<number>;
  doc_revision: Generated<number>;
  doc_version: Generated<number>;
  doc_file_id: string | null;
  doc_permalink: string | null;
  doc_generated_at: NullableTimestamp;
  bookmark_id: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  submitted_at: NullableTimestamp;
  published_at: NullableTimestamp;
  published_by: string | null;
}

export interface FollowUpActionsTable {
  id: Generated<string>;
  incident_id: string;
  title: string;
  owner_id: string;
  team: string | null;
  due_date: DateOnly;
  priority: 'high' | 'medium' | 'low';
  tracker_url: string | null;
  status: ColumnType<'open' | 'done', 'open' | 'done' | undefined, 'open' | 'done'>;
  snoozed_until: DateOnly | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  done_at: NullableTimestamp;
  done_by: string | null;
  /** Idempotency key of the request that added it (e.g. the modal's view id). */
  source_key: string | null;
}

export interface ActionEscalationsTable {
  action_id: string;
  recipient_id: string;
  due_date: DateOnly;
  send_key: string;
  created_at: Timestamp;
}

export interface ProblemsTable {
  id: Generated<string>;
  team_id: string;
  title: string;
  description: Generated<string>;
  known_error: Generated<string>;
  workaround: Generated<string>;
  owner_id: string;
  status: ColumnType<'open' | 'known_error' | 'resolved', 'open' | 'known_error' | 'resolved' | undefined, 'open' | 'known_error' | 'resolved'>;
  private: Generated<boolean>;
  resolution: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  resolved_at: NullableTimestamp;
  source_key: string | null;
}

export interface ProblemIncidentsTable {
  problem_id: string;
  incident_id: string;
  linked_by: string;
  linked_at: Timestamp;
}

export interface SlackUsersTable {
  user_id: string;
  name: string;
  real_name: string;
  tz: string | null;
  tz_offset: number;
  deleted: boolean;
  fetched_at: Timestamp;
}

export type ReminderKind = 'digest' | 'escalation' | 'weekly_summary';
export type ReminderStatus = 'pending' | 'sending' | 'sent' | 'skipped' | 'failed' | 'expired';

export interface ReminderSendsTable {
  id: Generated<string>;
  key: string;
  kind: ReminderKind;
  recipient: string;
  local_date: DateOnly;
  status: ColumnType<ReminderStatus, ReminderStatus | undefined, ReminderStatus>;
  payload: JSONColumnType<Record<string, unknown>>;
  not_before: Timestamp;
  expires_at: Timestamp;
  claimed_until: NullableTimestamp;
  claimed_by: string | null;
  attempts: Generated<number>;
  channel_id: string | null;
  message_ts: string | null;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}
