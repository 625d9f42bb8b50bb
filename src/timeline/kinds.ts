import { z } from 'zod';
import { MILESTONES } from '../policy/preparedness.js';
import { FIELD_TYPES } from '../policy/fields-schema.js';
import { TIME_KEYS } from '../timestamps/keys.js';

/*
 * Every kind of timeline row and the payload it carries: the one contract between the code that
 * appends rows and the code that reads them (the timeline, the review document, channel posts).
 * Rows are permanent, so a schema may only grow: a field added later is optional here, and a
 * stored row is parsed once when it is read back (see timeline.ts).
 */

/** One milestone of an exercise's scorecard (drill_scored rows; the scorecard task carries them too). */
export const scorecardRowSchema = z.object({
  milestone: z.enum(MILESTONES),
  label: z.string(),
  /** Minutes from the start, or null when it was not reached. */
  actualMinutes: z.number().nullable(),
  expectedMinutes: z.number().nullable(),
  /** met: on time; late: reached after the expected time; missed: never reached; untimed: nothing expected. */
  outcome: z.enum(['met', 'late', 'missed', 'untimed']),
});
const userId = z.string();
const text = z.string();
/** Ids of our own rows (bigint keys, read as strings). */
const rowId = z.string();
const count = z.number();

/** A person paged for a page level (paging) or a user group paged for an escalation. */
const pagedPeople = z.object({ page_id: rowId, level: count, users: z.array(userId), rotation: z.string().nullable() });
const pagedGroup = z.object({ usergroup: z.string(), users: z.array(userId), escalation: rowId });
const checklistTick = z.object({ run: rowId, source: z.enum(['playbook', 'dr']), checklist: text, item: count, of: count, text, role: z.string().nullable() });
const actionRow = { action_id: rowId, title: text };
const fieldValue = z.union([z.string(), z.number(), z.array(z.string())]);

