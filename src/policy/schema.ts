import cron from 'node-cron';
import { z } from 'zod';
import { checkSignalsPolicy, healthchecksSchema, oncallSchema, pagingSchema, signalsSchema } from './signals-schema.js';
import { checkPreparedness, preparednessShape } from './preparedness.js';
import { checkItsm, itsmSchema } from './itsm-schema.js';
import { checkStatusPage, statusPageSchema } from './status-page-schema.js';
import { checkFields, fieldsShape } from './fields-schema.js';

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

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Actions the policy can restrict. */
/** (Change approvals are governed by `changes.approvers`.) */
/** (`timestamps`, correcting key timestamps, and `keep_open`, keeping an incident open that Jira says is Done, are the commander's or deputy's unless listed; `fields`, an incident's type and custom fields, anyone's.) */
export const PERMISSION_ACTIONS = ['resolve', 'close', 'reopen', 'priority', 'dr', 'timestamps', 'fields', 'keep_open'] as const;
export type PermissionAction = (typeof PERMISSION_ACTIONS)[number];
export type PermissionRule = z.infer<typeof permissionRule>;

const permissionRule = z
  .object({
    /** Incident roles (commander, deputy…) whose holders may do it, in that incident. */
    roles: z.array(z.string().min(1)).default([]),
    /** Slack user groups (ids S… or handles) whose members may do it anywhere. */
    usergroups: z.array(z.string().min(1)).default([]),
    /** Individual users (U…). */
    users: z.array(z.string().min(1)).default([]),
  })
  .strict();

function unique(list: string[]): boolean {
  return new Set(list).size === list.length;
}

export const DEFAULT_CATEGORIES = ['network', 'database', 'application', 'security', 'hardware', 'third-party'];

export const IMPACTS = ['extensive', 'significant', 'moderate', 'minor'] as const;
export const URGENCIES = ['critical', 'high', 'medium', 'low'] as const;
export type Impact = (typeof IMPACTS)[number];
export type Urgency = (typeof URGENCIES)[number];

const priority = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'a short id such as P1'),
    description: z.string().min(1).max(150),
    /** Minutes between status updates; omit for no cadence. */
    update_every_minutes: z.number().int().min(1).max(10080).optional(),
    /** Target minutes from declaration to acknowledgement (first triage). */
    response_minutes: z.number().int().min(1).max(100000).optional(),
    /** Target minutes from declaration to resolution. */
    resolution_minutes: z.number().int().min(1).max(1000000).optional(),
  })
  .strict();

export const DEFAULT_PRIORITIES = [
  { id: 'P1', description: 'Critical: business stopped, act now', update_every_minutes: 30, response_minutes: 15, resolution_minutes: 240 },
  { id: 'P2', description: 'High: major disruption', update_every_minutes: 60, response_minutes: 30, resolution_minutes: 480 },
  { id: 'P3', description: 'Moderate: limited disruption', update_every_minutes: 240, response_minutes: 240, resolution_minutes: 2880 },
  { id: 'P4', description: 'Low: minor or no disruption', response_minutes: 1440, resolution_minutes: 7200 },
];

const matrixRow = z.object({ critical: z.string(), high: z.string(), medium: z.string(), low: z.string() }).strict();
const matrixSchema = z.object({ extensive: matrixRow, significant: matrixRow, moderate: matrixRow, minor: matrixRow }).strict();

export const DEFAULT_MATRIX = {
  extensive: { critical: 'P1', high: 'P1', medium: 'P2', low: 'P3' },
  significant: { critical: 'P1', high: 'P2', medium: 'P3', low: 'P3' },
  moderate: { critical: 'P2', high: 'P3', medium: 'P3', low: 'P4' },
  minor: { critical: 'P3', high: 'P3', medium: 'P4', low: 'P4' },
};

const role = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,23}$/, 'a lowercase id such as scribe'),
    label: z.string().min(1).max(40),
    description: z.string().min(1).max(300),
    /** What the holder should do first; DMed when the role is given. */
    checklist: z.array(z.string().min(1).max(200)).max(20).default([]),
  })
  .strict();

export const DEFAULT_ROLES = [
  { id: 'commander', label: 'Incident commander', description: 'Leads the response and makes the calls.', checklist: ['Confirm severity and priority (`/incident triage`)', 'Fill the other roles (`/incident role <role> @user`)', 'Agree the next update time'] },
  { id: 'deputy', label: 'Deputy commander', description: 'Backs up the commander and takes over when asked.', checklist: ['Keep track of open questions', 'Be ready to take command'] },
  { id: 'communications', label: 'Communications lead', description: 'Keeps stakeholders and executives informed on cadence.', checklist: ['Post updates on time (`/incident update`)', 'Choose the audiences for each update'] },
  { id: 'scribe', label: 'Scribe', description: 'Keeps the timeline complete.', checklist: ['Pin key messages to the timeline with :pushpin:', 'Add notes for decisions (`/incident note`)'] },
  { id: 'operations', label: 'Operations lead', description: 'Coordinates the hands-on technical work.', checklist: ['Split the work and name owners', 'Report progress to the commander'] },
  { id: 'security', label: 'Security lead', description: 'Owns evidence, containment and disclosure questions.', checklist: ['Preserve evidence', 'Decide on containment', 'Assess notification duties'] },
];

