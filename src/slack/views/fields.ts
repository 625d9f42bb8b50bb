import type { KnownBlock, View } from '@slack/types';
import { fieldLabel, fieldsOfType, findType, isEmpty, labelOfKey, requiredBy, valueText, type FieldValue, type FieldValues } from '../../incidents/fields.js';
import type { CustomField } from '../../policy/fields-schema.js';
import type { Policy } from '../../policy/schema.js';
import { Block, Callback, fieldBlock } from '../ids.js';
import { escCut, mrkdwn, plain, user } from './format.js';
import { modal, option, selectInput } from './kit.js';
import { BlockLimit, packLines } from './fit.js';

/** The type select that leads the declare form (and the fields form): choosing one redraws the form with its fields. */
export function typeSelect(policy: Policy, blockId: string, initial: string | null | undefined, opts: { optional?: boolean } = {}) {
  const options = policy.incident_types.map((t) => option(t.name, t.name, t.description));
  return { ...selectInput(blockId, 'Type', options, { initial: initial ?? undefined, placeholder: 'Choose a type', optional: opts.optional, hint: 'The form then asks for this type’s fields.' }), dispatch_action: true };
}

const STAGE_HINT = { never: undefined, declare: undefined, resolve: 'Needed before it can be resolved.', close: 'Needed before it can be closed.' } as const;

/** The input block of one custom field, showing `value`; optional unless `required` (the form then refuses it empty). */
export function fieldInput(field: CustomField, value: FieldValue | undefined, opts: { required?: boolean } = {}) {
  const hint = [field.hint, STAGE_HINT[field.required]].filter(Boolean).join(' ');
  const block = {
    type: 'input' as const,
    block_id: fieldBlock(field.key),
    optional: !opts.required,
    label: plain(fieldLabel(field), 2000),
    ...(hint ? { hint: plain(hint, 2000) } : {}),
  };
  const action_id = fieldBlock(field.key);
  const has = !isEmpty(value);
  const options = (field.options ?? []).slice(0, BlockLimit.options).map((o) => option(o, o));
  switch (field.type) {
    case 'text':
    case 'long_text':
      return { ...block, element: { type: 'plain_text_input', action_id, multiline: field.type === 'long_text', max_length: field.type === 'text' ? 150 : 3000, ...(has ? { initial_value: valueText(value) } : {}) } };
    case 'number':
      return { ...block, element: { type: 'number_input', action_id, is_decimal_allowed: true, ...(has ? { initial_value: String(value) } : {}) } };
    case 'url':
      return { ...block, element: { type: 'url_text_input', action_id, ...(has ? { initial_value: String(value) } : {}) } };
    case 'date':
      return { ...block, element: { type: 'datepicker', action_id, ...(has ? { initial_date: String(value) } : {}) } };
    case 'user':
      return { ...block, element: { type: 'users_select', action_id, ...(has ? { initial_user: String(value) } : {}) } };
    case 'select': {
      const initial = options.find((o) => o.value === value);
      return { ...block, element: { type: 'static_select', action_id, options, placeholder: plain('Choose', 150), ...(initial ? { initial_option: initial } : {}) } };
    }
    case 'multi_select': {
      const chosen = Array.isArray(value) ? options.filter((o) => value.includes(o.value)) : [];
      return { ...block, element: { type: 'multi_static_select', action_id, options, placeholder: plain('Choose', 150), ...(chosen.length ? { initial_options: chosen } : {}) } };
    }
  }
}

/** The inputs of a type's fields, showing `values`; the fields required by `stage` are marked as a form must not leave them empty. */
export function typeFieldInputs(policy: Policy, type: string | null | undefined, values: FieldValues, stage?: 'declare' | 'resolve'): ReturnType<typeof fieldInput>[] {
  return fieldsOfType(policy, type).map((f) => fieldInput(f, values[f.key], { required: stage !== undefined && requiredBy(f, stage) }));
}

type StateValues = Record<string, Record<string, any>>;

