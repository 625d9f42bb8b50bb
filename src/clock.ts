/** The source of "now" for everything time-based (timestamps, nags, SLA clocks), injectable in tests. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
