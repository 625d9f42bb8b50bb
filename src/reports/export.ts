import { sql } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db/database.js';
import { incidentRef } from '../incidents/incident.js';
import type { Policy } from '../policy/schema.js';
import { privateIncidentsVisibleTo, RESTRICTED_TITLE } from './access.js';
import { countedIncidents } from './metrics.js';
import { parseFieldValues, type FieldValues } from '../incidents/fields.js';

/** One incident with its measures, as exported and listed on the dashboard. */
export interface IncidentRow {
  id: string;
  ref: string;
  title: string;
  restricted: boolean;
  kind: string;
  priority: string;
  severity: string;
  category: string | null;
  services: string[];
  status: string;
  /** Key timestamps as they count (corrected where corrected; src/timestamps). */
  impact_started_at: string | null;
  detected_at: string;
  declared_at: string;
  acknowledged_at: string | null;
  mitigated_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  /** The keys whose time was corrected. */
  corrected: string[];
  /** The times as recorded, before any correction. */
  recorded_detected_at: string;
  recorded_declared_at: string;
  recorded_acknowledged_at: string | null;
  recorded_mitigated_at: string | null;
  recorded_resolved_at: string | null;
  recorded_closed_at: string | null;
  mtta_seconds: number | null;
  mttr_seconds: number | null;
  mttm_seconds: number | null;
  /** Time to detect: impact started → detected. */
  mttd_seconds: number | null;
  response_sla_met: boolean | null;
  resolution_sla_met: boolean | null;
  channel_id: string | null;
  /** Its incident type, if any. */
  type: string | null;
  /** Custom field values by key (none for a private incident the viewer is not part of). */
  fields: FieldValues;
}

