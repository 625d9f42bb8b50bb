/**
 * The ServiceNow connector's outbound half: an integration-event subscriber that keeps one
 * `incident` record per incident. The record is created on the first event (declared, or any later
 * one if that delivery was given up), found again by `correlation_id` before it is ever created a
 * second time, and then updated with the triage, the updates and notes (work notes or comments per
 * audience), the resolution, a reopening and the closure. Every sync is a timeline row.
 */
import type { Db } from '../db/database.js';
import type { IncidentSnapshot, IntegrationEventOf, IntegrationEventType } from '../integrations/events.js';
import { laneOf, type DeliveryContext, type IntegrationSubscriber } from '../integrations/registry.js';
import { handledBy, type FailureHandling } from '../integrations/failures.js';
import { PermanentFailure } from '../jobs/task-runner.js';
import type { JournalTarget, ServiceMapping, ServiceNowPolicy } from '../policy/itsm-schema.js';
import { IncidentTask } from '../incidents/side-effects.js';
import { enqueueTask } from '../outbox/tasks.js';
import { appendTimeline } from '../timeline/timeline.js';
import { ServiceNowError, type ServiceNowClient, type SnRecord } from './client.js';
import { ensureLink, fieldHash, hashesOf, recordLinked, recordSynced, recordSyncError, type ServiceNowLink } from './links.js';
import { CORRELATION_DISPLAY, SYNCED_FIELDS, type SyncedField, fitShortDescription, impactUrgencyFor, outboundText, SN_STATE, stateFieldsFor, type SecurityDisclosure } from './mapping.js';
import { EncodedQuery } from './query.js';
import { isRelatedEvent, RELATED_EVENTS, relatedUpdate, type RecordSync } from './related.js';
import { attachReviewDocument } from './review-document.js';
import { updateOnce } from './journal.js';
import { ACTION_EVENTS, isActionEvent, syncActionTask } from './tasks.js';
import { ServiceNowPeople, type EmailOf } from './people.js';

export const SERVICENOW_SUBSCRIBER = 'servicenow';
/** The outbox lanes of the connector's calls to ServiceNow. */
export const SERVICENOW_LANES = [laneOf({ name: SERVICENOW_SUBSCRIBER })];
export { CORRELATION_DISPLAY };
const TABLE = 'incident';

export const SERVICENOW_EVENTS = [
  'incident.declared',
  'incident.triaged',
  'incident.priority_changed',
  'incident.classified',
  'incident.updated',
  'incident.note_added',
  'incident.role_assigned',
  'incident.resolved',
  'incident.reopened',
  'incident.closed',
  ...ACTION_EVENTS,
  ...RELATED_EVENTS,
  'review.document_posted',
] as const satisfies readonly IntegrationEventType[];
type SnEvent = IntegrationEventOf<(typeof SERVICENOW_EVENTS)[number]>;

export const ServiceNowTask = { linked: 'servicenow.linked', failing: 'servicenow.failing', poll: 'servicenow.poll' } as const;

export interface ServiceNowOutboundDeps {
  client: ServiceNowClient;
  policy: ServiceNowPolicy;
  /** Wakes the Slack task runner once the Slack side effects a sync queued are committed. */
  kick: () => void;
  /** A Slack user's e-mail address, to find their sys_user (reporter as caller, commander and owners as assignees). */
  emailOf?: EmailOf;
}

/** The incident's record was created or found: a bookmark, and the card refreshed to show it. */
export async function queueLinked(db: Db, incidentId: string): Promise<void> {
  await enqueueTask(db, { kind: ServiceNowTask.linked, incidentId, dedupeKey: `servicenow.linked:${incidentId}` });
  await enqueueTask(db, { kind: IncidentTask.sync, incidentId, dedupeKey: `sync:${incidentId}` });
}

