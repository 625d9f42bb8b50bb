import { actionRef } from '../actions/action.js';
import { incidentRef, isPrivate, type Incident } from '../incidents/incident.js';
import { problemRef } from '../problems/problem.js';
import type { KnownTimelineEvent, TimelineKind, TimelinePayloads } from '../timeline/timeline.js';
import { INTEGRATION_EVENT_VERSION, type IncidentSnapshot, type IntegrationEvent, type IntegrationEventData, type IntegrationEventType } from './events.js';

/** What the mapping needs besides the row: the incident as it is in the transaction that appended it. */
export interface MappingContext {
  incident: Incident;
  /** policy number_prefix, e.g. INC. */
  numberPrefix: string;
  /** policy reports.base_url, for the incident's dashboard link. */
  baseUrl?: string;
}

/** One event a row becomes: its type, its data, and what tells it apart from the row's other events of that type. */
type Draft<T extends IntegrationEventType> = T extends IntegrationEventType ? { type: T; data: IntegrationEventData[T]; qualifier?: string } : never;

interface Rule<K extends TimelineKind, T extends IntegrationEventType> {
  /** Every type the rule can produce: a row is only mapped when some subscriber wants one of them. */
  types: readonly T[];
  map(payload: TimelinePayloads[K], incident: Incident): Draft<T>[];
}

const rule = <K extends TimelineKind, T extends IntegrationEventType>(types: readonly T[], map: Rule<K, T>['map']): Rule<K, T> => ({ types, map });
const one = <K extends TimelineKind, T extends IntegrationEventType>(type: T, data: (payload: TimelinePayloads[K], incident: Incident) => IntegrationEventData[T]): Rule<K, T> =>
  rule<K, T>([type], (p, incident) => [{ type, data: data(p, incident) } as Draft<T>]);

/**
 * What each kind of timeline row becomes, or null for rows that stay internal (pages, checklists,
 * clocks, captured messages…). Every kind is listed, so a new kind fails the type check until it
 * is decided whether outside systems hear of it.
 */
const RULES: { [K in TimelineKind]: Rule<K, IntegrationEventType> | null } = {
  declared: one('incident.declared', (p, incident) => ({ title: p.title, description: p.description, severity: p.severity, kind: incident.kind, status: p.status, commander: p.commander, services: p.services })),
  channel_created: one('incident.channel_created', (p) => ({ channelId: p.channel_id, name: p.name })),
  triaged: one('incident.triaged', (p) => ({ priority: p.priority, impact: p.impact, urgency: p.urgency, category: p.category, services: p.services, businessImpact: p.business_impact, first: p.first })),
  priority_changed: one('incident.priority_changed', (p) => ({ from: p.from, to: p.to })),
  classified: one('incident.classified', (p) => ({ classification: p.classification, reason: p.reason })),
  update: rule(['incident.updated'], (p) =>
    ['technical' as const, ...audiencesOf(p.audiences)].map((audience) => ({
      type: 'incident.updated' as const,
      qualifier: audience,
      data: { audience, status: p.status, message: p.message, nextUpdateAt: p.next_update_at },
    })),
  ),
  note: one('incident.note_added', (p) => ({ text: p.text })),
  role_assigned: one('incident.role_assigned', (p) => ({ role: p.role, label: p.label, user: p.user, previous: p.previous })),
  resolved: one('incident.resolved', (p) => ({ summary: p.summary, audiences: audiencesOf(p.audiences) })),
  reopened: one('incident.reopened', (p) => ({ reason: p.reason, wasClosed: p.was_closed })),
  closed: one('incident.closed', () => ({})),
  review_state_changed: rule(['review.published'], (p) => (p.to === 'published' ? [{ type: 'review.published', data: {} }] : [])),
  review_document: one('review.document_posted', (p) => ({ version: p.version, fileId: p.file_id, permalink: p.permalink, state: p.state })),
  action_added: one('action.created', (p) => ({ ...actionOf(p), owner: p.owner, due: p.due, priority: p.priority })),
  action_done: one('action.done', actionOf),
  action_reopened: one('action.reopened', actionOf),
  action_reassigned: one('action.reassigned', (p) => ({ ...actionOf(p), from: p.from, to: p.to })),
  action_snoozed: one('action.snoozed', (p) => ({ ...actionOf(p), until: p.until })),
  problem_linked: one('problem.linked', (p) => ({ problemId: p.problem_id, ref: problemRef({ id: p.problem_id }), created: p.created })),
  cause_linked: one('change.linked', (p) => ({ changeId: p.change_id, ref: p.ref, title: p.title, previous: p.previous })),
  cause_cleared: one('change.unlinked', (p) => ({ changeId: p.change_id, ref: p.ref })),

  itsm_synced: null, // a connector's own record of what it sent
  itsm_received: null, // and of what it received
  itsm_kept_open: null, // the Jira connector moves its own issue back (its lane)
  type_changed: null, // connectors read the type and fields from every event's incident snapshot
  field_changed: null,
  status_changed: null, // carried by the update, resolution or reopening it belongs to
  severity_changed: null, // carried by the triage it belongs to (incident.severity)
  channel_failed: null,
  timestamp_corrected: null, // reports read corrections from our own records; connectors keep what they were sent
  escalated: null,
  paged: null,
  bridge_set: null,
  vendor_engaged: null,
  vendor_responded: null,
  vendor_overdue: null,
  message_captured: null,
  message_withdrawn: null,
  sla_breached: null,
  signal_linked: null,
  signals_resolved: null,
  page_acknowledged: null,
  page_declined: null,
  page_escalated: null,
  page_unanswered: null,
  review_required: null,
  review_saved: null,
  action_escalated: null,
  owners_paged: null,
  checklist_posted: null,
  checklist_ticked: null,
  checklist_unticked: null,
  drill_inject: null,
  drill_scored: null,
  dr_activated: null,
  dr_deactivated: null,
  changes_shown: null,
  public_post_proposed: null, // the status page's own approval step
  public_post_published: null, // published by the status page feature (and its own Statuspage lane)
};

