import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Table types for Kysely. Column names are snake_case as stored. */
export interface Database {
  incident_counters: IncidentCountersTable;
  incidents: IncidentsTable;
  incident_roles: IncidentRolesTable;
  incident_time_corrections: IncidentTimeCorrectionsTable;
  timeline_events: TimelineEventsTable;
  timeline_anchors: TimelineAnchorsTable;
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
  sent_reports: SentReportsTable;
  webhook_rejections: WebhookRejectionsTable;
  signal_groups: SignalGroupsTable;
  signals: SignalsTable;
  oncall_overrides: OncallOverridesTable;
  pages: PagesTable;
  page_targets: PageTargetsTable;
  pagerduty_alerts: PagerdutyAlertsTable;
  healthcheck_state: HealthcheckStateTable;
  reviews: ReviewsTable;
  follow_up_actions: FollowUpActionsTable;
  action_escalations: ActionEscalationsTable;
  problems: ProblemsTable;
  problem_incidents: ProblemIncidentsTable;
  slack_users: SlackUsersTable;
  catchups_sent: CatchupsSentTable;
  reminder_sends: ReminderSendsTable;
  update_drafts: UpdateDraftsTable;
  servicenow_links: ServicenowLinksTable;
  status_posts: StatusPostsTable;
  status_maintenances: StatusMaintenancesTable;
  servicenow_poll_leases: ServicenowPollLeasesTable;
  servicenow_watermarks: ServicenowWatermarksTable;
  servicenow_identity: ServicenowIdentityTable;
  statuspage_links: StatuspageLinksTable;
  jira_links: JiraLinksTable;
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
  /** When it was noticed, as recorded: the first alert's time for one declared from a signal, else the declaration. */
  detected_at: Timestamp;
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
  /** Its type (policy incident_types, by name), if it has one. */
  incident_type: ColumnType<string | null, string | null | undefined, string | null>;
  /** Custom field values by key (JSON); kept when a field leaves the policy. */
  custom_fields: ColumnType<Record<string, unknown>, string | undefined, string>;
}