/** The routing fields of the incident's services (the first service with a mapping wins, over the defaults). */
export function routingFor(policy: ServiceNowPolicy, services: string[]): Record<string, string> {
  const own = services.map((s) => policy.services[s]).find((m): m is ServiceMapping => m !== undefined) ?? {};
  const merged = { ...policy.defaults, ...own };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function disclosure(policy: ServiceNowPolicy): SecurityDisclosure {
  return policy.security;
}

function shortDescription(incident: IncidentSnapshot, policy: ServiceNowPolicy): string {
  const title = outboundText(incident, 'title', incident.title, disclosure(policy)) ?? `Incident ${incident.ref}`;
  const text = `${incident.ref}: ${title}`;
  return fitShortDescription(text);
}

/** A note-like text for the record, or null when it must not leave the bot (a security incident's). */
function noteText(incident: IncidentSnapshot, policy: ServiceNowPolicy, text: string): string | null {
  return outboundText(incident, 'note', text, disclosure(policy));
}

function journal(target: JournalTarget, text: string | null): Record<string, string> {
  return target === 'none' || text === null || text.trim() === '' ? {} : { [target]: text };
}

/** The fields a new record is created with. */
export function creationFields(incident: IncidentSnapshot, policy: ServiceNowPolicy, triage?: { impact?: string; urgency?: string }): Record<string, string> {
  const fields: Record<string, string> = {
    short_description: shortDescription(incident, policy),
    description: outboundText(incident, 'description', incident.description, disclosure(policy)) ?? '',
    correlation_id: incident.ref,
    correlation_display: CORRELATION_DISPLAY,
    ...routingFor(policy, incident.services),
  };
  const levels = impactUrgencyFor(incident.priority, { override: policy.priorities, triage });
  if (levels) Object.assign(fields, { impact: String(levels.impact), urgency: String(levels.urgency) });
  return fields;
}

/** The fields an event changes on an existing record (empty: nothing to send). */
export function updateFields(event: SnEvent, policy: ServiceNowPolicy, record: SnRecord | null): Record<string, string> {
  const incident = event.incident;
  switch (event.type) {
    case 'incident.declared':
      // A record declared from ServiceNow (declare.ts) is marked as kept by the bot.
      return record && !record.correlation_id ? { correlation_id: incident.ref, correlation_display: CORRELATION_DISPLAY, work_notes: `Declared in Incident Officer as ${incident.ref}; kept in step from now on.` } : {};
    // A follow-up action changes its own task, not the incident record.
    case 'action.created':
    case 'action.done':
    case 'action.reopened':
    case 'action.reassigned':
    case 'action.snoozed':
    // The records an incident refers to are looked up first (related.ts).
    case 'problem.linked':
    case 'change.linked':
    case 'change.unlinked':
    case 'review.document_posted':
      return {};
    case 'incident.triaged': {
      const levels = impactUrgencyFor(event.data.priority, { override: policy.priorities, triage: { impact: event.data.impact, urgency: event.data.urgency } });
      const state = record && record.state === '1' ? stateFieldsFor({ kind: 'triaged' }) : {};
      const impact = event.data.businessImpact ? noteText(incident, policy, `Triaged ${event.data.priority} (${event.data.impact} impact, ${event.data.urgency} urgency). Business impact: ${event.data.businessImpact}`) : null;
      return { ...(levels ? { impact: String(levels.impact), urgency: String(levels.urgency) } : {}), ...state, ...journal('work_notes', impact) };
    }
    case 'incident.priority_changed': {
      const levels = impactUrgencyFor(event.data.to, { override: policy.priorities });
      return levels ? { impact: String(levels.impact), urgency: String(levels.urgency) } : {};
    }
    case 'incident.updated':
      return journal(policy.audiences[event.data.audience], noteText(incident, policy, `Update (${event.data.status}): ${event.data.message}`));
    case 'incident.note_added':
      return journal(policy.notes, noteText(incident, policy, event.data.text));
    case 'incident.role_assigned':
      // The commander's ServiceNow account is not known from Slack: the change is noted for the record.
      return event.data.role === 'commander' ? journal('work_notes', `Incident commander (${event.data.label}) assigned in Slack.`) : {};
    case 'incident.resolved': {
      // Resolved there first (the poll carried it over): nothing to send back.
      if (record && (record.state === SN_STATE.resolved || record.state === SN_STATE.closed)) return {};
      const summary = noteText(incident, policy, event.data.summary) ?? '';
      const business = event.data.audiences.includes('business') ? journal(policy.audiences.business, noteText(incident, policy, `Resolved: ${event.data.summary}`)) : {};
      return { ...stateFieldsFor({ kind: 'resolved', summary }, { closeCode: policy.close_code }), ...(business.work_notes ? {} : business) };
    }
    case 'incident.reopened':
      if (record && ![SN_STATE.resolved, SN_STATE.closed, SN_STATE.canceled].includes(record.state as never)) return {};
      return stateFieldsFor({ kind: 'reopened', reason: noteText(incident, policy, event.data.reason) ?? '' });
    case 'incident.closed': {
      if (record?.state === SN_STATE.closed) return {};
      const closing = stateFieldsFor({ kind: 'closed' }, { closeCode: policy.close_code });
      // A record resolved before keeps its resolution code and notes.
      return { state: closing.state, ...(record?.close_code ? {} : { close_code: closing.close_code }), ...(record?.close_notes ? {} : { close_notes: closing.close_notes }) };
    }
    case 'incident.classified':
      return stateFieldsFor({ kind: 'classified', reason: noteText(incident, policy, event.data.reason) ?? '' }, { classifiedCloseCode: policy.classified_close_code });
  }
}

const REMOTE_FIELDS = [...new Set(['sys_id', 'number', 'state', 'priority', 'impact', 'urgency', 'close_code', 'close_notes', 'sys_updated_on', 'sys_updated_by', 'correlation_id', 'problem_id', 'caused_by', ...SYNCED_FIELDS])];

/**
 * What of an update may be written: never a field ServiceNow owns; a field both own only if nobody
 * changed it there since the last sync (else it is held back and shown as a conflict). The state
 * follows its own lifecycle rules (updateFields).
 */
export function ownedUpdate(fields: Record<string, string>, owners: Record<SyncedField, string>, record: SnRecord, known: Record<string, string>): { fields: Record<string, string>; held: string[] } {
  const out: Record<string, string> = {};
  const held: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const owner = (owners as Record<string, string>)[field];
    if (owner === 'servicenow') continue;
    const changedThere = field !== 'state' && owner === 'both' && known[field] !== undefined && fieldHash(record[field] ?? '') !== known[field] && fieldHash(value) !== fieldHash(record[field] ?? '');
    if (changedThere) held.push(field);
    else out[field] = value;
  }
  return { fields: out, held };
}

