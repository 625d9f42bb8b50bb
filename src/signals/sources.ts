import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SignalSeverity, SourceType } from '../policy/signals-schema.js';

/**
 * What each monitoring tool posts, validated with zod, and its translation into alerts: one shape
 * for Alertmanager, Grafana, PagerDuty V3 webhooks and the documented generic JSON.
 */

/** One alert as every source is reduced to. */
export interface AlertInput {
  dedupKey: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  title: string;
  description: string;
  severity: SignalSeverity;
  service: string | null;
  labels: Record<string, string>;
  link: string | null;
}

/** A group of alerts as the tool sent them together, with the group's own title and labels. */
export interface AlertBatch {
  groupKey: string;
  title: string;
  description: string;
  labels: Record<string, string>;
  link: string | null;
  alerts: AlertInput[];
  /** Alerts of the group the sender left out of this delivery (Alertmanager's `max_alerts`). */
  unlisted?: number;
}

/** The outcome of reading a delivery: alert batches, or nothing to do (a ping, an event type we do not track). */
export type Parsed = { kind: 'alerts'; batches: AlertBatch[] } | { kind: 'ignored'; reason: string };

const MAX_ALERTS = 10_000;
const labelMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({});
const status = z.enum(['firing', 'resolved']);

const alertmanagerAlert = z.object({
  status,
  labels: labelMap,
  annotations: labelMap,
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).optional(),
});

/** Alertmanager webhook_config payload, version 4. */
export const alertmanagerPayload = z.object({
  version: z.string().optional(),
  groupKey: z.string().min(1),
  /** Alerts left out under the receiver's max_alerts; more than a million is taken as a million. */
  truncatedAlerts: z.number().int().nonnegative().transform((n) => Math.min(n, 1_000_000)).optional(),
  status,
  receiver: z.string().optional(),
  groupLabels: labelMap,
  commonLabels: labelMap,
  commonAnnotations: labelMap,
  externalURL: z.string().optional(),
  alerts: z.array(alertmanagerAlert).min(1).max(MAX_ALERTS),
});

/** Grafana alerting's webhook contact point (the Alertmanager shape plus orgId, title, message, URLs). */
export const grafanaPayload = alertmanagerPayload.extend({
  orgId: z.number().optional(),
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
  alerts: z
    .array(
      alertmanagerAlert.extend({
        silenceURL: z.string().optional(),
        dashboardURL: z.string().optional(),
        panelURL: z.string().optional(),
      }),
    )
    .min(1)
    .max(MAX_ALERTS),
});

const reference = z.object({ id: z.string().optional(), summary: z.string().optional(), html_url: z.string().optional() }).nullable().optional();

/** PagerDuty V3 webhook: one event per delivery. */
export const pagerdutyPayload = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string().min(1),
    occurred_at: z.string().optional(),
    data: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
});

const pagerdutyIncident = z.object({
  id: z.string().min(1),
  type: z.literal('incident'),
  html_url: z.string().optional(),
  number: z.number().optional(),
  status: z.enum(['triggered', 'acknowledged', 'resolved']),
  incident_key: z.string().nullable().optional(),
  title: z.string().min(1),
  service: reference,
  priority: reference,
  urgency: z.string().optional(),
});

const genericEvent = z.object({
  source: z.string().min(1).max(200),
  dedup_key: z.string().min(1).max(500),
  title: z.string().min(1),
  severity: z.string().min(1),
  status: status.default('firing'),
  service: z.string().optional(),
  description: z.string().optional(),
  link: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Events with the same group share one Slack post (default: the dedup_key). */
  group: z.string().min(1).max(500).optional(),
  labels: labelMap,
});

const genericBatch = z.array(genericEvent).min(1).max(MAX_ALERTS);
const genericEnvelope = z.object({ events: genericBatch });

/** The generic JSON schema: one event, an array of events, or `{ "events": [...] }`. */
export const genericPayload = z.union([genericEvent, genericBatch, genericEnvelope]);