/** A correction of one key timestamp (append-only; the latest one matching the recorded value applies). */
export interface IncidentTimeCorrectionsTable {
  id: Generated<string>;
  incident_id: string;
  key: string;
  recorded: NullableTimestamp;
  corrected: Timestamp;
  reason: string;
  actor_id: string;
  at: Timestamp;
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

/** A timeline chain head recorded when an incident is resolved or closed (append-only). */
export interface TimelineAnchorsTable {
  id: Generated<string>;
  incident_id: string;
  seq: number;
  hash: string;
  /** What sealed it: `resolved` or `closed`. */
  reason: string;
  /** Where the head was also posted in Slack (none when the incident has no channel). */
  channel_id: string | null;
  message_ts: string | null;
  created_at: Generated<Date>;
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
  /** Tasks of one incident run in order within their lane: `slack`, or `integration:<subscriber>`. */
  lane: Generated<string>;
  /** An integration delivery's key (event and subscriber); unique for good, unlike dedupe_key. */
  idempotency_key: string | null;
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

/** A webhook delivery refused as malformed, kept for inspection. */
export interface WebhookRejectionsTable {
  id: Generated<string>;
  source: string;
  received_at: Timestamp;
  reason: string;
  content_type: string | null;
  body: string;
}

/** Alerts of one source grouped as the tool grouped them (Alertmanager groupKey…): one Slack post each. */
export interface SignalGroupsTable {
  id: Generated<string>;
  source: string;
  group_key: string;
  episode: Generated<number>;
  title: string;
  description: Generated<string>;
  severity: string;
  service: string | null;
  labels: JSONColumnType<Record<string, string>>;
  link: string | null;
  status: 'firing' | 'resolved';
  signal_count: Generated<number>;
  firing_count: Generated<number>;
  /** Alerts the sender left out of its latest delivery (Alertmanager's truncatedAlerts). */
  unlisted_count: Generated<number>;
  delivery_count: ColumnType<string, string | number | undefined, string | number>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  resolved_at: NullableTimestamp;
  route_action: 'triage' | 'declare' | 'drop';
  route: JSONColumnType<Record<string, unknown>>;
  channel_id: string | null;
  classification: 'incident' | 'not_incident' | 'security_event' | null;
  classification_reason: string | null;
  classified_by: string | null;
  classified_at: NullableTimestamp;
  incident_id: string | null;
  version: Generated<number>;
  post_channel_id: string | null;
  post_ts: string | null;
  posted_at: NullableTimestamp;
  post_scheduled_for: NullableTimestamp;
  posting_until: NullableTimestamp;
  /** Raised by every run that claims the post: the claim's fencing token. */
  post_claim: Generated<number>;
}

/** One alert, keyed by source + dedup key (fingerprint): repeats raise the count. */
export interface SignalsTable {
  id: Generated<string>;
  group_id: string;
  source: string;
  dedup_key: string;
  title: string;
  description: Generated<string>;
  severity: string;
  service: string | null;
  labels: JSONColumnType<Record<string, string>>;
  link: string | null;
  status: 'firing' | 'resolved';
  count: Generated<number>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  resolved_at: NullableTimestamp;
}

export interface OncallOverridesTable {
  id: Generated<string>;
  rotation: string;
  user_id: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  created_by: string;
  created_at: Timestamp;
  cancelled_at: NullableTimestamp;
}

/** A page: who is asked to respond, level by level, until someone acknowledges. */
export interface PagesTable {
  id: Generated<string>;
  incident_id: string | null;
  requested_by: string | null;
  reason: string;
  levels: JSONColumnType<Array<{ rotation?: string; users?: string[]; after_minutes: number }>>;
  level: Generated<number>;
  status: 'open' | 'acknowledged' | 'unanswered' | 'cancelled';
  escalate_at: NullableTimestamp;
  created_at: Timestamp;
  acknowledged_at: NullableTimestamp;
  acknowledged_by: string | null;
  source_key: string | null;
}

export interface PageTargetsTable {
  id: Generated<string>;
  page_id: string;
  level: number;
  user_id: string;
  rotation: string | null;
  notified_at: Timestamp;
  dm_channel_id: string | null;
  dm_ts: string | null;
  response: 'acknowledged' | 'declined' | null;
  responded_at: NullableTimestamp;
}

export interface PagerdutyAlertsTable {
  incident_id: string;
  dedup_key: string;
  triggered_at: Timestamp;
  trigger_sent_at: NullableTimestamp;
  acknowledged_at: NullableTimestamp;
  resolved_at: NullableTimestamp;
}

export interface HealthcheckStateTable {
  name: string;
  last_run_at: Timestamp;
  ok: boolean;
  consecutive_failures: Generated<number>;
  alerting: Generated<boolean>;
  last_error: string | null;
  latency_ms: number | null;
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
  /** The text of the document last posted (version doc_version). */
  doc_content: Generated<string | null>;
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
  /** users.info profile.email; null when Slack gave none (a bot, a guest without one). */
  email: ColumnType<string | null, string | null | undefined, string | null>;
  /** users.info is_bot (apps and bot users). */
  is_bot: ColumnType<boolean, boolean | undefined, boolean>;
  fetched_at: Timestamp;
}

/** A catch-up sent to someone who joined an incident's channel (once per person and incident). */
export interface CatchupsSentTable {
  incident_id: string;
  user_id: string;
  at: Timestamp;
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
  /** The checklist's messages, in order (a long one is split over several). */
  parts_ts: ColumnType<string[], string[] | undefined, string[]>;
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

/** An update waiting behind its audience preview (the preview's private_metadata holds only the id). */
export interface UpdateDraftsTable {
  id: Generated<string>;
  incident_id: string;
  author_id: string;
  status: string;
  message: string;
  next_update_minutes: number | null;
  audiences: ColumnType<string[], string[], string[]>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export type ServicenowSyncState = 'pending' | 'synced' | 'failed';

/** How far a ServiceNow query not tied to one incident has been read (its last sys_updated_on). */
export interface ServicenowWatermarksTable {
  name: string;
  updated_on: string;
}

/** The user a ServiceNow instance runs the connector as (learned from its writes; OAuth names none). */
export interface ServicenowIdentityTable {
  instance_url: string;
  user_name: string;
  learned_at: Timestamp;
}

/** A poll of ServiceNow under way (one at a time across replicas). */
export interface ServicenowPollLeasesTable {
  name: string;
  holder: string;
  locked_until: Timestamp;
}

/** An incident's ServiceNow `incident` record, and what the connector knows of it. */
export interface ServicenowLinksTable {
  incident_id: string;
  /** Null until the record is created. */
  sys_id: string | null;
  number: string | null;
  /** Field name → hash of the value last sent or seen (echo suppression, conflicts). */
  field_hashes: ColumnType<Record<string, string>, string | undefined, string>;
  /** Journal entries (sys_journal_field sys_ids) already handled, ours and theirs. */
  journal_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** The record's sys_updated_on when it was last read back. */
  remote_updated_on: string | null;
  sync_state: ColumnType<ServicenowSyncState, ServicenowSyncState | undefined, ServicenowSyncState>;
  last_error: string | null;
  last_synced_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A public post of an incident on the status page: a draft behind its preview, pending approval, or published. */
export interface StatusPostsTable {
  id: Generated<string>;
  incident_id: string;
  author_id: string;
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  title: string;
  body: string;
  /** [{ name, state }]: the status page components it names and their state from then on. */
  components: ColumnType<unknown, string, string>;
  notify: boolean;
  state: 'draft' | 'pending' | 'published';
  approved_by: string | null;
  request_channel: string | null;
  request_ts: string | null;
  created_at: Timestamp;
  published_at: NullableTimestamp;
}

/** A change record published as scheduled maintenance on the status page. */
export interface StatusMaintenancesTable {
  change_id: string;
  title: string;
  body: string;
  components: ColumnType<string[], string[], string[]>;
  /** The status (scheduled, in_progress, completed) last published; null before the first. */
  published_status: string | null;
  revision: Generated<number>;
  created_by: string;
  created_at: Timestamp;
}

/** A published incident's or maintenance's Statuspage incident, and what was sent to it. */
export interface StatuspageLinksTable {
  id: Generated<string>;
  /** Exactly one of incident_id and change_id is set. */
  incident_id: string | null;
  change_id: string | null;
  /** Null until the Statuspage incident is created (or found after an unanswered create). */
  statuspage_incident_id: string | null;
  /** Post or revision ids already sent. */
  sent_ids: ColumnType<string[], string[] | undefined, string[]>;
  last_status: string | null;
  /** The post or revision whose call was made but not confirmed, and the incident name it carried. */
  pending_send: string | null;
  pending_name: string | null;
  /** Set while the pending call runs; null once it ended without an answer. */
  pending_at: NullableTimestamp;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type JiraStatusCategory = 'new' | 'indeterminate' | 'done';

export interface JiraLinksTable {
  id: Generated<string>;
  incident_id: string;
  /** Null for the incident's own issue. */
  action_id: string | null;
  /** Null until the issue is created. */
  issue_id: string | null;
  issue_key: string | null;
  /** The status category last set by the connector or seen in a webhook. */
  status_category: JiraStatusCategory | null;
  sync_state: ColumnType<ServicenowSyncState, ServicenowSyncState | undefined, ServicenowSyncState>;
  last_error: string | null;
  last_synced_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}
