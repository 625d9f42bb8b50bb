import { z } from 'zod';
import { integrationEventSchema } from '../integrations/events.js';
import { scorecardRowSchema } from '../timeline/kinds.js';

/*
 * Every kind of outbox task and the payload it carries: the contract between the change that queues
 * a side effect and the handler that carries it out. Kinds are named `<domain>.<verb or thing>`,
 * the domain in the singular. A renamed kind needs a migration of pending rows (tasks queued by the
 * previous version); a payload field added later is optional here, as rows already queued lack it.
 */

/** Ids of our own rows (bigint keys, read as strings). */
const rowId = z.string();
const none = z.object({});

/** Something the channel (and maybe a person) must be told about, once per `key`. */
export const clockAlertSchema = z.discriminatedUnion('kind', [
  z.object({ key: z.string(), kind: z.literal('no_commander'), minutes: z.number() }),
  z.object({ key: z.string(), kind: z.literal('update_overdue'), dueAt: z.string(), everyMinutes: z.number().nullable(), notify: z.string().nullable() }),
  z.object({
    key: z.string(),
    kind: z.enum(['sla_warning', 'sla_breach']),
    clock: z.enum(['response', 'resolution']),
    priority: z.string(),
    targetMinutes: z.number(),
    dueAt: z.string(),
    notify: z.string().nullable(),
  }),
  z.object({ key: z.string(), kind: z.literal('vendor_overdue'), engagementId: z.string(), vendor: z.string(), ticketRef: z.string().nullable(), responseMinutes: z.number() }),
]);

/** An exercise's scorecard, as posted at its end. */
export const scorecardSchema = z.object({
  scenario: z.string(),
  title: z.string(),
  startedAt: z.string(),
  rows: z.array(scorecardRowSchema),
  met: z.number(),
  timed: z.number(),
  injectsSent: z.number(),
  injectsPlanned: z.number(),
});

