import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * Policy sections for signals (webhook sources and routing rules), on-call rotations, paging and
 * health checks. Kept beside the main schema so each feature's keys read as one unit.
 */

export const SOURCE_TYPES = ['alertmanager', 'grafana', 'pagerduty', 'generic'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** Normalised severities every source is mapped to, most severe first. */
export const SIGNAL_SEVERITIES = ['critical', 'high', 'warning', 'info'] as const;
export type SignalSeverity = (typeof SIGNAL_SEVERITIES)[number];

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a lowercase name such as alertmanager or siem-prod');
const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123ABCD');
const channelId = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD');

const source = z
  .object({
    type: z.enum(SOURCE_TYPES, { error: `one of ${SOURCE_TYPES.join(', ')}` }),
    /** bearer: `Authorization: Bearer <secret>` (or Basic with the secret as password); hmac: signed body. */
    auth: z.enum(['bearer', 'hmac']).optional(),
    /** The token or HMAC secret. Prefer the environment: WEBHOOK_SECRET_<NAME>. */
    secret: z.string().min(16, 'at least 16 characters').optional(),
  })
  .strict();

const matcher = z
  .object({
    source: z.union([name, z.array(name).min(1)]).optional(),
    /** Every label listed must be equal (or, for a list, one of the values). */
    labels: z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)])).optional(),
    /** Matches this severity or anything more severe. */
    severity: z.enum(SIGNAL_SEVERITIES).optional(),
    service: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .strict();

const rule = z
  .object({
    match: matcher.default({}),
    /** triage: post to the triage channel; declare: declare an incident; drop: count it as noise. */
    action: z.enum(['triage', 'declare', 'drop']),
    /** For declare: the incident severity (default: from the alert's severity). */
    severity: z.string().optional(),
    /** For declare: service or security (security gets a private channel; the alert is then posted only to this rule's channel). */
    kind: z.enum(['service', 'security']).default('service'),
    /** Rotation whose on-call becomes the commander of an auto-declared incident. */
    commander_rotation: name.optional(),
    /** Channel for this rule's signal posts, instead of signals.triage_channel. */
    channel: channelId.optional(),
  })
  .strict();

export const signalsSchema = z
  .object({
    /** Channel where new signal groups are posted for a human to classify. */
    triage_channel: channelId.optional(),
    /** Webhook sources by name: POST /webhooks/<name>. */
    sources: z.record(name, source).default({}),
    /** First matching rule wins; no match → triage. */
    rules: z.array(rule).max(200).default([]),
    /** Largest webhook body accepted, in kilobytes. */
    max_body_kb: z.number().int().min(16).max(20_480).default(1024),
    /** A signal group's Slack message is posted or updated at most once per this many seconds. */
    post_interval_seconds: z.number().int().min(1).max(3600).default(60),
    /** A group that fires again within this many minutes of resolving continues; later, it starts afresh. */
    reopen_window_minutes: z.number().int().min(0).max(10_080).default(60),
    /** Days malformed deliveries are kept. */
    keep_rejections_days: z.number().int().min(1).max(365).default(30),
  })
  .strict();

const weekday = z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);

const rotation = z
  .object({
    name,
    members: z.array(userId).min(1).max(100),
    /** Local time of the handoff, HH:MM. */
    handoff: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:00').default('09:00'),
    timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'an IANA timezone such as Europe/Berlin').default('UTC'),
    length: z.enum(['daily', 'weekly']).default('weekly'),
    /** For weekly rotations: the day of the handoff. */
    handoff_day: weekday.default('monday'),
    /** The local date of a handoff at which the first member starts (anchors the order). */
    start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-01-05').default('2026-01-05'),
  })
  .strict();

export const oncallSchema = z
  .object({
    rotations: z
      .array(rotation)
      .max(50)
      .default([])
      .refine((list) => new Set(list.map((r) => r.name)).size === list.length, 'rotation names must be unique'),
  })
  .strict();

const level = z
  .object({
    rotation: name.optional(),
    users: z.array(userId).min(1).max(20).optional(),
    /** Minutes to wait for an acknowledgement before the next level (default paging.ack_timeout_minutes). */
    after_minutes: z.number().int().min(1).max(1440).optional(),
  })
  .strict()
  .refine((l) => Boolean(l.rotation) !== Boolean(l.users), 'each level names either a rotation or users');