function remoteSummary(record: SnRecord): Record<string, string> {
  return Object.fromEntries(['state', 'priority', 'sys_updated_on'].filter((k) => record[k] !== undefined).map((k) => [k, record[k]]));
}

export function servicenowSubscriber(deps: ServiceNowOutboundDeps): IntegrationSubscriber<(typeof SERVICENOW_EVENTS)[number]> {
  const { client, policy, kick } = deps;
  const failures: FailureHandling = {
    system: 'ServiceNow',
    vendor: (e) => (e instanceof ServiceNowError ? e : null),
    record: (ctx, incidentId, state, message) => recordSyncError(ctx.db, incidentId, state, message),
    failingTask: ServiceNowTask.failing,
    kick,
  };
  const people = new ServiceNowPeople(client, deps.emailOf);
  const opts = (ctx: DeliveryContext) => ({ signal: ctx.signal });

  /** The incident's record: the one linked, else the one carrying its reference (an earlier try), else a new one. */
  async function ensureRecord(event: SnEvent, link: ServiceNowLink, ctx: DeliveryContext): Promise<{ record: SnRecord; created: boolean; sent: Record<string, string> }> {
    if (link.sysId) {
      const record = await client.getRecord(TABLE, link.sysId, { ...opts(ctx), fields: REMOTE_FIELDS });
      if (record) return { record, created: false, sent: {} };
      throw new PermanentFailure(`ServiceNow ${link.number ?? link.sysId} can no longer be read (deleted, or the account lost access to it)`);
    }
    const q = new EncodedQuery().where('correlation_id', '=', event.incident.ref).where('correlation_display', '=', CORRELATION_DISPLAY).orderBy('sys_created_on');
    const existing = (await client.query(TABLE, q, { ...opts(ctx), fields: REMOTE_FIELDS, pageSize: 1, max: 1 })).records[0];
    if (existing) return { record: existing, created: false, sent: {} };
    const triage = event.type === 'incident.triaged' ? { impact: event.data.impact, urgency: event.data.urgency } : undefined;
    const fields = {
      ...creationFields(event.incident, policy, triage),
      ...(await people.field('caller_id', event.incident.reporter, ctx)),
      ...(await people.field('assigned_to', event.incident.commander ?? (event.type === 'incident.declared' ? event.data.commander : null), ctx)),
    };
    const record = await client.createRecord(TABLE, fields, opts(ctx));
    return { record, created: true, sent: fields };
  }

  async function sync(event: SnEvent, ctx: DeliveryContext): Promise<void> {
    const incidentId = event.incident.id;
    const dedupeKey = `servicenow:${event.id}`;
    // Done before (the process stopped before the delivery was recorded): never append a note twice.
    if (await ctx.db.selectFrom('timeline_events').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirst()) return;
    const link = await ensureLink(ctx.db, incidentId);
    const { record, created, sent: createdWith } = await ensureRecord(event, link, ctx);
    const wasLinked = link.sysId !== null;
    let after = record;
    let sent = createdWith;
    // A record just created already carries what the declaration says.
    let fields = created && event.type === 'incident.declared' ? {} : updateFields(event, policy, record);
    // A new commander is the assignee; one without a sys_user leaves the record unassigned (the work note names them).
    if (!created && event.type === 'incident.role_assigned' && event.data.role === 'commander') fields = { ...fields, assigned_to: (await people.sysIdOf(event.data.user, ctx)) ?? '' };
    const owned = ownedUpdate(fields, policy.fields, record, link.fieldHashes);
    fields = owned.fields;
    const write = { idempotencyKey: ctx.idempotencyKey, attempt: ctx.attempt, signal: ctx.signal };
    const deps = { db: ctx.db, client, policy, people, signal: ctx.signal, logger: ctx.logger, write };
    let other: RecordSync | null = null;
    if (isRelatedEvent(event)) ({ fields, other } = await relatedUpdate(deps, event, record, policy.instance_url, (f, v) => link.fieldHashes[f] === fieldHash(v)));
    if (Object.keys(fields).length > 0) {
      // A note an earlier try of this delivery already added is not added again (the record as read then stands).
      after = (await updateOnce(client, TABLE, record.sys_id, fields, write)) ?? record;
      sent = { ...sent, ...fields };
    }
    // The state a record is created with is ours too: the poll does not take it for someone else's change.
    if (isActionEvent(event)) other = await syncActionTask(deps, event, after);
    if (event.type === 'review.document_posted') other = await attachReviewDocument(deps, event, after);
    // The other record's row (a task, a problem) when this sync wrote it.
    const task = other && (other.created || Object.keys(other.sent).length > 0) ? other : null;
    // What the record was created with (its defaults too, such as impact 3): a later difference is someone's change.
    const initial = created ? Object.fromEntries(SYNCED_FIELDS.filter((f) => after[f] !== undefined).map((f) => [f, fieldHash(after[f])])) : {};
    const known = { ...initial, ...hashesOf(sent), ...(created && after.state ? { state: fieldHash(after.state) } : {}) };
    await ctx.db.transaction().execute(async (trx) => {
      if (!wasLinked) {
        await recordLinked(trx, incidentId, { sysId: after.sys_id, number: after.number, updatedOn: after.sys_updated_on ?? null }, known);
        await queueLinked(trx, incidentId);
      } else {
        await recordSynced(trx, incidentId, known);
      }
      for (const field of owned.held) {
        const held = await appendTimeline(trx, {
          incidentId,
          actorId: null,
          kind: 'itsm_received',
          // One conflict per change made there (the value there over the one last synced), however many
          // events here would have written over it, and whatever else the bot wrote on the record meanwhile.
          dedupeKey: `servicenow:held:${field}:${record.sys_id}:${link.fieldHashes[field]}:${fieldHash(record[field] ?? '')}`,
          payload: { system: 'servicenow', sys_id: record.sys_id, number: record.number, change: 'conflict', field, author: record.sys_updated_by ?? 'someone', text: `changed ${field} there since the last sync; the value set here was not written over it` },
        });
        if (held) await enqueueTask(trx, { kind: IncidentTask.broadcast, incidentId, payload: { eventId: held.id, target: 'channel' } });
      }
      if (created || Object.keys(sent).length > 0) {
        await appendTimeline(trx, {
          incidentId,
          actorId: null,
          kind: 'itsm_synced',
          // The incident record written on the event of another record: that record is a row of its own.
          dedupeKey: task ? `${dedupeKey}:${TABLE}` : dedupeKey,
          payload: { system: 'servicenow', event: event.type, table: TABLE, sys_id: after.sys_id, number: after.number ?? record.number, created, sent, remote: remoteSummary(after) },
        });
      }
      if (task) {
        await appendTimeline(trx, {
          incidentId,
          actorId: null,
          kind: 'itsm_synced',
          dedupeKey,
          payload: { system: 'servicenow', event: event.type, table: task.table, sys_id: task.record.sys_id, number: task.record.number, created: task.created, sent: task.sent, remote: remoteSummary(task.record) },
        });
      }
    });
    if (!wasLinked || owned.held.length) kick();
  }

  return {
    name: SERVICENOW_SUBSCRIBER,
    events: SERVICENOW_EVENTS,
    retryForMs: policy.retry_hours * 3_600_000,
    // Security incidents are synced, redacted per itsm.servicenow.security; exercises are not.
    include: { private: true, drills: false },
    handle: handledBy(failures, sync),
  };
}
