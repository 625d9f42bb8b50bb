/**
 * What the fake Statuspage accepts in an `incident` object, as Atlassian's API v1 reference describes
 * it: the fields of create/update, the two families of statuses (realtime and scheduled maintenance),
 * the component statuses, scheduled windows, and metadata whose top-level values are objects.
 * Validation failures read like Statuspage's (Rails) messages and answer 422.
 */

export const REALTIME_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const SCHEDULED_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;

const STRING_FIELDS = ['name', 'status', 'body', 'impact_override', 'scheduled_for', 'scheduled_until', 'backfill_date'] as const;
const BOOLEAN_FIELDS = [
  'deliver_notifications',
  'scheduled_remind_prior',
  'scheduled_auto_in_progress',
  'scheduled_auto_completed',
  'auto_transition_to_maintenance_state',
  'auto_transition_to_operational_state',
  'auto_transition_deliver_notifications_at_start',
  'auto_transition_deliver_notifications_at_end',
  'backfilled',
] as const;
const KNOWN = new Set<string>([...STRING_FIELDS, ...BOOLEAN_FIELDS, 'component_ids', 'components', 'metadata']);

/** A validated `incident` object (only what was sent). */
export interface IncidentInput {
  name?: string;
  status?: string;
  body?: string;
  impact_override?: string;
  scheduled_for?: string;
  scheduled_until?: string;
  component_ids?: string[];
  components?: Record<string, string>;
  metadata?: Record<string, Record<string, unknown>>;
  deliver_notifications?: boolean;
  scheduled_remind_prior?: boolean;
  scheduled_auto_in_progress?: boolean;
  scheduled_auto_completed?: boolean;
  [flag: string]: unknown;
}

const human = (field: string) => field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, ' ');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v) && !Number.isNaN(Date.parse(v));

/**
 * The shape of an `incident` object: its messages (empty when it is well formed). An attribute the
 * API does not know is refused rather than ignored, so a misspelt field fails a test instead of
 * silently doing nothing.
 */
export function shapeErrors(incident: Record<string, unknown>, knownComponents: Set<string>): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(incident)) if (!KNOWN.has(key)) errors.push(`Unknown attribute '${key}' for Incident`);
  for (const f of STRING_FIELDS) if (incident[f] !== undefined && incident[f] !== null && typeof incident[f] !== 'string') errors.push(`${human(f)} must be a string`);
  for (const f of BOOLEAN_FIELDS) if (incident[f] !== undefined && typeof incident[f] !== 'boolean') errors.push(`${human(f)} must be true or false`);
  if (typeof incident.name === 'string' && incident.name.length > 255) errors.push('Name is too long (maximum is 255 characters)');
  for (const f of ['scheduled_for', 'scheduled_until'] as const) {
    const v = incident[f];
    if (typeof v === 'string' && !isTime(v)) errors.push(`${human(f)} is not a valid ISO 8601 time`);
  }
  const ids = incident.component_ids;
  if (ids !== undefined) {
    if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string')) errors.push('Component ids must be an array of component ids');
    else for (const id of ids) if (!knownComponents.has(id)) errors.push(`Component ids contains ${id}, which is not a component of this page`);
  }
  const comps = incident.components;
  if (comps !== undefined) {
    if (!isObject(comps)) errors.push('Components must be an object of component id to status');
    else
      for (const [id, status] of Object.entries(comps)) {
        if (!knownComponents.has(id)) errors.push(`Components contains ${id}, which is not a component of this page`);
        if (!(COMPONENT_STATUSES as readonly unknown[]).includes(status)) errors.push(`Component status ${String(status)} is not included in the list`);
      }
  }
  const meta = incident.metadata;
  if (meta !== undefined && (!isObject(meta) || Object.values(meta).some((v) => !isObject(v)))) errors.push('Metadata must be a JSON object whose top-level values are objects');
  return errors;
}

/** The rules of a create, once the shape is right. */
export function createErrors(i: IncidentInput): string[] {
  const errors: string[] = [];
  if (!i.name?.trim()) errors.push("Name can't be blank");
  const scheduled = i.scheduled_for !== undefined || (SCHEDULED_STATUSES as readonly string[]).includes(i.status ?? '');
  const allowed: readonly string[] = scheduled ? SCHEDULED_STATUSES : REALTIME_STATUSES;
  if (i.status !== undefined && !allowed.includes(i.status)) errors.push('Status is not included in the list');
  if (scheduled) errors.push(...windowErrors(i.scheduled_for, i.scheduled_until));
  return errors;
}

/** The rules of an update of an incident whose family (realtime or scheduled) is fixed. */
export function updateErrors(i: IncidentInput, current: { scheduled: boolean; scheduledFor: string | null; scheduledUntil: string | null }): string[] {
  const errors: string[] = [];
  if (i.name !== undefined && !i.name.trim()) errors.push("Name can't be blank");
  const allowed: readonly string[] = current.scheduled ? SCHEDULED_STATUSES : REALTIME_STATUSES;
  if (i.status !== undefined && !allowed.includes(i.status)) errors.push('Status is not included in the list');
  if (!current.scheduled && (i.scheduled_for !== undefined || i.scheduled_until !== undefined)) errors.push('Scheduled for can only be set on scheduled maintenance');
  if (current.scheduled) errors.push(...windowErrors(i.scheduled_for ?? current.scheduledFor ?? undefined, i.scheduled_until ?? current.scheduledUntil ?? undefined));
  return errors;
}

function windowErrors(from: string | undefined, until: string | undefined): string[] {
  if (!from) return ["Scheduled for can't be blank"];
  if (!until) return ["Scheduled until can't be blank"];
  return Date.parse(until) > Date.parse(from) ? [] : ['Scheduled until must be after scheduled for'];
}

/** The impact Statuspage computes from the worst affected component. */
export function impactOf(statuses: string[], scheduled: boolean): string {
  if (scheduled) return 'maintenance';
  if (statuses.includes('major_outage')) return 'critical';
  if (statuses.includes('partial_outage')) return 'major';
  if (statuses.includes('degraded_performance')) return 'minor';
  return 'none';
}
