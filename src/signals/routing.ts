import { SIGNAL_SEVERITIES, type RoutingRule, type SignalSeverity } from '../policy/signals-schema.js';

/** What to do with a new signal group, decided once by the first matching routing rule. */
export interface Route {
  action: 'triage' | 'declare' | 'drop';
  /** Index of the rule that decided, or null for the default (triage). */
  rule: number | null;
  /** Where the group is posted; null: not posted. */
  channel: string | null;
  /** For declare. */
  severity?: string;
  kind: 'service' | 'security';
  commanderRotation?: string;
}

/** The facts a rule matches on. */
export interface RouteSubject {
  source: string;
  labels: Record<string, string>;
  severity: SignalSeverity;
  service: string | null;
}

const rank = (s: SignalSeverity) => SIGNAL_SEVERITIES.indexOf(s);

function oneOf(value: string | null | undefined, wanted: string | string[]): boolean {
  if (value === null || value === undefined) return false;
  return Array.isArray(wanted) ? wanted.includes(value) : value === wanted;
}

/** True when every condition of the rule holds; a rule's severity matches it and anything more severe. */
export function matches(rule: RoutingRule, s: RouteSubject): boolean {
  const m = rule.match;
  if (m.source !== undefined && !oneOf(s.source, m.source)) return false;
  if (m.severity !== undefined && rank(s.severity) > rank(m.severity)) return false;
  if (m.service !== undefined && !oneOf(s.service ?? s.labels.service, m.service)) return false;
  for (const [k, v] of Object.entries(m.labels ?? {})) if (!oneOf(s.labels[k], v)) return false;
  return true;
}

/**
 * The first matching rule decides; without one the group goes to the triage channel. A security
 * rule's alerts are posted only to that rule's own channel (never to the shared triage channel).
 */
export function route(rules: RoutingRule[], triageChannel: string | undefined, s: RouteSubject): Route {
  const i = rules.findIndex((r) => matches(r, s));
  if (i < 0) return { action: 'triage', rule: null, channel: triageChannel ?? null, kind: 'service' };
  const r = rules[i];
  const channel = r.action === 'drop' ? null : (r.channel ?? (r.kind === 'security' ? null : (triageChannel ?? null)));
  return { action: r.action, rule: i, channel, severity: r.severity, kind: r.kind, commanderRotation: r.commander_rotation };
}

/** The incident severity for a signal: critical → the first (most severe) policy severity, and so on down. */
export function incidentSeverityFor(severity: SignalSeverity, policySeverities: { id: string }[]): string {
  const i = Math.min(rank(severity), policySeverities.length - 1);
  return policySeverities[Math.max(0, i)].id;
}

/** The most severe of several. */
export function worst(severities: SignalSeverity[]): SignalSeverity {
  return severities.reduce<SignalSeverity>((w, s) => (rank(s) < rank(w) ? s : w), 'info');
}
