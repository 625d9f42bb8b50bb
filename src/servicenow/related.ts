/**
 * The records an incident's record refers to: the `problem` it is linked to (`problem_id`) and the
 * change that caused it (`caused_by`).
 *
 * A problem record is kept in Incident Officer; its ServiceNow counterpart is found by its correlation
 * (`PRB-3`, "Incident Officer") before it is ever created, so one problem has one `problem` record
 * however many incidents link to it.
 *
 * Change records are Incident Officer's own (from the form or a CI/CD webhook): ServiceNow has no
 * counterpart of them unless the change's link points at a `change_request` on the same instance
 * (`…sys_id=<32 hex>`). Then `caused_by` refers to it; otherwise the cause is recorded as a work note.
 */
import type { Db } from '../db/database.js';
import type { IncidentSnapshot, IntegrationEventOf } from '../integrations/events.js';
import type { ServiceNowPolicy } from '../policy/itsm-schema.js';
import type { ServiceNowClient, SnRecord } from './client.js';
import { CORRELATION_DISPLAY, fitShortDescription, outboundText } from './mapping.js';
import { EncodedQuery } from './query.js';

export const RELATED_EVENTS = ['problem.linked', 'change.linked', 'change.unlinked'] as const;
export type RelatedEvent = IntegrationEventOf<(typeof RELATED_EVENTS)[number]>;

export function isRelatedEvent(event: { type: string }): event is RelatedEvent {
  return (RELATED_EVENTS as readonly string[]).includes(event.type);
}

/** A record other than the incident's, written by a sync. */
export interface RecordSync {
  table: string;
  record: SnRecord;
  created: boolean;
  sent: Record<string, string>;
}

interface Deps {
  db: Db;
  client: ServiceNowClient;
  policy: ServiceNowPolicy;
  signal: AbortSignal;
}

/** The change_request a change's link points at, when the link is a page of this instance naming one. */
export function changeRequestSysId(instanceUrl: string, url: string | null): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.origin !== new URL(instanceUrl).origin) return null;
  const text = decodeURIComponent(`${parsed.pathname}?${parsed.search}`);
  if (!/change_request/.test(text)) return null;
  return /sys_id=([0-9a-f]{32})\b/.exec(text)?.[1] ?? null;
}

async function problemRecord(deps: Deps, incident: IncidentSnapshot, problemId: string, ref: string): Promise<{ record: SnRecord; created: boolean; sent: Record<string, string> } | null> {
  const { client, signal, db, policy } = deps;
  const q = new EncodedQuery().where('correlation_id', '=', ref).where('correlation_display', '=', CORRELATION_DISPLAY).orderBy('sys_created_on');
  const existing = (await client.query('problem', q, { signal, fields: ['sys_id', 'number', 'state', 'sys_updated_on'], pageSize: 1, max: 1 })).records[0];
  if (existing) return { record: existing, created: false, sent: {} };
  const problem = await db.selectFrom('problems').select(['title', 'description', 'private']).where('id', '=', problemId).executeTakeFirst();
  if (!problem) return null;
  const secret = { private: incident.private || problem.private, ref };
  const title = outboundText(secret, 'title', problem.title, policy.security) === problem.title ? problem.title : `Problem ${ref}`;
  const fields: Record<string, string> = {
    short_description: fitShortDescription(`${ref}: ${title}`),
    description: outboundText(secret, 'description', problem.description, policy.security) ?? '',
    correlation_id: ref,
    correlation_display: CORRELATION_DISPLAY,
    ...(policy.defaults.assignment_group ? { assignment_group: policy.defaults.assignment_group } : {}),
  };
  return { record: await client.createRecord('problem', fields, { signal }), created: true, sent: fields };
}

/**
 * What the event changes on the incident's record (`record`), and the other record it created or
 * found (the problem), if any.
 */
export async function relatedUpdate(deps: Deps, event: RelatedEvent, record: SnRecord, instanceUrl: string, sentBefore: (field: string, value: string) => boolean): Promise<{ fields: Record<string, string>; other: RecordSync | null }> {
  // A cause someone set in ServiceNow is theirs: only the one the bot set is cleared.
  const clearCause: Record<string, string> = record.caused_by && sentBefore('caused_by', record.caused_by) ? { caused_by: '' } : {};
  switch (event.type) {
    case 'problem.linked': {
      const problem = await problemRecord(deps, event.incident, event.data.problemId, event.data.ref);
      if (!problem) return { fields: {}, other: null };
      const fields: Record<string, string> = record.problem_id === problem.record.sys_id ? {} : { problem_id: problem.record.sys_id };
      return { fields, other: { table: 'problem', ...problem } };
    }
    case 'change.linked': {
      const change = await deps.db.selectFrom('changes').select(['url']).where('id', '=', event.data.changeId).executeTakeFirst();
      const sysId = changeRequestSysId(instanceUrl, change?.url ?? null);
      const counterpart = sysId ? await deps.client.getRecord('change_request', sysId, { signal: deps.signal, fields: ['sys_id', 'number'] }) : null;
      const title = outboundText(event.incident, 'note', event.data.title, deps.policy.security);
      if (counterpart) return { fields: { caused_by: counterpart.sys_id, work_notes: `Caused by change ${event.data.ref} (${counterpart.number}), recorded in Incident Officer.` }, other: null };
      return { fields: { ...clearCause, work_notes: `Caused by change ${event.data.ref}${title ? ` (${title})` : ''}, recorded in Incident Officer; it has no change request in ServiceNow.` }, other: null };
    }
    case 'change.unlinked':
      return { fields: { ...clearCause, work_notes: `Change ${event.data.ref} is no longer recorded as the cause.` }, other: null };
  }
}
