/** Waits between attempts to reach Slack: from minMs, doubling per failure, at most maxMs. */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 1_000, maxMs: 30_000 };

export class Backoff {
  private delay: number;

  constructor(private readonly opts: BackoffOptions = DEFAULT_BACKOFF) {
    this.delay = opts.minMs;
  }

  /** The wait before the next attempt (and doubles the one after). */
  next(): number {
    const d = this.delay;
    this.delay = Math.min(d * 2, this.opts.maxMs);
    return d;
  }

  reset(): void {
    this.delay = this.opts.minMs;
  }
}
