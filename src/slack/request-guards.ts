import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Slack's window for X-Slack-Request-Timestamp: further than this from local time, either way, is refused. */
export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** A body that is not a Slack request: 400 when it cannot be parsed, 415 for a content type Slack never sends. */
export class MalformedBody extends Error {
  constructor(
    message: string,
    readonly status: 400 | 415 = 400,
  ) {
    super(message);
    this.name = 'MalformedBody';
  }
}

/**
 * Why a request was not signed by Slack just now, or undefined when it was: `v0=` + hex
 * HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`), compared in constant time, with a
 * timestamp within TIMESTAMP_WINDOW_SECONDS of local time in either direction (a request dated
 * ahead is a replay prepared in advance, or a skewed clock).
 */
export function signatureProblem(signingSecret: string, headers: IncomingHttpHeaders, rawBody: Buffer, nowMs: number): string | undefined {
  const timestamp = headers['x-slack-request-timestamp'];
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return 'x-slack-request-timestamp is missing or not a number of seconds';
  const skew = Number(timestamp) - Math.floor(nowMs / 1000);
  if (Math.abs(skew) > TIMESTAMP_WINDOW_SECONDS) return `x-slack-request-timestamp is ${skew} s from local time (more than ${TIMESTAMP_WINDOW_SECONDS} s)`;
  const signature = headers['x-slack-signature'];
  if (typeof signature !== 'string' || !/^v0=[0-9a-f]{64}$/.test(signature)) return 'x-slack-signature is missing or not a v0 signature';
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature.slice(3), 'hex')) ? undefined : 'x-slack-signature does not match the body';
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
}

/** Slack's certificate check: a form POST with ssl_check=1, unsigned, to be answered 200 and nothing more. */
export function isSslCheck(contentType: string | undefined, rawBody: Buffer): boolean {
  return mediaType(contentType) === FORM && new URLSearchParams(rawBody.toString('utf8')).get('ssl_check') === '1';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MalformedBody(`${what} is not valid JSON: ${(err as Error).message.slice(0, 120)}`);
  }
  if (!isObject(value)) throw new MalformedBody(`${what} is not a JSON object`);
  return value;
}

/**
 * The body as Slack sends it: form fields (slash commands), a form whose `payload` field holds JSON
 * (interactions), or JSON (Events API). Anything else is a MalformedBody.
 */
export function parseSlackBody(contentType: string | undefined, rawBody: Buffer): Record<string, unknown> {
  const type = mediaType(contentType);
  const text = rawBody.toString('utf8');
  if (type === JSON_TYPE) return parseObject(text, 'the body');
  if (type !== FORM) throw new MalformedBody(`Slack sends ${FORM} or ${JSON_TYPE}, not ${type.slice(0, 60) || 'a body without a content type'}`, 415);
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) {
    if (fields.has(key)) throw new MalformedBody(`the form field ${key.slice(0, 40)} is repeated`);
    fields.set(key, value);
  }
  const payload = fields.get('payload');
  return payload === undefined ? Object.fromEntries(fields) : parseObject(payload, 'the payload field');
}
