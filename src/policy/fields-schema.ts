import { z } from 'zod';

/**
 * Policy sections that fit the declare form and the record to an organisation's process: incident
 * types (each with its default privacy, severity, channel name, playbooks and fields) and the custom
 * fields they ask for. Cross-references are checked by `checkFields`, from the policy's superRefine.
 */

export const FIELD_TYPES = ['text', 'long_text', 'number', 'select', 'multi_select', 'date', 'user', 'url'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The stage by which a field must be filled: never, to declare, to resolve, to close. */
export const FIELD_STAGES = ['never', 'declare', 'resolve', 'close'] as const;
export type FieldStage = (typeof FIELD_STAGES)[number];

/** Fields per type: a modal holds 100 blocks, and the declare form needs a few of its own. */
export const MAX_FIELDS_PER_TYPE = 40;

const optionValue = z
  .union([z.string(), z.number(), z.boolean()])
  // YAML reads `yes`, `no` and numbers as themselves; an option is what the person sees.
  .transform((v) => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)))
  .pipe(z.string().trim().min(1).max(75));

export const customFieldSchema = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'a lowercase key such as customer_impact'),
    /** Shown on forms and the card; the key in words when omitted. */
    label: z.string().trim().min(1).max(60).optional(),
    type: z.enum(FIELD_TYPES),
    /** The choices of a select or multi_select (at most 100, Slack's limit). */
    options: z.array(optionValue).min(1).max(100).optional(),
    required: z.enum(FIELD_STAGES).default('never'),
    /** Shown under the input. */
    hint: z.string().trim().min(1).max(150).optional(),
  })
  .strict();

export const incidentTypeSchema = z
  .object({
    name: z.string().trim().min(1).max(60),
    description: z.string().trim().min(1).max(75).optional(),
    /** Preselects a private (security) incident; the declarer may change it. */
    private: z.boolean().default(false),
    /** Preselected severity on the declare form. */
    default_severity: z.string().optional(),
    /** The channel name template for this type ({number}, {slug}, {severity}, {kind}); the policy's `channel.name_template` when omitted. */
    channel_name: z
      .string()
      .min(1)
      .refine((t) => t.includes('{number}'), 'must contain {number} so every channel name is unique')
      .optional(),
    /** Playbooks posted when an incident of this type is declared. */
    playbooks: z.array(z.string()).max(20).default([]),
    /** Custom field keys this type asks for, in the order shown. */
    fields: z.array(z.string()).max(MAX_FIELDS_PER_TYPE).default([]),
  })
  .strict();

export const fieldsShape = {
  incident_types: z.array(incidentTypeSchema).max(50).default([]),
  custom_fields: z.array(customFieldSchema).max(200).default([]),
};

export type CustomField = z.infer<typeof customFieldSchema>;
export type IncidentType = z.infer<typeof incidentTypeSchema>;

type Issue = (path: (string | number)[], message: string) => void;

interface FieldsPolicy {
  incident_types: IncidentType[];
  custom_fields: CustomField[];
  severities: { id: string }[];
  playbooks: { name: string }[];
}

function duplicates(list: string[]): Set<string> {
  const seen = new Set<string>();
  return new Set(list.filter((x) => seen.has(x) || !seen.add(x)));
}

/** Cross-field rules, each naming the bad key: options only where they belong, unique names, known fields, severities and playbooks. */
export function checkFields(policy: FieldsPolicy, addIssue: Issue): void {
  const dupKeys = duplicates(policy.custom_fields.map((f) => f.key));
  policy.custom_fields.forEach((f, i) => {
    if (dupKeys.has(f.key)) addIssue(['custom_fields', i, 'key'], `duplicate key ${f.key}`);
    const choice = f.type === 'select' || f.type === 'multi_select';
    if (choice && !f.options) addIssue(['custom_fields', i, 'options'], `a ${f.type} field needs options (${f.key})`);
    if (!choice && f.options) addIssue(['custom_fields', i, 'options'], `only select and multi_select fields have options (${f.key} is ${f.type})`);
    if (f.options && duplicates(f.options).size) addIssue(['custom_fields', i, 'options'], `options must be unique (${f.key})`);
  });
  const keys = new Set(policy.custom_fields.map((f) => f.key));
  const severities = new Set(policy.severities.map((s) => s.id));
  const playbooks = new Set(policy.playbooks.map((p) => p.name));
  const dupNames = duplicates(policy.incident_types.map((t) => t.name.toLowerCase()));
  policy.incident_types.forEach((t, i) => {
    if (dupNames.has(t.name.toLowerCase())) addIssue(['incident_types', i, 'name'], `duplicate incident type ${t.name}`);
    if (t.default_severity !== undefined && !severities.has(t.default_severity)) addIssue(['incident_types', i, 'default_severity'], `unknown severity ${t.default_severity}`);
    t.playbooks.forEach((p, j) => {
      if (!playbooks.has(p)) addIssue(['incident_types', i, 'playbooks', j], `unknown playbook ${p}`);
    });
    t.fields.forEach((k, j) => {
      if (!keys.has(k)) addIssue(['incident_types', i, 'fields', j], `unknown field ${k}`);
    });
    for (const k of duplicates(t.fields)) addIssue(['incident_types', i, 'fields'], `field ${k} is listed twice`);
  });
}
