/**
 * The `itsm` policy section: the ServiceNow connector. Setting `itsm.servicenow.instance_url` (and the
 * credentials in the environment) turns it on; every other key has a default that works with a stock
 * instance.
 */
import { z } from 'zod';
import { connectorUrl } from '../net/outbound.js';
import { jiraSchema } from './jira-schema.js';
import { DEFAULT_FIELD_OWNERS, SYNCED_FIELDS, type FieldOwner, type SyncedField } from '../servicenow/fields.js';

const sysId = z.string().regex(/^[0-9a-f]{32}$/, 'a sys_id (32 hexadecimal characters)');
const level = z.union([z.literal(1), z.literal(2), z.literal(3)], { error: '1 (High), 2 (Medium) or 3 (Low)' });

/** Which journal field an update to an audience is written to, or `none` to leave it out. */
export const JOURNAL_TARGETS = ['work_notes', 'comments', 'none'] as const;
export type JournalTarget = (typeof JOURNAL_TARGETS)[number];

const instanceUrl = connectorUrl('https://acme.service-now.com')
  .refine((u) => new URL(u).pathname === '/' && !new URL(u).search, 'must be the instance root, without a path, such as https://acme.service-now.com')
  .transform((u) => new URL(u).origin);

const serviceMapping = z
  .object({
    /** sys_id of the assignment group (sys_user_group) the record is routed to. */
    assignment_group: sysId.optional(),
    /** sys_id of the configuration item (cmdb_ci). */
    cmdb_ci: sysId.optional(),
    /** sys_id of the business service (cmdb_ci_service). */
    business_service: sysId.optional(),
    /** The record's category (a choice value of incident.category, such as software). */
    category: z.string().min(1).max(40).optional(),
  })
  .strict();

export const servicenowSchema = z
  .object({
    /** https://acme.service-now.com: required to enable the connector. */
    instance_url: instanceUrl,
    /** How often the record is read back for notes and state changes made in ServiceNow. */
    poll_seconds: z.number().int().min(5, 'must be at least 5').max(3600, 'must be at most 3600').default(60),
    /** Hours a sync that keeps failing (ServiceNow down, in maintenance) is retried before it is given up. */
    retry_hours: z.number().int().min(1, 'must be at least 1').max(720, 'must be at most 720 (30 days)').default(24),
    /** Slack user ids of whoever runs the integration: their Home tab lists the incidents whose sync fails. */
    operators: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123ABCD')).max(100).default([]),
    /** Per priority, the impact and urgency to send instead of those the stock Priority Lookup maps to our number. */
    priorities: z.record(z.string(), z.object({ impact: level, urgency: level }).strict()).default({}),
    /** close_code sent when the incident is resolved or closed (a stock instance refuses a resolve without one). */
    close_code: z.string().trim().min(1).max(40).default('Solution provided'),
    /** close_code when the incident is classified as a security event rather than an incident. */
    classified_close_code: z.string().trim().min(1).max(40).default('No resolution provided'),
    /** Routing for every record (a service's own entry below wins). */
    defaults: serviceMapping.prefault({}),
    /** Per catalog service name: where its incidents are routed in ServiceNow. */
    services: z.record(z.string(), serviceMapping).default({}),
    /** Which journal field each audience's update goes to: work notes (internal) or comments (customer-visible). */
    audiences: z
      .object({
        technical: z.enum(JOURNAL_TARGETS).default('work_notes'),
        business: z.enum(JOURNAL_TARGETS).default('comments'),
        executive: z.enum(JOURNAL_TARGETS).default('none'),
      })
      .strict()
      .prefault({}),
    /** Where notes added in Slack go. */
    notes: z.enum(JOURNAL_TARGETS).default('work_notes'),
    /**
     * Who owns each synced field: `bot` (a change made in ServiceNow is shown as a conflict and set
     * back), `servicenow` (never written after creation; a change there is announced) or `both`.
     */
    fields: z
      .object(Object.fromEntries(SYNCED_FIELDS.map((f) => [f, z.enum(['bot', 'servicenow', 'both']).optional()])) as Record<SyncedField, z.ZodOptional<z.ZodEnum<{ bot: 'bot'; servicenow: 'servicenow'; both: 'both' }>>>)
      .strict()
      .prefault({})
      .transform((set) => ({ ...DEFAULT_FIELD_OWNERS, ...Object.fromEntries(Object.entries(set).filter((e) => e[1] !== undefined)) }) as Record<SyncedField, FieldOwner>),
    /**
     * Off unless set: a new incident in ServiceNow, assigned to one of these groups with one of these
     * priorities, declares an incident here linked to it (read at each poll).
     */
    declare_from: z
      .object({
        /** sys_ids of the assignment groups (sys_user_group) whose incidents are declared here. */
        assignment_groups: z.array(sysId).min(1, 'name at least one assignment group').max(50),
        /** ServiceNow priorities (1 Critical … 5 Planning) that declare. */
        priorities: z.array(z.number().int().min(1).max(5)).min(1).max(5).default([1, 2]),
        /** Per ServiceNow priority, the severity declared with; by default priority n takes the n-th severity. */
        severities: z.record(z.string().regex(/^[1-5]$/, 'a ServiceNow priority, 1 to 5'), z.string()).default({}),
      })
      .strict()
      .optional(),
    /** What of a security (private) incident may be copied to ServiceNow. */
    security: z
      .object({
        /** Off: the record is titled "Security incident <ref>" only. */
        title: z.boolean().default(true),
        description: z.boolean().default(false),
        /** Notes, updates and resolution summaries. */
        notes: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const itsmSchema = z
  .object({
    /** Absent (or every key commented out): the connector is off. */
    servicenow: servicenowSchema.nullish().transform((v) => v ?? undefined),
    /** Absent: the Jira connector is off. */
    jira: jiraSchema.nullish().transform((v) => v ?? undefined),
  })
  .strict();

export type ServiceNowPolicy = z.infer<typeof servicenowSchema>;
export type ServiceMapping = z.infer<typeof serviceMapping>;

type Issue = (path: (string | number)[], message: string) => void;

/** Cross-field rules: mapped priorities, services and severities must exist. */
export function checkItsm(policy: { itsm: z.infer<typeof itsmSchema>; priorities: { id: string }[]; services: { name: string }[]; severities: { id: string }[] }, addIssue: Issue): void {
  const jira = policy.itsm.jira;
  const priorities = new Set(policy.priorities.map((p) => p.id));
  for (const p of Object.keys(jira?.priorities ?? {})) {
    if (!priorities.has(p)) addIssue(['itsm', 'jira', 'priorities', p], `unknown priority ${p}`);
  }
  const sn = policy.itsm.servicenow;
  if (!sn) return;
  for (const p of Object.keys(sn.priorities)) {
    if (!priorities.has(p)) addIssue(['itsm', 'servicenow', 'priorities', p], `unknown priority ${p}`);
  }
  const services = new Set(policy.services.map((s) => s.name));
  for (const s of Object.keys(sn.services)) {
    if (!services.has(s)) addIssue(['itsm', 'servicenow', 'services', s], `unknown catalog service "${s}"`);
  }
  const severities = new Set(policy.severities.map((s) => s.id));
  for (const [p, severity] of Object.entries(sn.declare_from?.severities ?? {})) {
    if (!severities.has(severity)) addIssue(['itsm', 'servicenow', 'declare_from', 'severities', p], `unknown severity ${severity}`);
  }
}
