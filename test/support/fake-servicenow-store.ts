/**
 * The state and rules of the fake ServiceNow instance (test/support/fake-servicenow.ts serves them over
 * HTTP): tables of string-valued records, numbering, the stock incident business rules (priority lookup,
 * the resolve data policy, journal fields), ACLs, encoded queries and the Table API's rendering of
 * reference and choice fields. Every value is stored as a string, as the Table API returns them.
 */
import { randomBytes } from 'node:crypto';

export type Rec = Record<string, string>;
export type Operation = 'read' | 'create' | 'write';

/** A refusal in ServiceNow's own words: the HTTP status and the `error` object of its body. */
export class SnRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail: string | null,
  ) {
    super(message);
  }
}

export const newSysId = (): string => randomBytes(16).toString('hex');

/** `YYYY-MM-DD HH:mm:ss` in UTC, the Table API's glide_date_time format. */
export const glideDateTime = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

const TASK_FIELDS = ['number', 'short_description', 'description', 'state', 'impact', 'urgency', 'priority', 'assignment_group', 'assigned_to', 'opened_by', 'opened_at', 'active', 'work_notes', 'comments', 'correlation_id', 'correlation_display', 'cmdb_ci', 'business_service', 'due_date', 'closed_at', 'close_notes'];
const SYS_FIELDS = ['sys_id', 'sys_created_on', 'sys_created_by', 'sys_updated_on', 'sys_updated_by', 'sys_mod_count'];

interface TableDef {
  fields: string[];
  /** Reference fields and the table they point to. */
  refs?: Record<string, string>;
  /** Number prefix and first number (tables with a `number` field). */
  numbering?: [string, number];
  /** The field shown for a reference to this table. */
  display: string;
  journal?: boolean;
  /** The table's own state model (task tables share one; problem and change_request have theirs). */
  states?: StateModel;
}

interface StateModel {
  initial: string;
  /** States that end the record's activity (closed_at set, active false). */
  closed: string[];
  labels: Record<string, string>;
}

/** The task table's states: 1 Open … 3 Closed Complete, 4 Closed Incomplete, 7 Closed Skipped. */
const TASK_STATES: StateModel = { initial: '1', closed: ['3', '4', '7'], labels: { '-5': 'Pending', '1': 'Open', '2': 'Work in Progress', '3': 'Closed Complete', '4': 'Closed Incomplete', '7': 'Closed Skipped' } };
/** Problem Management's state model (Madrid and later). */
const PROBLEM_STATES: StateModel = { initial: '101', closed: ['107'], labels: { '101': 'New', '102': 'Assess', '103': 'Root Cause Analysis', '104': 'Fix in Progress', '106': 'Resolved', '107': 'Closed' } };
/** Change Management's state model. */
const CHANGE_STATES: StateModel = { initial: '-5', closed: ['3', '4'], labels: { '-5': 'New', '-4': 'Assess', '-3': 'Authorize', '-2': 'Scheduled', '-1': 'Implement', '0': 'Review', '3': 'Closed', '4': 'Canceled' } };
/** The incident's own states (its rules are applied apart: the resolve data policy). */
const INCIDENT_STATES: StateModel = { initial: '1', closed: ['7'], labels: { '1': 'New', '2': 'In Progress', '3': 'On Hold', '6': 'Resolved', '7': 'Closed', '8': 'Canceled' } };

const taskRefs = { assignment_group: 'sys_user_group', assigned_to: 'sys_user', opened_by: 'sys_user', cmdb_ci: 'cmdb_ci', business_service: 'cmdb_ci_service' };

/** The tables the fake knows, with the stock fields integrations use. */
export const TABLES: Record<string, TableDef> = {
  incident: {
    fields: [...TASK_FIELDS, 'caller_id', 'category', 'subcategory', 'close_code', 'problem_id', 'caused_by', 'resolved_at', 'resolved_by', 'incident_state', 'hold_reason'],
    refs: { ...taskRefs, caller_id: 'sys_user', problem_id: 'problem', caused_by: 'change_request', resolved_by: 'sys_user' },
    numbering: ['INC', 10001],
    display: 'number',
    journal: true,
    states: INCIDENT_STATES,
  },
  problem: { fields: [...TASK_FIELDS, 'problem_statement', 'cause_notes', 'fix_notes', 'resolution_code'], refs: taskRefs, numbering: ['PRB', 40001], display: 'number', journal: true, states: PROBLEM_STATES },
  change_request: { fields: [...TASK_FIELDS, 'type', 'risk', 'start_date', 'end_date'], refs: taskRefs, numbering: ['CHG', 30001], display: 'number', journal: true, states: CHANGE_STATES },
  incident_task: { fields: [...TASK_FIELDS, 'incident'], refs: { ...taskRefs, incident: 'incident' }, numbering: ['TASK', 10001], display: 'number', journal: true, states: TASK_STATES },
  problem_task: { fields: [...TASK_FIELDS, 'problem', 'problem_task_type'], refs: { ...taskRefs, problem: 'problem' }, numbering: ['PTASK', 10001], display: 'number', journal: true, states: TASK_STATES },
  sys_user: { fields: ['user_name', 'name', 'first_name', 'last_name', 'email', 'active', 'title'], display: 'name' },
  sys_user_group: { fields: ['name', 'description', 'email', 'active', 'manager'], refs: { manager: 'sys_user' }, display: 'name' },
  cmdb_ci: { fields: ['name', 'sys_class_name', 'operational_status'], display: 'name' },
  cmdb_ci_service: { fields: ['name', 'sys_class_name', 'operational_status'], display: 'name' },
  sys_journal_field: { fields: ['element', 'element_id', 'name', 'value'], display: 'value' },
  sys_attachment: { fields: ['file_name', 'table_name', 'table_sys_id', 'content_type', 'size_bytes'], display: 'file_name' },
};
for (const def of Object.values(TABLES)) def.fields.push(...SYS_FIELDS);