const SEVERITY_WORDS: Record<string, SignalSeverity> = {
  critical: 'critical', crit: 'critical', fatal: 'critical', emergency: 'critical', disaster: 'critical', page: 'critical', p1: 'critical', sev1: 'critical',
  high: 'high', error: 'high', major: 'high', p2: 'high', sev2: 'high', severe: 'high',
  warning: 'warning', warn: 'warning', medium: 'warning', minor: 'warning', moderate: 'warning', average: 'warning', p3: 'warning', sev3: 'warning',
  info: 'info', informational: 'info', low: 'info', notice: 'info', none: 'info', ok: 'info', p4: 'info', p5: 'info', sev4: 'info', debug: 'info',
};

/** Maps a tool's severity word (critical, error, P2, warning…) to ours; unknown words count as warning. */
export function normalizeSeverity(raw: string | undefined | null): SignalSeverity {
  return SEVERITY_WORDS[String(raw ?? '').trim().toLowerCase()] ?? 'warning';
}

function cut(text: string | undefined | null, max: number): string {
  const t = String(text ?? '').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

function cleanLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels).slice(0, 64)) out[cut(k, 100)] = cut(v, 300);
  return out;
}

/** An http(s) link to show, or null: one longer than Slack shows (2,000 characters) is left out whole, since a cut URL leads nowhere. */
function httpLink(url: string | undefined | null): string | null {
  return url && /^https?:\/\//i.test(url) && url.length <= 2000 ? url : null;
}

const KEY_MAX = 500;

/**
 * A group or dedup key short enough for its unique index (a btree row holds about 2.7 kB): a longer
 * one keeps its start and ends in a hash of the whole, so distinct keys stay distinct.
 */
function boundedKey(key: string): string {
  return key.length <= KEY_MAX ? key : `${key.slice(0, KEY_MAX - 65)}#${createHash('sha256').update(key).digest('hex')}`;
}