/** What a form's inputs hold for these fields: a key per field in the form (null when empty), none for a field not in it. */
export function readFieldValues(values: StateValues, fields: CustomField[]): Record<string, FieldValue | null> {
  const out: Record<string, FieldValue | null> = {};
  for (const f of fields) {
    const el = values[fieldBlock(f.key)]?.[fieldBlock(f.key)];
    if (!el) continue;
    out[f.key] = readElement(f, el);
  }
  return out;
}

function readElement(f: CustomField, el: Record<string, any>): FieldValue | null {
  switch (f.type) {
    case 'number': {
      const raw = String(el.value ?? '').trim();
      return raw === '' ? null : Number(raw);
    }
    case 'select':
      return el.selected_option?.value ?? null;
    case 'multi_select': {
      const list = ((el.selected_options ?? []) as { value?: string }[]).map((o) => String(o.value ?? '')).filter(Boolean);
      return list.length ? list : null;
    }
    case 'date':
      return el.selected_date ?? null;
    case 'user':
      return el.selected_user ?? null;
    default: {
      const text = String(el.value ?? '').trim();
      return text === '' ? null : text;
    }
  }
}

/** A value as the card and timeline show it (mrkdwn). */
export function fieldValueMarkdown(field: CustomField | undefined, value: FieldValue): string {
  if (field?.type === 'user' && typeof value === 'string') return user(value);
  return escCut(valueText(value), 300);
}

/** The card's section of the incident's type and field values (values of fields no longer in the policy included). */
export function fieldsSection(policy: Policy, incident: { type: string | null; fields: FieldValues }): KnownBlock[] {
  const own = fieldsOfType(policy, incident.type);
  const keys = [...own.map((f) => f.key), ...Object.keys(incident.fields).filter((k) => !own.some((f) => f.key === k))];
  const lines = keys.flatMap((k) => {
    const v = incident.fields[k];
    const field = policy.custom_fields.find((f) => f.key === k);
    if (isEmpty(v)) return own.some((f) => f.key === k) ? [`*${escCut(labelOfKey(policy, k), 60)}:* _not set_`] : [];
    return [`*${escCut(labelOfKey(policy, k), 60)}:* ${fieldValueMarkdown(field, v!)}`];
  });
  if (!incident.type && !lines.length) return [];
  const head = `*Type:* ${incident.type ? escCut(incident.type, 60) : '_none_'}`;
  // The card is one message: at most CARD_FIELD_SECTIONS sections of whole lines, the rest counted.
  const sections = packLines([head, ...lines]);
  const shown = sections.slice(0, CARD_FIELD_SECTIONS);
  const hidden = sections.slice(CARD_FIELD_SECTIONS).reduce((n, s) => n + s.split('\n').length, 0);
  return [
    ...shown.map((text) => ({ type: 'section' as const, text: mrkdwn(text) })),
    ...(hidden ? [{ type: 'context' as const, elements: [mrkdwn(`…and ${hidden} more: \`/incident fields\``)] }] : []),
  ];
}

/** Sections of field values on the card (each up to ~2,900 characters), leaving the card room under Slack's message text limit. */
const CARD_FIELD_SECTIONS = 2;

export interface FieldsMetadata {
  incidentId: string;
  /** The type the form shows. */
  type: string | null;
}

/**
 * `/incident fields`: the incident's type and its fields, to edit; the fields required by the
 * incident's stage (`resolve` once it is resolved) are marked required.
 */
export function fieldsModal(policy: Policy, opts: { incidentRef: string; type: string | null; values: FieldValues; stage: 'declare' | 'resolve'; metadata: FieldsMetadata }): View {
  const type = findType(policy, opts.type);
  const inputs = typeFieldInputs(policy, type?.name, opts.values, opts.stage);
  const blocks: unknown[] = [
    ...(policy.incident_types.length ? [typeSelect(policy, Block.fieldsType, type?.name, { optional: true })] : []),
    ...(inputs.length ? inputs : [{ type: 'context', elements: [mrkdwn(type ? 'This type has no fields.' : 'Choose a type to see its fields.')] }]),
  ];
  return modal({ callbackId: Callback.fieldsModal, title: `Fields of ${opts.incidentRef}`, submit: 'Save', metadata: opts.metadata, blocks });
}
