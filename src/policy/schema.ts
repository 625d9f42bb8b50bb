import { z } from 'zod';

/**
 * The organisation's incident policy, read from the YAML file named by INCIDENT_CONFIG.
 * Every field has a default so an empty file (or none) gives a working bot.
 */
const severity = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'a short id such as SEV1'),
  label: z.string().min(1).max(40).optional(),
  description: z.string().min(1).max(150),
});

const status = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,23}$/, 'a lowercase id such as investigating'),
  label: z.string().min(1).max(40).optional(),
  description: z.string().max(150).optional(),
});

export const DEFAULT_SEVERITIES = [
  { id: 'SEV1', description: 'Critical: a core service is down or data is at risk for many users' },
  { id: 'SEV2', description: 'Major: significant degradation or a key feature unavailable' },
  { id: 'SEV3', description: 'Minor: limited impact, a workaround exists' },
  { id: 'SEV4', description: 'Low: cosmetic or internal-only, no customer impact' },
];

export const DEFAULT_STATUSES = [
  { id: 'investigating', description: 'Looking for the cause' },
  { id: 'identified', description: 'Cause found, working on a fix' },
  { id: 'monitoring', description: 'Fix applied, watching that it holds' },
  { id: 'resolved', description: 'Service restored' },
];

export const policySchema = z
  .object({
    /** Prefix of the human incident number, e.g. INC for INC-42. */
    number_prefix: z.string().regex(/^[A-Z][A-Z0-9]{0,9}$/, 'uppercase letters and digits, such as INC').default('INC'),
    channel: z
      .object({
        /** Channel name template: {number}, {slug}, {severity}, {kind}. */
        name_template: z
          .string()
          .min(1)
          .refine((t) => t.includes('{number}'), 'must contain {number} so every channel name is unique')
          .default('inc-{number}-{slug}'),
        /** Channel used when the environment sets no INCIDENT_ANNOUNCE_CHANNEL (id like C0123 or #name). */
        announce: z.string().min(1).optional(),
      })
      .strict()
      .default({ name_template: 'inc-{number}-{slug}' }),
    severities: z
      .array(severity.strict())
      .min(1)
      .max(10)
      .default(DEFAULT_SEVERITIES)
      .refine((list) => new Set(list.map((s) => s.id)).size === list.length, 'severity ids must be unique'),
    statuses: z
      .array(status.strict())
      .min(2)
      .max(10)
      .default(DEFAULT_STATUSES)
      .refine((list) => list.some((s) => s.id === 'resolved'), 'must include a "resolved" status')
      .refine((list) => new Set(list.map((s) => s.id)).size === list.length, 'status ids must be unique'),
    /** How often the reconciler looks for unfinished Slack side effects, in seconds. */
    reconcile_interval_seconds: z.number().int().min(1).max(3600).default(30),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;
export type Severity = Policy['severities'][number];
export type Status = Policy['statuses'][number];

/** The policy used when no file is configured. */
export function defaultPolicy(): Policy {
  return policySchema.parse({});
}
