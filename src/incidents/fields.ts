import { z } from 'zod';
import { DomainError } from './errors.js';
import type { CustomField, FieldStage, IncidentType } from '../policy/fields-schema.js';

/**
 * An incident's custom field values and the pure rules about them: labels, which fields a type asks for, what a
 * value must look like, and which required fields are still empty at a stage of the incident.
 */

/** A number field holds a number, a multi_select a list, everything else a string (a user field: U…, a date: YYYY-MM-DD). */
export type FieldValue = string | number | string[];
export type FieldValues = Record<string, FieldValue>;

const storedValue = z.union([z.string(), z.number(), z.array(z.string())]);

/** Values as stored; an entry that does not parse (never written by this code) is left out. */
export function parseFieldValues(raw: unknown): FieldValues {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: FieldValues = {};
  for (const [k, v] of Object.entries(raw)) {
    const p = storedValue.safeParse(v);
    if (p.success) out[k] = p.data;
  }
  return out;
}

/** What the parts of the code reading fields need of the policy. */
export interface FieldsPolicy {
  incident_types: IncidentType[];
  custom_fields: CustomField[];
}

/** `data_classification` → "Data classification". */
export function keyInWords(key: string): string {
  const words = key.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The field's label, or its key in words. */
export function fieldLabel(field: Pick<CustomField, 'key' | 'label'>): string {
  return field.label ?? keyInWords(field.key);
}

/** A key's label, for a key the policy may no longer have. */
export function labelOfKey(policy: FieldsPolicy, key: string): string {
  const f = policy.custom_fields.find((x) => x.key === key);
  return f ? fieldLabel(f) : keyInWords(key);
}

export function findType(policy: FieldsPolicy, name: string | null | undefined): IncidentType | undefined {
  if (!name) return undefined;
  const n = name.trim().toLowerCase();
  return policy.incident_types.find((t) => t.name.toLowerCase() === n);
}

/** The fields a type asks for, in its order. */
export function fieldsOfType(policy: FieldsPolicy, typeName: string | null | undefined): CustomField[] {
  const type = findType(policy, typeName);
  if (!type) return [];
  return type.fields.map((k) => policy.custom_fields.find((f) => f.key === k)).filter((f): f is CustomField => f !== undefined);
}

export function isEmpty(value: FieldValue | null | undefined): boolean {
  return value === undefined || value === null || (Array.isArray(value) ? value.length === 0 : String(value).trim() === '');
}

const STAGE_ORDER: Record<FieldStage, number> = { never: 99, declare: 1, resolve: 2, close: 3 };

/** Whether a field must be filled by `stage` (a field required to declare is required to resolve and close too). */
export function requiredBy(field: CustomField, stage: Exclude<FieldStage, 'never'>): boolean {
  return STAGE_ORDER[field.required] <= STAGE_ORDER[stage];
}

/** The type's fields required by `stage` that are still empty. */
export function missingFields(policy: FieldsPolicy, incident: { type: string | null; fields: FieldValues }, stage: Exclude<FieldStage, 'never'>): CustomField[] {
  return fieldsOfType(policy, incident.type).filter((f) => requiredBy(f, stage) && isEmpty(incident.fields[f.key]));
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Why a value does not fit its field, or undefined when it does (an empty value always fits here). */
export function valueProblem(field: CustomField, value: FieldValue | null | undefined): string | undefined {
  if (isEmpty(value)) return undefined;
  const label = fieldLabel(field);
  switch (field.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `${label} must be a number.`;
    case 'multi_select': {
      const bad = Array.isArray(value) ? value.filter((v) => !field.options?.includes(v)) : ['?'];
      return bad.length ? `${label}: choose from ${field.options?.join(', ')}.` : undefined;
    }
    case 'select':
      return typeof value === 'string' && field.options?.includes(value) ? undefined : `${label}: choose from ${field.options?.join(', ')}.`;
    case 'date':
      return typeof value === 'string' && DATE_RE.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : `${label} must be a date (YYYY-MM-DD).`;
    case 'user':
      return typeof value === 'string' && /^[UW][A-Z0-9]{2,}$/.test(value) ? undefined : `${label} must be a Slack user.`;
    case 'url':
      return typeof value === 'string' && /^https?:\/\/\S+$/i.test(value) && value.length <= 2000 ? undefined : `${label} must be an http(s) link.`;
    case 'long_text':
      return typeof value === 'string' && value.length <= 3000 ? undefined : `${label} can be at most 3000 characters.`;
    case 'text':
      return typeof value === 'string' && value.length <= 150 ? undefined : `${label} can be at most 150 characters.`;
  }
}

/** A value as plain text (CSV, documents): lists joined with ", ". */
export function valueText(value: FieldValue | null | undefined): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Two values are the same (lists in any order). */
export function sameValue(a: FieldValue | null | undefined, b: FieldValue | null | undefined): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
  return a === b;
}

/** The name each field's problem is reported under in a DomainError (a form shows it under that field's input). */
export const fieldErrorKey = (key: string) => `fields.${key}`;

const STAGE_VERB = { declare: 'declaring', resolve: 'resolving', close: 'closing' } as const;
type Stage = Exclude<FieldStage, 'never'>;

/** Each required field left empty by `stage`, under `fields.<key>`, naming it. */
function missingProblem(missing: CustomField[], stage: Stage): Record<string, string> {
  return Object.fromEntries(missing.map((f) => [fieldErrorKey(f.key), `${fieldLabel(f)} is required before ${STAGE_VERB[stage]}.`]));
}

/** The type's fields required by `stage` still empty in `incident`, each under `fields.<key>`, naming it. */
export function missingProblems(policy: FieldsPolicy, incident: { type: string | null; fields: FieldValues }, stage: Stage): Record<string, string> {
  return missingProblem(missingFields(policy, incident, stage), stage);
}

/** The problems of a set of values for a type at a stage: values that do not fit, and required fields left empty, each under `fields.<key>`. */
export function fieldProblems(policy: FieldsPolicy, type: string | null, values: FieldValues, stage: Stage): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const f of fieldsOfType(policy, type)) {
    const bad = valueProblem(f, values[f.key]);
    if (bad) problems[fieldErrorKey(f.key)] = bad;
  }
  return { ...problems, ...missingProblems(policy, { type, fields: values }, stage) };
}

/** Refuses a resolve or close while a field the incident's type requires by then is empty: the message names them all, each is also under its own `fields.<key>`. */
export function refuseMissingFields(policy: FieldsPolicy, incident: { type: string | null; fields: FieldValues }, stage: 'resolve' | 'close'): void {
  const missing = missingFields(policy, incident, stage);
  if (!missing.length) return;
  const summary = `Fill in ${missing.map(fieldLabel).join(', ')} before ${STAGE_VERB[stage]} (\`/incident fields\`).`;
  throw new DomainError('invalid_state', summary, undefined, missingProblem(missing, stage));
}
