/**
 * Follow-up actions as ServiceNow `incident_task` records, each referencing the incident's record, or
 * `problem_task` records referencing the problem when the incident's record is linked to one.
 * A task is found again by its correlation (`<incident ref>/<action ref>`, "Incident Officer") before
 * it is ever created, so a retried or replayed event never makes a second one; an event whose task
 * was never created (its delivery given up) creates it then, in the action's current state.
 *
 * The owner is a Slack user, assigned as the `sys_user` of their Slack e-mail address. An owner
 * without one leaves the task unassigned (the incident's assignment group routes it); the
 * description names the owner as Slack knows them either way.
 */
import type { Db } from '../db/database.js';
import type { IncidentSnapshot, IntegrationEventOf } from '../integrations/events.js';
import type { ServiceNowPolicy } from '../policy/itsm-schema.js';
import type { ServiceNowClient, SnRecord } from './client.js';
import type { RecordSync } from './related.js';
import { CORRELATION_DISPLAY, fitShortDescription, outboundText } from './mapping.js';
import { EncodedQuery } from './query.js';
import type { ServiceNowPeople } from './people.js';
import type { Logger } from '../logger.js';
import type { EntryWrite } from '../integrations/entry-marker.js';
import { updateOnce } from './journal.js';

/** The task tables: an action of an incident linked to a problem becomes a problem task. */
export const TASK_TABLES = ['incident_task', 'problem_task'] as const;
export const ACTION_EVENTS = ['action.created', 'action.done', 'action.reopened', 'action.reassigned', 'action.snoozed'] as const;
export type ActionEvent = IntegrationEventOf<(typeof ACTION_EVENTS)[number]>;

/** The stock task states: 1 Open, 3 Closed Complete. */
export const TASK_STATE = { open: '1', closedComplete: '3' } as const;
const TASK_FIELDS = ['sys_id', 'number', 'state', 'due_date', 'sys_updated_on'];

export function isActionEvent(event: { type: string }): event is ActionEvent {
  return (ACTION_EVENTS as readonly string[]).includes(event.type);
}

export const taskCorrelation = (incident: IncidentSnapshot, actionRef: string): string => `${incident.ref}/${actionRef}`;

/** A calendar day as a glide_date_time: the end of that day (UTC), when the work is due. */
export const dueDateTime = (day: string): string => `${day} 23:59:59`;

/** The owner's name as Slack knows it (the cached profile), else their Slack user id. */
async function ownerName(db: Db, userId: string): Promise<string> {
  const row = await db.selectFrom('slack_users').select(['real_name', 'name']).where('user_id', '=', userId).executeTakeFirst();
  return row?.real_name || row?.name || userId;
}

/** The action as it is now (the event carries only what changed): its row, for a task created late. */
async function actionNow(db: Db, actionId: string) {
  return db.selectFrom('follow_up_actions').select(['title', 'owner_id', 'due_date', 'status', 'snoozed_until']).where('id', '=', actionId).executeTakeFirst();
}

/** Whether the action's owner may be named in ServiceNow (a security incident's only when its description may leave). */
const ownerShown = (incident: IncidentSnapshot, policy: ServiceNowPolicy): boolean => !incident.private || policy.security.description;

function describe(incident: IncidentSnapshot, actionRef: string, owner: string, policy: ServiceNowPolicy): string {
  const who = ownerShown(incident, policy) ? ` Owner (in Slack): ${owner}.` : '';
  return `Follow-up action ${actionRef} of ${incident.ref}, tracked in Incident Officer.${who}`;
}

/** What the response does is a note of the incident: a security incident's action titles stay in Slack unless notes may leave. */
function shortDescription(incident: IncidentSnapshot, actionRef: string, title: string, policy: ServiceNowPolicy): string {
  return fitShortDescription(`${actionRef}: ${outboundText(incident, 'note', title, policy.security) ?? `Follow-up action of ${incident.ref}`}`);
}

/** Keeps the action's task in step with the event: created, closed, reopened, re-described or re-dated. */
export async function syncActionTask(deps: { db: Db; client: ServiceNowClient; policy: ServiceNowPolicy; people: ServiceNowPeople; signal: AbortSignal; logger?: Logger; write: EntryWrite }, event: ActionEvent, incidentRecord: SnRecord): Promise<RecordSync | null> {
  const { db, client, policy, people, signal, logger } = deps;
  const incident = event.incident;
  const correlation = taskCorrelation(incident, event.data.ref);
  const q = new EncodedQuery().where('correlation_id', '=', correlation).where('correlation_display', '=', CORRELATION_DISPLAY).orderBy('sys_created_on');
  // A task stays in the table it was created in (the incident may have been linked to a problem since).
  let existing: SnRecord | undefined;
  let table: string = TASK_TABLES[0];
  for (const candidate of TASK_TABLES) {
    existing = (await client.query(candidate, q, { signal, fields: TASK_FIELDS, pageSize: 1, max: 1 })).records[0];
    table = candidate;
    if (existing) break;
  }

  if (!existing) {
    const parent: { table: string; field: Record<string, string> } = incidentRecord.problem_id ? { table: 'problem_task', field: { problem: incidentRecord.problem_id } } : { table: 'incident_task', field: { incident: incidentRecord.sys_id } };
    const action = await actionNow(db, event.data.actionId);
    if (!action) return null;
    const fields: Record<string, string> = {
      ...parent.field,
      short_description: shortDescription(incident, event.data.ref, action.title, policy),
      description: describe(incident, event.data.ref, await ownerName(db, action.owner_id), policy),
      correlation_id: correlation,
      correlation_display: CORRELATION_DISPLAY,
      state: action.status === 'done' ? TASK_STATE.closedComplete : TASK_STATE.open,
      ...(action.due_date ? { due_date: dueDateTime(action.snoozed_until && action.snoozed_until > action.due_date ? action.snoozed_until : action.due_date) } : {}),
      ...(policy.defaults.assignment_group ? { assignment_group: policy.defaults.assignment_group } : {}),
      ...(await people.field('assigned_to', action.owner_id, { signal, logger })),
    };
    const record = await client.createRecord(parent.table, fields, { signal });
    return { table: parent.table, record, created: true, sent: fields };
  }

  let fields: Record<string, string> = {};
  switch (event.type) {
    case 'action.created':
      break;
    case 'action.done':
      if (existing.state !== TASK_STATE.closedComplete) fields = { state: TASK_STATE.closedComplete, close_notes: 'Done in Incident Officer.' };
      break;
    case 'action.reopened':
      if (existing.state !== TASK_STATE.open) fields = { state: TASK_STATE.open, work_notes: 'Reopened in Incident Officer.' };
      break;
    case 'action.reassigned': {
      const owner = await ownerName(db, event.data.to);
      // An owner without a sys_user leaves the task unassigned rather than with the previous one.
      const assignee = (await people.sysIdOf(event.data.to, { signal, logger })) ?? '';
      fields = { description: describe(incident, event.data.ref, owner, policy), assigned_to: assignee, work_notes: ownerShown(incident, policy) ? `Reassigned in Incident Officer to ${owner}.` : 'Reassigned in Incident Officer.' };
      break;
    }
    case 'action.snoozed':
      fields = { due_date: dueDateTime(event.data.until), work_notes: `Postponed in Incident Officer to ${event.data.until}.` };
      break;
  }
  if (Object.keys(fields).length === 0) return null;
  const record = (await updateOnce(client, table, existing.sys_id, fields, deps.write)) ?? existing;
  return { table, record, created: false, sent: fields };
}