export const taskPayloadSchemas = {
  /** Create the channel, invite, post and pin the card, set topic and bookmark, announce. */
  'incident.provision': none,
  /** Bring the card, topic and announcement in line with the stored incident. */
  'incident.sync': none,
  /** Post a timeline event (update, resolution…) to the channel, or mirror it to the announcement thread. */
  'incident.broadcast': z.object({ eventId: rowId, target: z.enum(['channel', 'announcement']) }),
  /** Send an update to one audience destination (business channel, executive channel or a DM) from its template. */
  'incident.deliver': z.object({ eventId: rowId, audience: z.enum(['technical', 'business', 'executive']), channel: z.string().optional(), user: z.string().optional() }),
  /** Record the incident's timeline chain head and post it to its channel. */
  'audit.seal': z.object({ reason: z.enum(['resolved', 'closed']) }),
  /** Send the catch-up, ephemerally in the incident's channel, to someone who just joined it. */
  'catchup.post': z.object({ userId: z.string() }),
  /** Tell a new role holder what the role asks of them. */
  'role.welcome': z.object({ role: z.string(), userId: z.string() }),
  /** Page Slack user groups for an escalation, an owner team or a crisis team (invite, mention, announce). */
  'escalation.page': z.object({ eventId: rowId, usergroups: z.array(z.string()) }),
  /** Add (or update) the channel's bridge-call bookmark. */
  'escalation.bridge': z.object({ url: z.string() }),
  /** Post the weekly report. */
  'report.weekly': z.object({ week: z.string(), at: z.string() }),
  /** Announce a nag or SLA alert in the channel (and to whoever it names). */
  'clock.alert': clockAlertSchema,
  /** Post a checklist; re-render it from its stored ticks. */
  'checklist.post': z.object({ runId: rowId }),
  'checklist.render': z.object({ runId: rowId }),
  /** Post an exercise inject; post the exercise's scorecard. */
  'drill.inject': z.object({ index: z.number(), atMinutes: z.number(), text: z.string() }),
  'drill.scorecard': z.object({ scorecard: scorecardSchema }),
  /** Announce a DR activation or deactivation (the timeline event). */
  'dr.announce': z.object({ eventId: rowId }),
  /** Show the recent changes on the incident's services; request, decide and acknowledge a change. */
  'change.recent': z.object({ changeIds: z.array(rowId), reason: z.enum(['declared', 'triaged', 'deployment']) }),
  'change.cab': z.object({ changeId: rowId }),
  'change.decided': z.object({ changeId: rowId }),
  'change.recorded': z.object({ changeId: rowId }),
  /** (Re)generate the review document, post it to the channel, and point the bookmark at it. */
  'review.document': none,
  /** DM the review owner that the review is theirs, with a button to write it. */
  'review.notify_owner': z.object({ ownerId: z.string(), by: z.string().nullable() }),
  /** DM an action's new owner that it is theirs. */
  'action.notify_owner': z.object({ actionId: rowId, by: z.string() }),
  /** Re-render a sent digest or escalation DM in place after one of its actions changed. */
  'reminder.refresh': z.object({ sendId: rowId }),
  /** Tell the channel a problem record was opened from it. */
  'problem.announce': z.object({ problemId: rowId, by: z.string() }),
  /** DM one page target with Acknowledge / Decline. */
  'paging.notify': z.object({ targetId: rowId }),
  /** Bring a target's DM in line with the page (acknowledged, escalated, cancelled…). */
  'paging.refresh': z.object({ targetId: rowId }),
  /** Invite paged people to the incident channel (runs after the channel exists). */
  'paging.invite': z.object({ users: z.array(z.string()) }),
  /** Tell whoever asked that nobody acknowledged. */
  'paging.unanswered': z.object({ pageId: rowId }),
  /** Send a PagerDuty Events API v2 event. */
  'paging.pagerduty': z.object({ incidentId: rowId, action: z.enum(['trigger', 'acknowledge', 'resolve']) }),
  /** Post or update an alert group's message in its channel. */
  'signal.post': z.object({ groupId: rowId }),
  /** Declare the incident an auto-declare rule asked for. */
  'signal.declare': z.object({ groupId: rowId, episode: z.number() }),
  /** Show the incident's ServiceNow record as a channel bookmark (the card is refreshed by incident.sync). */
  'servicenow.linked': none,
  /** Tell the channel that syncing with ServiceNow fails (once per failing spell). */
  'servicenow.failing': z.object({ error: z.string() }),
  /** Read one ServiceNow record back now: its Business Rule said it changed (POST /webhooks/servicenow). */
  'servicenow.poll': z.object({ sysId: z.string() }),
  /** Show the incident's Jira issue as a channel bookmark (the card is refreshed by incident.sync). */
  'jira.linked': none,
  /** Tell the channel that syncing with Jira fails (once per failing spell). */
  'jira.failing': z.object({ error: z.string() }),
  /** The incident's issue was moved to Done in Jira while the incident is open: ask the channel's commander. */
  'jira.done_there': z.object({ issueKey: z.string(), author: z.string(), status: z.string() }),
  /** A commander or deputy kept the incident open: its issue back to In Progress, with a comment saying who (the Jira lane). */
  'jira.keep_open': z.object({ issueKey: z.string(), decidedBy: z.string() }),
  /** Show the decision on the "moved to Done in Jira" prompt: buttons gone, who chose what. */
  'jira.decided': z.object({ channel: z.string(), ts: z.string(), issueKey: z.string(), decidedBy: z.string(), choice: z.enum(['keep_open', 'resolve']) }),
  /** Ask the incident's approvers to approve a public status page post (a message with the button). */
  'status.approval': z.object({ postId: rowId }),
  /** Tell the channel the status page changed, and close the post's approval request. */
  'status.published': z.object({ postId: rowId }),
  /** After resolving an incident that is on the status page: offer its public "resolved" post. */
  'status.propose_resolved': none,
  /** Write the status page's static copy (policy status_page.export_dir). */
  'status.export': none,
  /** Tell the incident channel that Statuspage keeps refusing (or failing) a published post. */
  'status.connector_failing': z.object({ postId: rowId, error: z.string() }),
  /** Send an approved status page post to Atlassian Statuspage (its own lane). */
  'statuspage.post': z.object({ postId: rowId }),
  /** Send a maintenance's current revision to Atlassian Statuspage (its own lane). */
  'statuspage.maintenance': z.object({ changeId: rowId }),
  /** Hand one integration event, as it was when it happened, to one subscriber (a connector). */
  'integration.deliver': z.object({ subscriber: z.string(), event: integrationEventSchema }),
} satisfies Record<string, z.ZodType<Record<string, unknown>>>;

export type TaskKind = keyof typeof taskPayloadSchemas;

/** The payload each kind of task carries. */
export type TaskPayloads = { [K in TaskKind]: z.infer<(typeof taskPayloadSchemas)[K]> };

/** Kinds whose handler exists only when their feature is configured: PagerDuty needs a routing key. */
export type OptionalTaskKind = 'paging.pagerduty';

/** Kinds that run in an integration subscriber's lane, by that lane's own runner, never in the Slack lane. */
export type IntegrationTaskKind = 'integration.deliver';

/**
 * The features' own lanes (a connector's: see Contribution.lanes) and the kinds each carries; those
 * kinds never run in the Slack lane.
 */
export interface LaneTaskKinds {
  statuspage: 'statuspage.post' | 'statuspage.maintenance';
  jira: 'jira.keep_open';
}

/** A feature's own lane. */
export type FeatureLane = keyof LaneTaskKinds;

/** Kinds that run in a feature's own lane, never in the Slack lane. */
export type LaneTaskKind = LaneTaskKinds[FeatureLane];

/** The feature lane that carries a lane kind. */
export type LaneOf<K extends LaneTaskKind> = { [L in FeatureLane]: K extends LaneTaskKinds[L] ? L : never }[FeatureLane];

/** The schema of one kind, typed by the kind (indexing the map with a type parameter loses the link). */
export function taskPayloadSchema<K extends TaskKind>(kind: K): z.ZodType<TaskPayloads[K]> {
  return taskPayloadSchemas[kind] as unknown as z.ZodType<TaskPayloads[K]>;
}

export function isTaskKind(kind: string): kind is TaskKind {
  return Object.hasOwn(taskPayloadSchemas, kind);
}