/** A fingerprint for Alertmanager versions that do not send one: the hash of the sorted label set. */
function labelFingerprint(labels: Record<string, string>): string {
  const canonical = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join('\u0000');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function alertTitle(labels: Record<string, string>, annotations: Record<string, string>): string {
  return cut(annotations.summary || labels.alertname || annotations.title || 'Alert', 200);
}

/** `HighErrorRate (job=api, env=prod)` from the labels the tool grouped by. */
function groupTitle(p: z.infer<typeof alertmanagerPayload>): string {
  const name = p.commonLabels.alertname ?? p.groupLabels.alertname ?? p.alerts[0]?.labels.alertname ?? 'Alerts';
  const rest = Object.entries(p.groupLabels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`);
  if (p.alerts.length === 1) return alertTitle({ ...p.commonLabels, ...p.alerts[0].labels }, { ...p.commonAnnotations, ...p.alerts[0].annotations });
  return cut(rest.length ? `${name} (${rest.join(', ')})` : name, 200);
}

function fromAlertmanager(p: z.infer<typeof grafanaPayload>, linkOf: (a: z.infer<typeof grafanaPayload>['alerts'][number]) => string | undefined): AlertBatch {
  const groupKey = boundedKey(p.groupKey);
  const alerts = p.alerts.map((a): AlertInput => {
    const labels = cleanLabels({ ...p.commonLabels, ...a.labels });
    return {
      dedupKey: boundedKey(a.fingerprint ?? labelFingerprint(a.labels)),
      groupKey,
      status: a.status,
      title: alertTitle(labels, a.annotations),
      description: cut(a.annotations.description ?? a.annotations.message ?? '', 2000),
      severity: normalizeSeverity(labels.severity ?? labels.priority),
      service: labels.service ?? labels.app ?? null,
      labels,
      link: httpLink(linkOf(a)),
    };
  });
  return {
    groupKey,
    title: groupTitle(p),
    description: cut(p.commonAnnotations.description ?? (alerts.length === 1 ? alerts[0].description : ''), 2000),
    labels: cleanLabels(p.commonLabels),
    link: alerts.find((a) => a.link)?.link ?? httpLink(p.externalURL),
    alerts,
    unlisted: p.truncatedAlerts ?? 0,
  };
}

function fromPagerduty(p: z.infer<typeof pagerdutyPayload>): Parsed {
  const e = p.event;
  if (e.event_type === 'pagey.ping') return { kind: 'ignored', reason: 'ping' };
  if (e.resource_type !== 'incident' || (e.data as { type?: unknown } | null | undefined)?.type !== 'incident') {
    return { kind: 'ignored', reason: `event ${e.event_type} does not change an incident's state` };
  }
  const parsed = pagerdutyIncident.safeParse(e.data);
  if (!parsed.success) throw new PayloadError(describeIssues(parsed.error, 'event.data'));
  const d = parsed.data;
  const service = d.service?.summary ?? null;
  const labels = cleanLabels({
    ...(service ? { service } : {}),
    ...(d.urgency ? { urgency: d.urgency } : {}),
    ...(d.priority?.summary ? { priority: d.priority.summary } : {}),
    pagerduty_status: d.status,
    ...(d.incident_key ? { incident_key: d.incident_key } : {}),
  });
  const severity = d.priority?.summary ? normalizeSeverity(d.priority.summary) : d.urgency === 'high' ? 'high' : 'warning';
  const alert: AlertInput = {
    dedupKey: boundedKey(d.id),
    groupKey: boundedKey(`incident:${d.id}`),
    status: d.status === 'resolved' ? 'resolved' : 'firing',
    title: cut(d.number ? `#${d.number} ${d.title}` : d.title, 200),
    description: '',
    severity,
    service,
    labels,
    link: httpLink(d.html_url),
  };
  return { kind: 'alerts', batches: [{ groupKey: alert.groupKey, title: alert.title, description: '', labels, link: alert.link, alerts: [alert] }] };
}

function fromGeneric(p: z.infer<typeof genericPayload>): Parsed {
  const events = Array.isArray(p) ? p : 'events' in p ? p.events : [p];
  const batches = new Map<string, AlertBatch>();
  for (const e of events) {
    const labels = cleanLabels({ ...e.labels, origin: e.source, ...(e.service ? { service: e.service } : {}) });
    const groupKey = cut(e.group ?? e.dedup_key, 500);
    const alert: AlertInput = {
      dedupKey: cut(e.dedup_key, 500),
      groupKey,
      status: e.status,
      title: cut(e.title, 200),
      description: cut(e.description, 2000),
      severity: normalizeSeverity(e.severity),
      service: e.service ? cut(e.service, 100) : null,
      labels,
      link: httpLink(e.link),
    };
    const batch = batches.get(groupKey);
    if (batch) batch.alerts.push(alert);
    else batches.set(groupKey, { groupKey, title: alert.title, description: alert.description, labels, link: alert.link, alerts: [alert] });
  }
  return { kind: 'alerts', batches: [...batches.values()] };
}

/** A payload that does not match its source's schema; the message says where and what. */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

/** `alerts[0].status: expected "firing" or "resolved"` — at most five problems, one per line. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  const lines = error.issues.slice(0, 5).map((i) => {
    const where = [prefix, ...i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))].join('').replace(/^\./, '');
    return `${where || '(body)'}: ${i.message}`;
  });
  if (error.issues.length > 5) lines.push(`… and ${error.issues.length - 5} more`);
  return lines.join('; ');
}

/** Validates a delivery of one source type and turns it into alert batches; throws PayloadError. */
export function parseDelivery(type: SourceType, body: unknown): Parsed {
  switch (type) {
    case 'alertmanager': {
      const r = alertmanagerPayload.safeParse(body);
      if (!r.success) throw new PayloadError(describeIssues(r.error));
      return { kind: 'alerts', batches: [fromAlertmanager(r.data, (a) => a.generatorURL)] };
    }
    case 'grafana': {
      const r = grafanaPayload.safeParse(body);
      if (!r.success) throw new PayloadError(describeIssues(r.error));
      return { kind: 'alerts', batches: [fromAlertmanager(r.data, (a) => a.dashboardURL || a.panelURL || a.generatorURL)] };
    }
    case 'pagerduty': {
      const r = pagerdutyPayload.safeParse(body);
      if (!r.success) throw new PayloadError(describeIssues(r.error));
      return fromPagerduty(r.data);
    }
    case 'generic': {
      // Pick the form by shape, so a mistake is reported against that form rather than as "no union member matched".
      const schema = Array.isArray(body) ? genericBatch : body && typeof body === 'object' && 'events' in body ? genericEnvelope : genericEvent;
      const r = (schema as z.ZodType<z.infer<typeof genericPayload>>).safeParse(body);
      if (!r.success) throw new PayloadError(describeIssues(r.error));
      return fromGeneric(r.data);
    }
  }
}