const escalationRule = z
  .object({
    /** Applies when the incident has one of these priorities (any when omitted). */
    priorities: z.array(z.string()).optional(),
    /** Applies when one of these services is affected (any when omitted). */
    services: z.array(z.string()).optional(),
    /** Slack user group ids (S…) or handles to page. */
    usergroups: z.array(z.string().min(1)).min(1),
  })
  .strict();

const audience = z
  .object({
    /** Channel id (C…) the update goes to. */
    channel: z.string().min(1).optional(),
    /** User ids (U…) who get it by DM (executive summaries). */
    users: z.array(z.string().min(1)).max(50).optional(),
    /** Message template: {ref}, {title}, {priority}, {severity}, {status}, {impact}, {message}, {next_update}, {commander}, {channel}. */
    template: z.string().min(1).max(3000).optional(),
  })
  .strict();

export const DEFAULT_TEMPLATES = {
  technical: '*{ref} update · {status}*\n{message}\n_Next update {next_update}_',
  business: '*{ref}: {title}* ({priority})\nStatus: {status}\nBusiness impact: {impact}\n{message}\nNext update: {next_update}',
  executive: '*{ref}* ({priority}) is *{status}*. Impact: {impact}. Next update {next_update}. Lead: {commander}.',
};

const commsSchema = z
  .object({
    technical: audience.default({}),
    business: audience.default({}),
    executive: audience.default({}),
  })
  .strict();

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time such as 09:00');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const reviewsSchema = z
  .object({
    /** Priorities whose incidents need a published review before they can be closed. */
    required_priorities: z.array(z.string()).max(10).default(['P1', 'P2']),
    /** Days after resolution when the review is due. */
    due_days: z.number().int().min(1).max(90).default(5),
    /** The review owner's digest mentions the review from this many days before it is due. */
    remind_before_days: z.number().int().min(0).max(30).default(2),
  })
  .strict();

const actionsSchema = z
  .object({
    /** Due date given to an action added without one. */
    default_due_days: z.number().int().min(1).max(365).default(14),
    /** Teams for the weekly summary: an action belongs to its owner's (first) team. */
    teams: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a lowercase id such as platform'),
            members: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'a Slack user id such as U0123ABCD')).min(1).max(1000),
          })
          .strict(),
      )
      .max(100)
      .default([])
      .refine((list) => unique(list.map((t) => t.id)), 'team ids must be unique'),
  })
  .strict();

