/** Helpers shared by the fake Slack Web API method handlers. */
import type { FakeSlack } from '../fake-slack.js';

/** Thrown by a handler to answer `{ ok: false, error, ...extra }` (HTTP 200, as Slack does). */
export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, any> = {},
  ) {
    super(error);
  }
}

export type Args = Record<string, any>;
export type Handler = (fake: FakeSlack, args: Args) => Record<string, any> | Promise<Record<string, any>>;
export type HandlerMap = Record<string, Handler>;

export function fail(error: string, messages?: string[]): never {
  throw new SlackApiError(error, messages && messages.length ? { response_metadata: { messages } } : {});
}

/** A string argument; missing/empty → `error` (default `invalid_arguments` with Slack's message). */
export function req(args: Args, name: string, error = 'invalid_arguments'): string {
  const v = args[name];
  if (v === undefined || v === null || v === '') {
    fail(error, error === 'invalid_arguments' ? [`[ERROR] missing required field: ${name}`] : undefined);
  }
  if (typeof v !== 'string' && typeof v !== 'number') fail('invalid_arguments', [`[ERROR] must be a string [json-pointer:/${name}]`]);
  return String(v);
}

export function opt(args: Args, name: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

export function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

export function int(v: unknown, def: number): number {
  if (v === undefined || v === null || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n)) fail('invalid_arguments', ['[ERROR] must be an integer']);
  return Math.trunc(n);
}

/** A JSON argument: web-api sends nested values as JSON strings in form bodies. */
export function json(args: Args, name: string, error = 'invalid_arguments'): any {
  const v = args[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    fail(error, [`[ERROR] ${name} must be valid JSON`]);
  }
}

/** Cursor pagination over an in-memory list (cursor = base64 offset, like Slack's opaque cursors). */
export function paginate<T>(items: T[], args: Args, defaultLimit = 100): { page: T[]; response_metadata: { next_cursor: string } } {
  const limit = Math.max(1, Math.min(int(args.limit, defaultLimit) || defaultLimit, 1000));
  let start = 0;
  if (args.cursor) {
    const decoded = Number(Buffer.from(String(args.cursor), 'base64').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) fail('invalid_cursor');
    start = decoded;
  }
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
  return { page, response_metadata: { next_cursor: next } };
}

export const CHANNEL_NAME_MAX = 80;
export const TOPIC_MAX = 250;
export const PURPOSE_MAX = 250;
export const MSG_TEXT_MAX = 40_000;

/** Slack's channel-name rules (conversations.create / rename). */
export function checkChannelName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) fail('invalid_name_required');
  if (name.length > CHANNEL_NAME_MAX) fail('invalid_name_maxlength');
  if (!/^[a-z0-9_-]+$/.test(name)) fail('invalid_name_specials');
  if (/^[-_]+$/.test(name)) fail('invalid_name_punctuation');
  return name;
}

export function isUserId(s: string): boolean {
  return /^[UW][A-Z0-9]+$/.test(s);
}