/** The audiences besides the channel an update or resolution went to (rows from before audiences have none). */
function audiencesOf(audiences: readonly string[] | undefined): ('business' | 'executive')[] {
  return (audiences ?? []).filter((a): a is 'business' | 'executive' => a === 'business' || a === 'executive');
}

function actionOf(p: { action_id: string; title: string }) {
  return { actionId: p.action_id, ref: actionRef({ id: p.action_id }), title: p.title };
}

/** The rule of a kind; typed by the kind (indexing the table with a union of kinds loses the link). */
function ruleOf<K extends TimelineKind>(kind: K): Rule<K, IntegrationEventType> | null;
function ruleOf(kind: string): Rule<TimelineKind, IntegrationEventType> | null;
function ruleOf(kind: string): Rule<TimelineKind, IntegrationEventType> | null {
  return Object.hasOwn(RULES, kind) ? (RULES[kind as TimelineKind] as Rule<TimelineKind, IntegrationEventType> | null) : null;
}

/** The event types a kind of timeline row can become (none for internal rows). */
export function eventTypesOf(kind: string): readonly IntegrationEventType[] {
  return ruleOf(kind)?.types ?? [];
}

/** Whether rows of this kind become integration events. */
export function isMappedKind(kind: string): boolean {
  return ruleOf(kind) !== null;
}

function draftsOf<K extends TimelineKind>(row: { kind: K; payload: TimelinePayloads[K] }, incident: Incident): Draft<IntegrationEventType>[] {
  return ruleOf(row.kind)?.map(row.payload, incident) ?? [];
}

/** The incident as connectors see it. */
export function incidentSnapshot(ctx: MappingContext): IncidentSnapshot {
  const i = ctx.incident;
  return {
    id: i.id,
    ref: incidentRef(ctx.numberPrefix, i),
    number: i.number,
    teamId: i.teamId,
    title: i.title,
    description: i.description,
    kind: i.kind,
    private: isPrivate(i),
    drill: i.isDrill,
    severity: i.severity,
    priority: i.priority,
    status: i.status,
    category: i.category,
    services: i.services,
    commander: i.commanderId,
    reporter: i.reporterId,
    channelId: i.channelId,
    declaredAt: i.declaredAt.toISOString(),
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    closedAt: i.closedAt?.toISOString() ?? null,
    url: ctx.baseUrl ? `${ctx.baseUrl.replace(/\/+$/, '')}/dashboard/incidents/${i.id}` : null,
    type: i.type,
    // Field values are the incident's details: a private incident's never leave it.
    ...(isPrivate(i) ? {} : { fields: i.fields }),
  };
}

/**
 * The integration events a timeline row becomes: none for internal rows, usually one, one per
 * audience for an update. Pure: the same row and incident give the same events, ids included.
 */
export function integrationEventsOf(row: KnownTimelineEvent, ctx: MappingContext): IntegrationEvent[] {
  const drafts = draftsOf(row, ctx.incident);
  if (!drafts.length) return [];
  const incident = incidentSnapshot(ctx);
  return drafts.map(
    (d) =>
      ({
        id: [row.id, d.type, ...(d.qualifier ? [d.qualifier] : [])].join(':'),
        type: d.type,
        version: INTEGRATION_EVENT_VERSION,
        occurredAt: row.at.toISOString(),
        timelineEventId: row.id,
        actor: row.actorId,
        incident,
        data: d.data,
      }) as IntegrationEvent,
  );
}