const remindersSchema = z
  .object({
    /** Local time (in each owner's Slack timezone) when digests and escalations go out. */
    time: clockTime.default('09:00'),
    /** Days on which they go out, in the owner's timezone. */
    working_days: z.array(z.enum(WEEKDAYS)).min(1).max(7).default(['mon', 'tue', 'wed', 'thu', 'fri']).refine(unique, 'days must be unique'),
    /** An owner gets a digest when an action is overdue or due within this many days. */
    due_soon_days: z.number().int().min(0).max(60).default(3),
    /** An action overdue this many days is escalated to the incident commander and the review owner. */
    escalate_after_days: z.number().int().min(1).max(90).default(3),
    /** Days the digest's Snooze button pauses an action's reminders. */
    snooze_days: z.number().int().min(1).max(90).default(7),
    /** How often the reminder job looks for what is due (node-cron, UTC). */
    check_cron: z
      .string()
      .default('*/5 * * * *')
      .refine((c) => cron.validate(c), 'a cron expression such as */5 * * * *'),
    /** Slack profiles (timezones) older than this are fetched again. */
    profile_refresh_hours: z.number().int().min(1).max(720).default(24),
    weekly_summary: z
      .object({
        enabled: z.boolean().default(true),
        /** Channel id for the summary; the announcement channel when omitted. */
        channel: z.string().min(1).optional(),
        day: z.enum(WEEKDAYS).default('mon'),
        time: clockTime.default('09:00'),
        timezone: z.string().refine(isTimeZone, 'an IANA timezone such as Europe/Berlin').default('UTC'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

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
    categories: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a lowercase id such as network'))
      .min(1)
      .max(100)
      .default(DEFAULT_CATEGORIES)
      .refine(unique, 'category ids must be unique'),
    priorities: z
      .array(priority)
      .min(1)
      .max(10)
      .default(DEFAULT_PRIORITIES)
      .refine((list) => unique(list.map((p) => p.id)), 'priority ids must be unique'),
    /** ITIL impact × urgency → priority. */
    matrix: matrixSchema.default(DEFAULT_MATRIX),
    roles: z
      .array(role)
      .min(1)
      .max(20)
      .default(DEFAULT_ROLES)
      .refine((list) => list.some((r) => r.id === 'commander'), 'must include the "commander" role')
      .refine((list) => unique(list.map((r) => r.id)), 'role ids must be unique'),
    nags: z
      .object({
        /** Nag the channel when an incident has no commander for this long (and again each interval). */
        no_commander_minutes: z.number().int().min(1).max(1440).default(10),
      })
      .strict()
      .default({ no_commander_minutes: 10 }),
    escalation: z.array(escalationRule).max(100).default([]),
    bridge: z
      .object({
        /** Template for a generated bridge-call link: {number}, {ref}, {slug}. */
        url_template: z.string().url().optional(),
      })
      .strict()
      .default({}),
    comms: commsSchema.prefault({}),
    reports: z
      .object({
        /** A service + category seen this many times within `recurring_window_days` is flagged as recurring. */
        recurring_threshold: z.number().int().min(2).max(100).default(3),
        recurring_window_days: z.number().int().min(1).max(365).default(30),
        weekly: z
          .object({
            /** Channel for the weekly leadership report; none → not sent. */
            channel: z.string().min(1).optional(),
            day: z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']).default('mon'),
            time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:00').default('09:00'),
            timezone: z.string().refine(validTimezone, 'an IANA timezone such as Europe/Berlin').default('UTC'),
          })
          .strict()
          .prefault({}),
        /** Public base URL of this bot, for dashboard links (default http://localhost:PORT). */
        base_url: z.string().url().optional(),
        /** How long a dashboard link from `/incident dashboard` stays valid, and the session it opens. */
        link_minutes: z.number().int().min(1).max(1440).default(60),
        session_hours: z.number().int().min(1).max(168).default(8),
      })
      .strict()
      .prefault({}),
    /** Who may do what; an action not listed (or listed empty) is open to everyone. */
    permissions: z.partialRecord(z.enum(PERMISSION_ACTIONS), permissionRule).default({}),
    capture: z
      .object({
        /** Reacting with this emoji (name without colons) adds the message to the timeline. */
        emoji: z.string().regex(/^[a-z0-9_+-]{1,64}$/, 'an emoji name without colons, such as pushpin').default('pushpin'),
      })
      .strict()
      .default({ emoji: 'pushpin' }),
    signals: signalsSchema.prefault({}),
    oncall: oncallSchema.prefault({}),
    paging: pagingSchema.prefault({}),
    healthchecks: healthchecksSchema,
    reviews: reviewsSchema.prefault({}),
    actions: actionsSchema.prefault({}),
    reminders: remindersSchema.prefault({}),
    ...preparednessShape,
    /** Connectors to the organisation's ITSM tool (ServiceNow). */
    itsm: itsmSchema.prefault({}),
    /** The public status page; absent, there is none. */
    status_page: statusPageSchema.optional(),
    /** Incident types (asked first on the declare form) and the custom fields they ask for. */
    ...fieldsShape,
  })
  .strict()
  .superRefine((policy, ctx) => {
    const roleIds = new Set(policy.roles.map((r) => r.id));
    for (const [action, rule] of Object.entries(policy.permissions)) {
      rule?.roles.forEach((r, i) => {
        if (!roleIds.has(r)) ctx.addIssue({ code: 'custom', path: ['permissions', action, 'roles', i], message: `unknown role ${r}` });
      });
    }
    const priorities = new Set(policy.priorities.map((p) => p.id));
    for (const [impact, row] of Object.entries(policy.matrix)) {
      for (const [urgency, p] of Object.entries(row)) {
        if (!priorities.has(p)) ctx.addIssue({ code: 'custom', path: ['matrix', impact, urgency], message: `unknown priority ${p}` });
      }
    }
    for (const p of policy.reviews.required_priorities) {
      if (!priorities.has(p)) ctx.addIssue({ code: 'custom', path: ['reviews', 'required_priorities'], message: `unknown priority ${p}` });
    }
    policy.escalation.forEach((rule, i) => {
      for (const p of rule.priorities ?? []) {
        if (!priorities.has(p)) ctx.addIssue({ code: 'custom', path: ['escalation', i, 'priorities'], message: `unknown priority ${p}` });
      }
    });
    checkSignalsPolicy(policy, ctx);
    checkPreparedness(policy, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
    checkItsm(policy, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
    checkStatusPage(policy, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
    checkFields(policy, (path, message) => ctx.addIssue({ code: 'custom', path, message }));
  });

export type Policy = z.infer<typeof policySchema>;
export type Severity = Policy['severities'][number];
export type Status = Policy['statuses'][number];
export type Priority = Policy['priorities'][number];
export type Role = Policy['roles'][number];
export type RemindersPolicy = Policy['reminders'];
export type Audience = 'technical' | 'business' | 'executive';

/** The policy used when no file is configured. */
export function defaultPolicy(): Policy {
  return policySchema.parse({});
}
