/** The key timestamps of an incident, in the order they must fall. */
export const TIME_KEYS = ['impact_started', 'detected', 'declared', 'acknowledged', 'mitigated', 'resolved', 'closed'] as const;
export type TimeKey = (typeof TIME_KEYS)[number];

export const TIME_LABELS: Record<TimeKey, string> = {
  impact_started: 'impact started',
  detected: 'detected',
  declared: 'declared',
  acknowledged: 'acknowledged',
  mitigated: 'mitigated',
  resolved: 'resolved',
  closed: 'closed',
};

/** The incidents column that records each key (impact start is only ever set by a correction). */
export const RECORDED_COLUMN = {
  impact_started: null,
  detected: 'detected_at',
  declared: 'declared_at',
  acknowledged: 'acknowledged_at',
  mitigated: 'mitigated_at',
  resolved: 'resolved_at',
  closed: 'closed_at',
} as const satisfies Record<TimeKey, string | null>;

export function isTimeKey(v: string): v is TimeKey {
  return (TIME_KEYS as readonly string[]).includes(v);
}

export type KeyTimes = Record<TimeKey, Date | null>;

/** One key's times: as recorded, as it counts (the latest correction, if any), and whether it was corrected. */
export interface KeyTime {
  key: TimeKey;
  recorded: Date | null;
  effective: Date | null;
  corrected: boolean;
}

const MINUTE = 60_000;
const minute = (d: Date) => Math.floor(d.getTime() / MINUTE);

/** Whether two times differ at the minute (what a person can see and pick). */
export function differsAtMinute(a: Date | null, b: Date | null): boolean {
  if (!a || !b) return a !== b;
  return minute(a) !== minute(b);
}

/**
 * Why the changed keys cannot take these times, by key: a time in the future, or out of order with
 * its nearest set neighbours (impact started ≤ detected ≤ declared ≤ … ≤ closed). Compared at the
 * minute, as shown; keys left as they were are not blamed for an order they already had.
 */
export function orderProblems(times: KeyTimes, changed: ReadonlySet<TimeKey>, now: Date): Partial<Record<TimeKey, string>> {
  const problems: Partial<Record<TimeKey, string>> = {};
  for (const key of changed) {
    const at = times[key];
    if (!at) continue;
    if (minute(at) > minute(now)) {
      problems[key] = 'This is in the future.';
      continue;
    }
    const i = TIME_KEYS.indexOf(key);
    const before = TIME_KEYS.slice(0, i).reverse().find((k) => times[k]);
    const after = TIME_KEYS.slice(i + 1).find((k) => times[k]);
    if (before && minute(times[before]!) > minute(at)) problems[key] = `Must not be before ${TIME_LABELS[before]}.`;
    else if (after && minute(times[after]!) < minute(at)) problems[key] = `Must not be after ${TIME_LABELS[after]}.`;
  }
  return problems;
}