export const timelinePayloadSchemas = {
  // The incident's lifecycle.
  declared: z.object({
    title: text,
    severity: z.string(),
    kind: z.string(),
    status: z.string(),
    commander: userId.nullable(),
    services: z.array(z.string()),
    description: text,
    /** Only on exercises. */
    drill: z.literal(true).optional(),
    /** Its type (policy incident_types), when it was declared with one. */
    type: z.string().optional(),
  }),
  update: z.object({
    status: z.string(),
    message: text,
    next_update_at: z.string().nullable(),
    /** Audiences besides the channel; not on rows written before audiences existed. */
    audiences: z.array(z.string()).optional(),
  }),
  status_changed: z.object({ from: z.string(), to: z.string() }),
  severity_changed: z.object({ from: z.string(), to: z.string() }),
  note: z.object({ text }),
  resolved: z.object({ summary: text, audiences: z.array(z.string()).optional() }),
  reopened: z.object({ reason: text, was_closed: z.boolean() }),
  closed: z.object({}),
  /** A key timestamp corrected (the recorded one stays; reports use the correction). Times in ISO 8601. */
  timestamp_corrected: z.object({
    key: z.enum(TIME_KEYS),
    /** The time it counted as before (null: it was not set). */
    from: z.string().nullable(),
    to: z.string(),
    reason: text,
  }),
  channel_created: z.object({ channel_id: z.string(), name: z.string() }),
  channel_failed: z.object({ error: z.string() }),
  /** The type changed (`/incident fields`); null: none. */
  type_changed: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  /** One custom field changed; `label` as the policy named it then (the key may leave the policy later). */
  field_changed: z.object({ key: z.string(), label: z.string(), field_type: z.enum(FIELD_TYPES), from: fieldValue.nullable(), to: fieldValue.nullable() }),

  // Triage, roles, escalation.
  role_assigned: z.object({ role: z.string(), label: z.string(), user: userId, previous: userId.nullable() }),
  triaged: z.object({
    priority: z.string(),
    impact: z.string(),
    urgency: z.string(),
    category: z.string(),
    services: z.array(z.string()),
    business_impact: text,
    first: z.boolean(),
  }),
  priority_changed: z.object({ from: z.string().nullable(), to: z.string() }),
  classified: z.object({ classification: z.literal('security_event'), reason: text }),
  escalated: z.object({ from: z.string(), to: z.string(), usergroups: z.array(z.string()), note: text }),
  owners_paged: z.object({ to: z.string(), usergroups: z.array(z.string()), services: z.array(z.string()), note: text }),
  bridge_set: z.object({ url: z.string() }),

  // Pages (escalation pages user groups; paging pages people of a rotation level).
  paged: z.union([pagedGroup, pagedPeople]),
  page_escalated: pagedPeople,
  page_acknowledged: z.object({ page_id: rowId, level: count, after_seconds: count }),
  page_declined: z.object({ page_id: rowId, level: count }),
  page_unanswered: z.object({ page_id: rowId, levels: count }),

  // Vendors, clocks, captured messages.
  vendor_engaged: z.object({ vendor: z.string(), ticket_ref: z.string(), contact: z.string(), response_minutes: count }),
  vendor_responded: z.object({ vendor: z.string(), after_minutes: count, within_contract: z.boolean() }),
  vendor_overdue: z.object({ vendor: z.string(), response_minutes: count }),
  sla_breached: z.object({ clock: z.enum(['response', 'resolution']), priority: z.string(), target_minutes: count, due_at: z.string() }),
  message_captured: z.object({ channel: z.string(), ts: z.string(), text, author: userId.nullable(), permalink: z.string().nullable() }),
  message_withdrawn: z.object({ ts: z.string() }),

  // Signals.
  signal_linked: z.object({
    group_id: rowId,
    source: z.string(),
    title: text,
    severity: z.string(),
    status: z.string(),
    alerts: count,
    firing: count,
    link: z.string().nullable(),
    how: z.enum(['declared', 'linked', 'auto']),
  }),
  signals_resolved: z.object({ group_id: rowId, title: text, source: z.string() }),

  // Post-incident review, follow-up actions, problems.
  review_required: z.object({ priority: z.string().optional(), due_at: z.string(), owner: userId }),
  review_saved: z.object({ created: z.boolean(), state: z.string(), owner: userId }),
  review_state_changed: z.object({ from: z.string(), to: z.string() }),
  review_document: z.object({ version: count, file_id: z.string(), permalink: z.string(), state: z.string() }),
  action_added: z.object({ ...actionRow, owner: userId, due: z.string(), priority: z.string() }),
  action_done: z.object(actionRow),
  action_reopened: z.object(actionRow),
  action_snoozed: z.object({ ...actionRow, until: z.string() }),
  action_reassigned: z.object({ ...actionRow, from: userId, to: userId }),
  action_escalated: z.object({ ...actionRow, owner: userId, recipient: userId, days_overdue: count, due: z.string() }),
  problem_linked: z.object({ problem_id: rowId, created: z.boolean() }),

  // Preparedness: checklists, drills, DR, changes.
  checklist_posted: z.object({ run: rowId, source: z.enum(['playbook', 'dr']), name: z.string(), checklist: text, items: count }),
  checklist_ticked: checklistTick,
  checklist_unticked: checklistTick,
  drill_inject: z.object({ index: count, at_minutes: count, text }),
  drill_scored: z.object({ scenario: z.string(), met: count, timed: count, rows: z.array(scorecardRowSchema) }),
  dr_activated: z.object({ plan: z.string(), title: text, reason: text, crisis_team: z.string(), to: z.string(), note: text }),
  dr_deactivated: z.object({ plan: z.string(), title: text, active_minutes: count.nullable(), reason: text }),
  changes_shown: z.object({ change_ids: z.array(rowId), refs: z.array(z.string()), reason: z.enum(['declared', 'triaged', 'deployment']) }),
  cause_linked: z.object({ change_id: rowId, ref: z.string(), title: text, previous: rowId.nullable() }),
  cause_cleared: z.object({ change_id: rowId, ref: z.string() }),

  // The ITSM record (ServiceNow incident, Jira issue: table 'issue', sys_id its id, number its key): what was sent to it, and the record as it answered.
  itsm_synced: z.object({
    system: z.enum(['servicenow', 'jira']),
    /** The integration event it carried (incident.declared, incident.updated…). */
    event: z.string(),
    table: z.string(),
    sys_id: z.string(),
    number: z.string(),
    /** True when this sync created the record. */
    created: z.boolean(),
    /** The fields sent, as sent (security incidents: already redacted). */
    sent: z.record(z.string(), z.string()),
    /** The record's state, priority and sys_updated_on after the write. */
    remote: z.record(z.string(), z.string()),
  }),
  /** A change made in ServiceNow by someone else: a work note or comment, a state change, or one that could not be carried over. */
  itsm_received: z.object({
    system: z.enum(['servicenow', 'jira']),
    change: z.enum(['journal', 'state', 'field', 'conflict']),
    sys_id: z.string(),
    number: z.string(),
    /** Who made it there (their name, else their user name). */
    author: z.string(),
    text,
    /** work_notes or comments, for a journal entry. */
    element: z.string().optional(),
    journal_id: z.string().optional(),
    /** The record's new state, for a state change. */
    state: z.string().optional(),
    /** The field changed, for a field change or a conflict on a field. */
    field: z.string().optional(),
  }),

  /** The incident's issue was moved to Done there; a commander or deputy decided the incident stays open (the issue goes back to In Progress). */
  itsm_kept_open: z.object({ system: z.enum(['jira']), number: z.string(), state: z.string() }),

  // The public status page: a post waiting for a second person's approval, and a post as published.
  public_post_proposed: z.object({ post_id: rowId, status: z.string(), title: text, approvers: z.array(z.string()) }),
  public_post_published: z.object({
    post_id: rowId,
    status: z.string(),
    title: text,
    body: text,
    components: z.array(z.object({ name: z.string(), state: z.string() })),
    approved_by: userId.nullable(),
  }),
} satisfies Record<string, z.ZodType<Record<string, unknown>>>;

/** Kinds of timeline rows. Rows are only ever appended. */
export type TimelineKind = keyof typeof timelinePayloadSchemas;

/** The payload each kind of row carries. */
export type TimelinePayloads = { [K in TimelineKind]: z.infer<(typeof timelinePayloadSchemas)[K]> };

/** The schema of one kind, typed by the kind (indexing the map with a type parameter loses the link). */
export function timelinePayloadSchema<K extends TimelineKind>(kind: K): z.ZodType<TimelinePayloads[K]> {
  return timelinePayloadSchemas[kind] as unknown as z.ZodType<TimelinePayloads[K]>;
}

export function isTimelineKind(kind: string): kind is TimelineKind {
  return Object.hasOwn(timelinePayloadSchemas, kind);
}
