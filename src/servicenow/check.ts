/**
 * `/incident itsm test`: what the integration account may do on the instance, found by asking it
 * (reads only; a write is tried only on a record the connector created, with the values it already
 * has). Each problem names the table or field and ServiceNow's answer, so an administrator can grant
 * exactly that to a least-privilege (itil) account.
 */
import { ServiceNowError, type ServiceNowClient } from './client.js';

export interface CheckResult {
  /** The instance answered and accepted the credentials. */
  connected: boolean;
  /** What the account can do, one line each. */
  ok: string[];
  /** What it cannot, one line each (empty: everything the connector needs is granted). */
  missing: string[];
  /** What could not be checked, and why. */
  unchecked: string[];
}

/** The fields of `incident` the connector writes and reads back. */
export const INCIDENT_FIELDS = ['number', 'short_description', 'description', 'impact', 'urgency', 'priority', 'state', 'close_code', 'close_notes', 'correlation_id', 'correlation_display', 'assignment_group', 'cmdb_ci', 'business_service', 'category', 'sys_updated_on', 'sys_updated_by'];
const READS: { table: string; fields: string[]; why: string }[] = [
  { table: 'incident', fields: ['sys_id', ...INCIDENT_FIELDS], why: 'the incident records' },
  { table: 'incident_task', fields: ['sys_id', 'number', 'short_description', 'description', 'state', 'due_date', 'incident', 'correlation_id', 'correlation_display'], why: 'the tasks of follow-up actions' },
  { table: 'problem_task', fields: ['sys_id', 'number', 'short_description', 'state', 'due_date', 'problem', 'correlation_id'], why: 'the tasks of actions of incidents linked to a problem' },
  { table: 'problem', fields: ['sys_id', 'number', 'short_description', 'description', 'correlation_id', 'correlation_display'], why: 'the problem records incidents are linked to' },
  { table: 'sys_journal_field', fields: ['sys_id', 'element', 'element_id', 'value', 'sys_created_by', 'sys_created_on'], why: 'work notes and comments added in ServiceNow' },
];
/** Fields written with the values they have (no change is made). */
const WRITE_PROBE = ['short_description', 'impact', 'urgency', 'correlation_id', 'correlation_display'];

function answer(e: ServiceNowError): string {
  return `${e.status ?? 'no answer'}${e.snMessage ? ` ${e.snMessage}` : ''}${e.detail ? ` (${e.detail.trim()})` : ''}`;
}

/** Probes the instance; `probeRecord` is a record the connector created (sys_id), to check writing on. */
export async function checkServiceNow(client: ServiceNowClient, probeRecord: { sysId: string; number: string } | null, opts: { signal?: AbortSignal } = {}): Promise<CheckResult> {
  const result: CheckResult = { connected: false, ok: [], missing: [], unchecked: [] };
  for (const read of READS) {
    try {
      const { records } = await client.query(read.table, 'ORDERBYDESCsys_updated_on', { signal: opts.signal, fields: read.fields, pageSize: 1, max: 1 });
      result.connected = true;
      result.ok.push(`read ${read.table}`);
      const sample = records[0];
      if (!sample) {
        result.unchecked.push(`the fields of ${read.table}: no record to read them on yet`);
        continue;
      }
      const hidden = read.fields.filter((f) => !(f in sample));
      for (const f of hidden) result.missing.push(`read ${read.table}.${f} (${read.why}): the field is left out of every answer`);
    } catch (e) {
      if (!(e instanceof ServiceNowError)) throw e;
      if (e.status === 401) {
        result.missing.push(`sign in: ServiceNow answered ${answer(e)}; check SERVICENOW_USERNAME / SERVICENOW_PASSWORD or SERVICENOW_CLIENT_ID / SERVICENOW_CLIENT_SECRET`);
        return result;
      }
      if (e.status === 403) {
        result.connected = true;
        result.missing.push(`read ${read.table} (${read.why}): ServiceNow answered ${answer(e)}`);
        continue;
      }
      result.missing.push(`reach the instance: ${e.message}`);
      return result;
    }
  }
  if (!probeRecord) {
    result.unchecked.push('writing incident records: no record created by Incident Officer yet (declare one, then test again)');
    return result;
  }
  try {
    const current = await client.getRecord('incident', probeRecord.sysId, { signal: opts.signal, fields: WRITE_PROBE });
    if (!current) {
      result.missing.push(`read ${probeRecord.number}: ServiceNow answered 404 (deleted, or an ACL hides it)`);
      return result;
    }
    const same = Object.fromEntries(WRITE_PROBE.filter((f) => f in current).map((f) => [f, current[f]]));
    await client.updateRecord('incident', probeRecord.sysId, same, { signal: opts.signal });
    result.ok.push(`write incident (checked on ${probeRecord.number}, unchanged)`);
  } catch (e) {
    if (!(e instanceof ServiceNowError)) throw e;
    result.missing.push(`write incident (checked on ${probeRecord.number}): ServiceNow answered ${answer(e)}`);
  }
  return result;
}
