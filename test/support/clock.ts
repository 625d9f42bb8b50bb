import type { Clock } from '../../src/clock.js';

/** A clock that only moves when the test says so. */
export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2026-11-26T09:00:00Z') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(d: Date | string): void {
    this.t = new Date(d).getTime();
  }
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
  advanceMinutes(m: number): Date {
    return this.advance(m * 60_000);
  }
}