/** Stock choice labels (sysparm_display_value). */
const CHOICES: Record<string, Record<string, string>> = {
  impact: { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' },
  urgency: { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' },
  priority: { '1': '1 - Critical', '2': '2 - High', '3': '3 - Moderate', '4': '4 - Low', '5': '5 - Planning' },
};

/** The stock Priority Lookup Rules of an incident: impact (row) × urgency (column) → priority. */
export const STOCK_PRIORITY: Record<string, Record<string, string>> = {
  '1': { '1': '1', '2': '2', '3': '3' },
  '2': { '1': '2', '2': '3', '3': '4' },
  '3': { '1': '3', '2': '4', '3': '5' },
};

const JOURNAL_FIELDS = new Set(['work_notes', 'comments']);

export interface AclRule {
  table: string;
  operation: Operation;
  field?: string;
  /** A field write denial is silently dropped by ServiceNow; `refuse` answers 403 instead. */
  refuse?: boolean;
}

export class FakeServiceNowStore {
  readonly tables = new Map<string, Map<string, Rec>>();
  readonly attachments = new Map<string, Buffer>();
  acl: AclRule[] = [];
  private readonly counters = new Map<string, number>();

  constructor(private readonly now: () => Date) {
    for (const name of Object.keys(TABLES)) this.tables.set(name, new Map());
  }

  table(name: string): Map<string, Rec> {
    const t = this.tables.get(name);
    if (!t) throw new SnRefusal(400, `Invalid table ${name}`, null);
    return t;
  }

  denied(table: string, operation: Operation, field?: string): AclRule | undefined {
    return this.acl.find((r) => r.table === table && r.operation === operation && (field === undefined ? r.field === undefined : r.field === field));
  }

  /** Inserts a record as `actor` (a sys_user user_name), running the business rules. */
  insert(table: string, input: Record<string, unknown>, actor: string): Rec {
    const def = TABLES[table];
    this.table(table);
    if (this.denied(table, 'create')) throw new SnRefusal(403, 'Operation Failed', 'ACL Exception Insert Failed due to security constraints');
    const now = glideDateTime(this.now());
    const rec: Rec = Object.fromEntries(def.fields.filter((f) => !JOURNAL_FIELDS.has(f)).map((f) => [f, '']));
    Object.assign(rec, { sys_id: newSysId(), sys_created_on: now, sys_created_by: actor, sys_updated_on: now, sys_updated_by: actor, sys_mod_count: '0' });
    if (def.numbering) rec.number = this.nextNumber(def.numbering);
    if (def.journal) Object.assign(rec, { state: def.states?.initial ?? '1', impact: '3', urgency: '3', active: 'true', opened_at: now, opened_by: this.userSysId(actor) ?? '' });
    const { fields, journal } = this.writable(table, input, 'create');
    Object.assign(rec, fields);
    this.applyRules(table, rec, actor, now);
    this.table(table).set(rec.sys_id, rec);
    for (const [element, value] of journal) this.appendJournal(table, rec.sys_id, element, value, actor, now);
    return rec;
  }

  /** Updates a record as `actor` (PATCH and PUT alike, as on the Table API). */
  update(table: string, sysId: string, input: Record<string, unknown>, actor: string): Rec {
    const existing = this.table(table).get(sysId);
    if (!existing || this.denied(table, 'read')) throw new SnRefusal(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
    if (this.denied(table, 'write')) throw new SnRefusal(403, 'Operation Failed', 'ACL Exception Update Failed due to security constraints');
    const { fields, journal } = this.writable(table, input, 'write');
    const next = { ...existing, ...fields };
    const now = glideDateTime(this.now());
    this.applyRules(table, next, actor, now);
    const changed = Object.keys(next).some((k) => next[k] !== existing[k]) || journal.length > 0;
    if (changed) Object.assign(next, { sys_updated_on: now, sys_updated_by: actor, sys_mod_count: String(Number(existing.sys_mod_count) + 1) });
    this.table(table).set(sysId, next);
    for (const [element, value] of journal) this.appendJournal(table, sysId, element, value, actor, now);
    return next;
  }

  userByName(userName: string): Rec | undefined {
    return [...this.table('sys_user').values()].find((u) => u.user_name === userName);
  }

  private userSysId(userName: string): string | undefined {
    return this.userByName(userName)?.sys_id;
  }

  private nextNumber([prefix, first]: [string, number]): string {
    const n = this.counters.get(prefix) ?? first;
    this.counters.set(prefix, n + 1);
    return `${prefix}${String(n).padStart(7, '0')}`;
  }

  /** Known fields of the input as strings; unknown fields are ignored, as ServiceNow does. */
  private writable(table: string, input: Record<string, unknown>, operation: 'create' | 'write') {
    const def = TABLES[table];
    const fields: Rec = {};
    const journal: [string, string][] = [];
    for (const [key, raw] of Object.entries(input)) {
      if (!def.fields.includes(key) || key.startsWith('sys_') || key === 'number') continue;
      const fieldRule = this.denied(table, operation === 'create' ? 'create' : 'write', key) ?? this.denied(table, 'write', key);
      if (fieldRule) {
        if (fieldRule.refuse) throw new SnRefusal(403, 'Operation Failed', `ACL Exception Update Failed due to security constraints on ${table}.${key}`);
        continue;
      }
      const value = raw === null || raw === undefined ? '' : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
      if (JOURNAL_FIELDS.has(key)) {
        if (value.trim() !== '') journal.push([key, value]);
      } else fields[key] = value;
    }
    return { fields, journal };
  }

  /** Stock business rules and data policies of the task tables. */
  private applyRules(table: string, rec: Rec, actor: string, now: string): void {
    if (table !== 'incident') {
      // The table's closed states (a task's 3 Closed Complete, a problem's 107 Closed, a change's 3 Closed
      // or 4 Canceled) end the record's activity; an open state again makes it active.
      const states = TABLES[table].states;
      if (!states) return;
      if (states.closed.includes(rec.state)) {
        if (!rec.closed_at) Object.assign(rec, { closed_at: now, active: 'false' });
      } else if (rec.closed_at) Object.assign(rec, { closed_at: '', active: 'true' });
      return;
    }
    rec.priority = STOCK_PRIORITY[rec.impact]?.[rec.urgency] ?? rec.priority;
    if (rec.state === '6' || rec.state === '7') {
      const missing = [rec.close_code ? null : 'Resolution code', rec.close_notes ? null : 'Resolution notes'].filter(Boolean);
      if (missing.length > 0) throw new SnRefusal(403, 'Operation Failed', `Data Policy Exception: \n The following fields are mandatory: ${missing.join(', ')}\n`);
      if (!rec.resolved_at) Object.assign(rec, { resolved_at: now, resolved_by: this.userSysId(actor) ?? '' });
      if (rec.state === '7' && !rec.closed_at) Object.assign(rec, { closed_at: now, active: 'false' });
    } else if (rec.resolved_at) {
      Object.assign(rec, { resolved_at: '', resolved_by: '', closed_at: '', active: 'true' });
    }
    rec.incident_state = rec.state;
  }

  appendJournal(table: string, sysId: string, element: string, value: string, actor: string, now = glideDateTime(this.now())): Rec {
    const row: Rec = { sys_id: newSysId(), element, element_id: sysId, name: table, value, sys_created_on: now, sys_created_by: actor, sys_updated_on: now, sys_updated_by: actor, sys_mod_count: '0' };
    this.table('sys_journal_field').set(row.sys_id, row);
    return row;
  }

  /** The Table API's rendering of a record (sysparm_fields, sysparm_display_value, links). */
  render(table: string, rec: Rec, opts: { fields?: string[]; displayValue: 'true' | 'false' | 'all'; excludeLinks: boolean; baseUrl: string }): Record<string, unknown> {
    const def = TABLES[table];
    const names = (opts.fields ?? def.fields).filter((f) => def.fields.includes(f));
    const out: Record<string, unknown> = {};
    for (const name of names) {
      if (this.denied(table, 'read', name)) continue;
      const value = JOURNAL_FIELDS.has(name) ? '' : (rec[name] ?? '');
      const target = def.refs?.[name];
      if (target && value !== '') {
        const link = `${opts.baseUrl}/api/now/table/${target}/${value}`;
        const shown = this.tables.get(target)?.get(value)?.[TABLES[target].display] ?? '';
        if (opts.displayValue === 'false') out[name] = opts.excludeLinks ? value : { link, value };
        else if (opts.displayValue === 'true') out[name] = opts.excludeLinks ? shown : { display_value: shown, link };
        else out[name] = opts.excludeLinks ? { display_value: shown, value } : { display_value: shown, link, value };
        continue;
      }
      const label = this.choiceLabel(table, name, value);
      out[name] = opts.displayValue === 'false' ? value : opts.displayValue === 'true' ? label : { display_value: label, value };
    }
    return out;
  }

  private choiceLabel(table: string, field: string, value: string): string {
    if (field === 'state') return TABLES[table].states?.labels[value] ?? value;
    return CHOICES[field]?.[value] ?? value;
  }
}