export interface RowFilter {
  teamId?: string;
  from: Date;
  to: Date;
  now: Date;
  priority?: string;
  category?: string;
  service?: string;
  status?: 'open' | 'resolved';
  /** Incident type by name ("none": incidents without one); private incidents the viewer is not part of are left out. */
  type?: string;
  /** Slack user viewing: private incidents they are not part of show no title. */
  viewer?: string;
  limit?: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Incidents of a period with their measures, newest first, private ones redacted for outsiders. */
export async function incidentRows(db: Db, policy: Policy, f: RowFilter): Promise<IncidentRow[]> {
  const targets = (field: 'response_minutes' | 'resolution_minutes') => new Map(policy.priorities.filter((p) => p[field]).map((p) => [p.id, p[field]!]));
  const response = targets('response_minutes');
  const resolution = targets('resolution_minutes');
  const where = [
    f.priority ? sql`and prio = ${f.priority}` : sql``,
    f.category ? sql`and category = ${f.category}` : sql``,
    f.service ? sql`and ${f.service} = any(services)` : sql``,
    f.status === 'open' ? sql`and resolved_at is null` : f.status === 'resolved' ? sql`and resolved_at is not null` : sql``,
    f.type === 'none' ? sql`and incident_type is null` : f.type ? sql`and lower(incident_type) = ${f.type.toLowerCase()}` : sql``,
  ];
  const { rows } = await sql<Record<string, any>>`
    with base as (${countedIncidents(policy, f)})
    select * from base where true ${sql.join(where, sql` `)}
    order by declared_at desc, number desc
    limit ${f.limit ?? 10_000}`.execute(db);
  const visible = await privateIncidentsVisibleTo(db, f.viewer, rows.filter((r) => r.kind === 'security').map((r) => r.id));
  const secs = (a: Date | null, b: Date) => (a ? Math.round((a.getTime() - b.getTime()) / 1000) : null);
  const met = (at: Date | null, declared: Date, minutes: number | undefined) => {
    if (!minutes) return null;
    const due = declared.getTime() + minutes * 60_000;
    if (at) return at.getTime() <= due;
    return f.now.getTime() > due ? false : null;
  };
  const shown = f.type ? rows.filter((r) => r.kind !== 'security' || visible.has(r.id)) : rows;
  return shown.map((r) => {
    const restricted = r.kind === 'security' && !visible.has(r.id);
    return {
      id: r.id,
      ref: incidentRef(policy.number_prefix, { number: r.number }),
      title: restricted ? RESTRICTED_TITLE : r.title,
      restricted,
      kind: r.kind,
      priority: r.prio,
      severity: r.severity,
      category: r.category,
      services: restricted ? [] : r.services,
      status: r.closed_at ? 'closed' : r.status,
      impact_started_at: iso(r.impact_started_at),
      detected_at: iso(r.detected_at)!,
      declared_at: iso(r.declared_at)!,
      acknowledged_at: iso(r.acknowledged_at),
      mitigated_at: iso(r.mitigated_at),
      resolved_at: iso(r.resolved_at),
      closed_at: iso(r.closed_at),
      corrected: r.corrected_keys ?? [],
      recorded_detected_at: iso(r.recorded_detected_at)!,
      recorded_declared_at: iso(r.recorded_declared_at)!,
      recorded_acknowledged_at: iso(r.recorded_acknowledged_at),
      recorded_mitigated_at: iso(r.recorded_mitigated_at),
      recorded_resolved_at: iso(r.recorded_resolved_at),
      recorded_closed_at: iso(r.recorded_closed_at),
      mtta_seconds: secs(r.acknowledged_at, r.declared_at),
      mttr_seconds: secs(r.resolved_at, r.declared_at),
      mttm_seconds: secs(r.mitigated_at, r.declared_at),
      mttd_seconds: r.impact_started_at ? secs(r.detected_at, r.impact_started_at) : null,
      response_sla_met: met(r.acknowledged_at, r.declared_at, response.get(r.prio)),
      resolution_sla_met: met(r.resolved_at, r.declared_at, resolution.get(r.prio)),
      channel_id: restricted ? null : r.channel_id,
      type: restricted ? null : r.incident_type,
      fields: restricted ? {} : parseFieldValues(r.custom_fields),
    };
  });
}

const CSV_COLUMNS: (keyof IncidentRow)[] = [
  'ref', 'title', 'kind', 'priority', 'severity', 'category', 'services', 'status',
  'impact_started_at', 'detected_at', 'declared_at', 'acknowledged_at', 'mitigated_at', 'resolved_at', 'closed_at',
  'corrected', 'recorded_detected_at', 'recorded_declared_at', 'recorded_acknowledged_at', 'recorded_mitigated_at', 'recorded_resolved_at', 'recorded_closed_at',
  'mtta_seconds', 'mttr_seconds', 'mttm_seconds', 'mttd_seconds', 'response_sla_met', 'resolution_sla_met',
];

/**
 * A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"; the
 * full-width forms too, in Apple Numbers). csv-stringify's `escape_formulas` would also quote our own
 * negative numbers, so only text cells go through this.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** Text cells with a leading `'`, which spreadsheets read as "text, shown as it is"; numbers stay numbers. */
const CSV_CAST = {
  string: (v: string) => (FORMULA_START.test(v) ? `'${v}` : v),
  boolean: (v: boolean) => (v ? 'true' : 'false'),
};

/**
 * The incidents as CSV: the standard columns, then (when the policy has incident types or an incident
 * has one) `type` and one column per custom field (the policy's, then keys only older incidents still
 * hold), headed `field:<key>`; lists joined with `;`.
 */
export function incidentsCsv(rows: IncidentRow[], policy: Pick<Policy, 'custom_fields' | 'incident_types'> = { custom_fields: [], incident_types: [] }): string {
  const keys = [...new Set([...policy.custom_fields.map((f) => f.key), ...rows.flatMap((r) => Object.keys(r.fields))])];
  const typed = policy.incident_types.length > 0 || keys.length > 0 || rows.some((r) => r.type);
  const cell = (v: unknown) => (Array.isArray(v) ? v.join(';') : v);
  const extra = (r: IncidentRow) => (typed ? [r.type ?? '', ...keys.map((k) => cell(r.fields[k]) ?? '')] : []);
  return stringify(
    rows.map((r) => [...CSV_COLUMNS.map((c) => cell(r[c])), ...extra(r)]),
    { header: true, columns: [...CSV_COLUMNS, ...(typed ? ['type', ...keys.map((k) => `field:${k}`)] : [])], cast: CSV_CAST },
  );
}

export interface TimelineRow {
  seq: number;
  at: string;
  actor: string | null;
  kind: string;
  payload: Record<string, unknown>;
  /** The row's link in the incident's hash chain. */
  hash: string;
}

/** The timeline as CSV; every row carries its chain hash, the last one being the chain head. */
export function timelineCsv(rows: TimelineRow[]): string {
  return stringify(
    rows.map((r) => [r.seq, r.at, r.actor ?? '', r.kind, JSON.stringify(r.payload), r.hash]),
    { header: true, columns: ['seq', 'at', 'actor', 'kind', 'payload', 'sha256'], cast: CSV_CAST },
  );
}