export const pagingSchema = z
  .object({
    /** Declaring (or triaging) an incident at one of these priorities pages the escalation path. */
    priorities: z.array(z.string()).default(['P1', 'P2']),
    /** Minutes to wait for an acknowledgement before escalating. */
    ack_timeout_minutes: z.number().int().min(1).max(1440).default(5),
    /** The escalation path: level 1 is paged first. */
    escalation: z.array(level).max(10).default([]),
    pagerduty: z
      .object({
        /** Events API v2 endpoint; override for a proxy or a test double. */
        events_url: z.url().default('https://events.pagerduty.com/v2/enqueue'),
      })
      .strict()
      .default({ events_url: 'https://events.pagerduty.com/v2/enqueue' }),
  })
  .strict();

const checkBase = {
  name,
  /** Minutes between runs. */
  every_minutes: z.number().int().min(1).max(1440).default(1),
  timeout_ms: z.number().int().min(100).max(60_000).default(5000),
  /** Consecutive failures before a signal is raised. */
  failures_before_alert: z.number().int().min(1).max(100).default(2),
  severity: z.enum(SIGNAL_SEVERITIES).default('high'),
  service: z.string().min(1).optional(),
};

const check = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('http'),
      ...checkBase,
      url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }),
      /** Accepted status codes (default 200-399). Redirects are never followed. */
      expect_status: z.array(z.number().int().min(100).max(599)).optional(),
      max_latency_ms: z.number().int().min(1).max(60_000).optional(),
    })
    .strict(),
  z.object({ type: z.literal('tcp'), ...checkBase, host: z.string().min(1), port: z.number().int().min(1).max(65535) }).strict(),
  z
    .object({
      type: z.literal('dns'),
      ...checkBase,
      hostname: z.string().min(1),
      /** lookup: the system resolver (hosts file included); A/AAAA/CNAME/MX/TXT: a DNS query. */
      record: z.enum(['lookup', 'A', 'AAAA', 'CNAME', 'MX', 'TXT']).default('lookup'),
    })
    .strict(),
]);

export const healthchecksSchema = z
  .array(check)
  .max(100)
  .default([])
  .refine((list) => new Set(list.map((c) => c.name)).size === list.length, 'health check names must be unique');

export type SignalsPolicy = z.infer<typeof signalsSchema>;
export type SourcePolicy = z.infer<typeof source>;
export type RoutingRule = z.infer<typeof rule>;
export type OncallPolicy = z.infer<typeof oncallSchema>;
export type RotationPolicy = z.infer<typeof rotation>;
export type PagingPolicy = z.infer<typeof pagingSchema>;
export type EscalationLevel = z.infer<typeof level>;
export type HealthCheck = z.infer<typeof check>;

type Ctx = { addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void };

/** Cross-references between the sections: rotations named by rules and levels exist, severities and priorities are known. */
export function checkSignalsPolicy(
  p: { signals: SignalsPolicy; oncall: OncallPolicy; paging: PagingPolicy; severities: { id: string }[]; priorities: { id: string }[] },
  ctx: Ctx,
): void {
  const rotations = new Set(p.oncall.rotations.map((r) => r.name));
  const severities = new Set(p.severities.map((s) => s.id));
  p.signals.rules.forEach((r, i) => {
    if (r.severity && !severities.has(r.severity)) ctx.addIssue({ code: 'custom', path: ['signals', 'rules', i, 'severity'], message: `unknown severity ${r.severity}` });
    if (r.commander_rotation && !rotations.has(r.commander_rotation)) ctx.addIssue({ code: 'custom', path: ['signals', 'rules', i, 'commander_rotation'], message: `unknown rotation ${r.commander_rotation}` });
  });
  p.paging.escalation.forEach((l, i) => {
    if (l.rotation && !rotations.has(l.rotation)) ctx.addIssue({ code: 'custom', path: ['paging', 'escalation', i, 'rotation'], message: `unknown rotation ${l.rotation}` });
  });
  const priorities = new Set(p.priorities.map((x) => x.id));
  for (const pr of p.paging.priorities) {
    if (!priorities.has(pr)) ctx.addIssue({ code: 'custom', path: ['paging', 'priorities'], message: `unknown priority ${pr}` });
  }
  p.oncall.rotations.forEach((r, i) => {
    if (Number.isNaN(Date.parse(`${r.start}T00:00:00Z`))) ctx.addIssue({ code: 'custom', path: ['oncall', 'rotations', i, 'start'], message: 'not a real date' });
  });
}
