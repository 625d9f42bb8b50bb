import { DateTime, Duration } from 'luxon';

/** Reading times people type in commands: `now`, `2026-12-24 18:00`, `2026-12-24`, `+4h`, `2d`. */

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]?\d|2[0-3]):[0-5]\d$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})T(([01]?\d|2[0-3]):[0-5]\d)$/;
const DURATION = /^\+?(\d{1,4})(m|min|h|d|w)$/i;

export type TimeSpec = { at: Date } | { error: string };

/**
 * Takes one time from the front of `tokens` (a date and a time may be two tokens), read in `zone`.
 * With `after`, a duration such as `4h` counts from it.
 */
export function takeTime(tokens: string[], zone: string, now: Date, after?: Date): TimeSpec {
  const t = tokens.shift();
  if (!t) return { error: 'a time is missing' };
  if (/^now$/i.test(t)) return { at: now };
  const dur = DURATION.exec(t);
  if (dur) {
    const unit = { m: 'minutes', min: 'minutes', h: 'hours', d: 'days', w: 'weeks' }[dur[2].toLowerCase()] as 'minutes';
    const base = after ?? now;
    return { at: new Date(base.getTime() + Duration.fromObject({ [unit]: Number(dur[1]) }).toMillis()) };
  }
  let date: string | undefined;
  let time = '00:00';
  const dt = DATETIME.exec(t);
  if (dt) {
    date = dt[1];
    time = dt[2];
  } else if (DATE.test(t)) {
    date = t;
    if (tokens[0] && TIME.test(tokens[0])) time = tokens.shift()!;
  } else {
    return { error: `"${t.slice(0, 30)}" is not a time (use now, 2026-12-24 18:00, 2026-12-24, or a duration such as 4h)` };
  }
  const parsed = DateTime.fromISO(`${date}T${time.padStart(5, '0')}`, { zone });
  if (!parsed.isValid) return { error: `"${date} ${time}" is not a real date and time` };
  return { at: parsed.toJSDate() };
}

/** A user id from `<@U123|name>`, `<@U123>` or `U123`. */
export function userIdFrom(token: string | undefined): string | undefined {
  if (!token) return undefined;
  const m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token) ?? /^([UW][A-Z0-9]{2,})$/.exec(token);
  return m?.[1];
}
