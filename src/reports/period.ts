/** A reporting period and the one before it, for trends. */
export interface Period {
  key: string;
  label: string;
  from: Date;
  to: Date;
  previous: { from: Date; to: Date };
}

const DAY = 86_400_000;
export const PERIODS = ['7d', '30d', '90d', 'quarter'] as const;
export type PeriodKey = (typeof PERIODS)[number];

export function isPeriodKey(v: string): v is PeriodKey {
  return (PERIODS as readonly string[]).includes(v);
}

/** `7d`, `30d`, `90d` end now; `quarter` is the calendar quarter so far (UTC), against the whole previous quarter. */
export function periodOf(key: PeriodKey, now: Date): Period {
  if (key === 'quarter') {
    const q = Math.floor(now.getUTCMonth() / 3);
    const from = new Date(Date.UTC(now.getUTCFullYear(), q * 3, 1));
    const prevFrom = new Date(Date.UTC(now.getUTCFullYear(), q * 3 - 3, 1));
    return { key, label: `Q${q + 1} ${now.getUTCFullYear()} so far`, from, to: now, previous: { from: prevFrom, to: from } };
  }
  const days = Number(key.slice(0, -1));
  const from = new Date(now.getTime() - days * DAY);
  return { key, label: `last ${days} days`, from, to: now, previous: { from: new Date(from.getTime() - days * DAY), to: from } };
}
