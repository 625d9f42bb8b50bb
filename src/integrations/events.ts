import { z } from 'zod';

/*
 * Integration events: what outside systems (ticketing, status pages, ITSM) are told about an
 * incident's life. Each is derived from one timeline row (mapping.ts) and delivered to the
 * subscribers that asked for its type (registry.ts, delivery.ts). This file is the contract with
 * connectors: a field may be added (optional for readers), never renamed or removed within a
 * version; a change that breaks readers is a new INTEGRATION_EVENT_VERSION.
 * docs/INTEGRATION-EVENTS.md describes every type for connector authors.
 */

/** The version of the event shape below; every event carries it. */
export const INTEGRATION_EVENT_VERSION = 1;

const iso = z.string().describe('ISO 8601 instant, UTC');
const userId = z.string().describe('Slack user id');
const text = z.string();

/** The incident as it was when the event happened (stored with the event, so a retry sends the same). */
export const incidentSnapshotSchema = z.object({
  id: z.string(),
  /** Its reference in the product, e.g. INC-42 (policy number_prefix). */
  ref: z.string(),
  number: z.number(),
  teamId: z.string(),
  title: text,
  description: text,
  kind: z.enum(['service', 'security']),
  /**
   * Private (a security incident): its details must not reach anything broader than the people
   * handling it. A connector that publishes (a status page, a shared ticket queue) must not copy
   * its title, description or texts unless its operator explicitly allowed it.
   */
  private: z.boolean(),
  /** An exercise: not a real incident. */
  drill: z.boolean(),
  severity: z.string(),
  /** P1…P4 once triaged. */
  priority: z.string().nullable(),
  status: z.string(),
  category: z.string().nullable(),
  services: z.array(z.string()),
  commander: userId.nullable(),
  reporter: userId,
  /** Its Slack channel, once created. */
  channelId: z.string().nullable(),
  declaredAt: iso,
  resolvedAt: iso.nullable(),
  closedAt: iso.nullable(),
  /** Its page on the dashboard, when the policy sets reports.base_url. */
  url: z.string().nullable(),
  /** Its incident type (policy incident_types), null for none. Absent from events stored before types existed. */
  type: z.string().nullable().optional(),
  /**
   * Its custom field values by key (policy custom_fields): a number, a list of strings (multi_select)
   * or a string (a user field: a Slack user id; a date: YYYY-MM-DD). Left out for a private incident.
   */
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])).optional(),
});
export type IncidentSnapshot = z.infer<typeof incidentSnapshotSchema>;

const action = { actionId: z.string(), ref: z.string(), title: text };

/** Each event type and its `data`. */
export const integrationEventDataSchemas = {
  /** Declared (also a drill: see incident.drill). */
  'incident.declared': z.object({ title: text, description: text, severity: z.string(), kind: z.enum(['service', 'security']), status: z.string(), commander: userId.nullable(), services: z.array(z.string()) }),
  /** Its Slack channel exists: a link back for the outside record. */
  'incident.channel_created': z.object({ channelId: z.string(), name: z.string() }),
  /** Triaged (first or again): impact × urgency gave the priority. */
  'incident.triaged': z.object({ priority: z.string(), impact: z.string(), urgency: z.string(), category: z.string(), services: z.array(z.string()), businessImpact: text, first: z.boolean() }),
  /** The priority moved (by triage or an escalation). */
  'incident.priority_changed': z.object({ from: z.string().nullable(), to: z.string() }),
  /** Triaged as a security event, not an incident: it is resolved and closed with this reason. */
  'incident.classified': z.object({ classification: z.literal('security_event'), reason: text }),
  /**
   * A status update, once per audience it went to: `technical` is the incident channel (always),
   * `business` and `executive` the audiences of the policy's `comms` it was also sent to.
   */
  'incident.updated': z.object({ audience: z.enum(['technical', 'business', 'executive']), status: z.string(), message: text, nextUpdateAt: iso.nullable() }),
  /** A note added to the timeline (not sent to any audience). */
  'incident.note_added': z.object({ text }),
  /** A role (commander, comms…) was given to someone; `previous` held it before. */
  'incident.role_assigned': z.object({ role: z.string(), label: z.string(), user: userId, previous: userId.nullable() }),
  /** Resolved; `audiences` besides the channel were sent the summary. */
  'incident.resolved': z.object({ summary: text, audiences: z.array(z.enum(['business', 'executive'])) }),
  'incident.reopened': z.object({ reason: text, wasClosed: z.boolean() }),
  'incident.closed': z.object({}),
  /** The post-incident review was published. */
  'review.published': z.object({}),
  /** A version of the review document was generated (in the state the review was in). */
  'review.document_posted': z.object({ version: z.number(), fileId: z.string(), permalink: z.string(), state: z.string().describe('draft, in_review or published') }),
  /** A follow-up action; `due` is a calendar day (YYYY-MM-DD). */
  'action.created': z.object({ ...action, owner: userId, due: z.string(), priority: z.string().describe('high, medium or low') }),
  'action.done': z.object(action),
  'action.reopened': z.object(action),
  'action.reassigned': z.object({ ...action, from: userId, to: userId }),
  /** Its reminders paused until the day `until`. */
  'action.snoozed': z.object({ ...action, until: z.string() }),
  /** A problem record was opened from the incident (`created`) or the incident linked to one. */
  'problem.linked': z.object({ problemId: z.string(), ref: z.string(), created: z.boolean() }),
  /** A change record was named as the cause (`previous`: the change named before, if any). */
  'change.linked': z.object({ changeId: z.string(), ref: z.string(), title: text, previous: z.string().nullable() }),
  /** The change named as the cause no longer is. */
  'change.unlinked': z.object({ changeId: z.string(), ref: z.string() }),
} satisfies Record<string, z.ZodType<Record<string, unknown>>>;

export type IntegrationEventType = keyof typeof integrationEventDataSchemas;
export type IntegrationEventData = { [T in IntegrationEventType]: z.infer<(typeof integrationEventDataSchemas)[T]> };

export const INTEGRATION_EVENT_TYPES = Object.keys(integrationEventDataSchemas) as IntegrationEventType[];

export function isIntegrationEventType(t: string): t is IntegrationEventType {
  return Object.hasOwn(integrationEventDataSchemas, t);
}

const envelope = z.object({
  /**
   * The event's idempotency key: `<timeline row id>:<type>`, with `:<audience>` for updates. The
   * same event always has the same id, however often it is delivered.
   */
  id: z.string(),
  version: z.literal(INTEGRATION_EVENT_VERSION),
  /** When it happened (the timeline row's time). */
  occurredAt: iso,
  timelineEventId: z.string(),
  /** Who did it; null for the bot itself (a scheduled job, a generated document). */
  actor: userId.nullable(),
  incident: incidentSnapshotSchema,
});

/** An event of one type (of each, for a union of types). */
export type IntegrationEventOf<T extends IntegrationEventType> = T extends IntegrationEventType
  ? z.infer<typeof envelope> & { type: T; data: IntegrationEventData[T] }
  : never;

/** Any event; `switch (event.type)` narrows its data. */
export type IntegrationEvent = IntegrationEventOf<IntegrationEventType>;

/** Parses a stored or received event (the outbox reads them back through this). */
export const integrationEventSchema = z.discriminatedUnion(
  'type',
  INTEGRATION_EVENT_TYPES.map((type) => envelope.extend({ type: z.literal(type), data: integrationEventDataSchemas[type] })) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<IntegrationEvent>;
