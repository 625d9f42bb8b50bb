import type { Migration } from 'kysely/migration';
import * as core from './20261126_0001_core.js';
import * as triage from './20261126_0002_triage.js';
import * as reviews from './20261126_0005_reviews.js';
import * as signals from './20261126_0006_signals.js';
import * as reports from './20261126_0007_reports.js';
import * as preparedness from './20261126_0008_preparedness.js';
import * as audit from './20261126_0009_audit.js';
import * as signalPosts from './20261126_0010_signal_posts.js';
import * as updateDrafts from './20261130_0010_update_drafts.js';
import * as checklistParts from './20261130_0011_checklist_parts.js';
import * as anchors from './20261130_0012_timeline_anchors.js';
import * as declareOrigin from './20261130_0013_declare_origin.js';
import * as taskKindNames from './20261130_0014_task_kind_names.js';
import * as outboxLanes from './20261201_0015_outbox_lanes.js';
import * as servicenowLinks from './20261201_0016_servicenow_links.js';
import * as jiraLinks from './20261203_0001_jira_links.js';
import * as reviewDocumentContent from './20261201_0017_review_document_content.js';
import * as slackUserEmail from './20261201_0018_slack_user_email.js';
import * as servicenowPollLease from './20261202_0001_servicenow_poll_lease.js';
import * as servicenowWatermarks from './20261202_0002_servicenow_watermarks.js';
import * as statusPage from './20261204_0001_status_page.js';
import * as incidentFields from './20261205_0001_incident_fields.js';
import * as keyTimestamps from './20261206_0001_key_timestamps.js';
import * as catchups from './20261206_0002_catchups.js';
import * as statuspageLinks from './20261207_0001_statuspage_links.js';
import * as signalDeliveryFunction from './20261212_0001_signal_delivery_function.js';
import * as timelineLockOrder from './20261213_0001_timeline_lock_order.js';
import * as givenUpTasksIndex from './20261214_0401_given_up_tasks_index.js';
import * as servicenowIdentity from './20261214_0501_servicenow_identity.js';

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Record<string, Migration> = {
  '20261126_0001_core': core,
  '20261126_0002_triage': triage,
  '20261126_0005_reviews': reviews,
  '20261126_0006_signals': signals,
  '20261126_0007_reports': reports,
  '20261126_0008_preparedness': preparedness,
  '20261126_0009_audit': audit,
  '20261126_0010_signal_posts': signalPosts,
  '20261130_0010_update_drafts': updateDrafts,
  '20261130_0011_checklist_parts': checklistParts,
  '20261130_0012_timeline_anchors': anchors,
  '20261130_0013_declare_origin': declareOrigin,
  '20261130_0014_task_kind_names': taskKindNames,
  '20261201_0015_outbox_lanes': outboxLanes,
  '20261201_0016_servicenow_links': servicenowLinks,
  '20261201_0017_review_document_content': reviewDocumentContent,
  '20261201_0018_slack_user_email': slackUserEmail,
  '20261202_0001_servicenow_poll_lease': servicenowPollLease,
  '20261202_0002_servicenow_watermarks': servicenowWatermarks,
  '20261203_0001_jira_links': jiraLinks,
  '20261204_0001_status_page': statusPage,
  '20261205_0001_incident_fields': incidentFields,
  '20261206_0001_key_timestamps': keyTimestamps,
  '20261206_0002_catchups': catchups,
  '20261207_0001_statuspage_links': statuspageLinks,
  '20261212_0001_signal_delivery_function': signalDeliveryFunction,
  '20261213_0001_timeline_lock_order': timelineLockOrder,
  '20261214_0401_given_up_tasks_index': givenUpTasksIndex,
  '20261214_0501_servicenow_identity': servicenowIdentity,
};
