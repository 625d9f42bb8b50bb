/**
 * A small typed client of a ServiceNow instance's Table and Attachment APIs over Node's fetch: basic
 * auth or OAuth client credentials (the token cached, refreshed before expiry and once after a 401),
 * a time limit per request, retries with backoff that honour `Retry-After` on 429 and 503, paging by
 * `Link` / `X-Total-Count`, and errors that carry ServiceNow's own message and the HTTP status. Secrets
 * travel only in the Authorization header and the token request's body: never in an error or a log.
 */
import { z } from 'zod';
import { requireSecureOrLoopback, retryAfterMs, withRetries } from '../net/outbound.js';
import { EncodedQuery, glideDateTime } from './query.js';

export type ServiceNowAuth = { kind: 'basic'; username: string; password: string } | { kind: 'oauth'; clientId: string; clientSecret: string };

export interface ServiceNowClientOptions {
  /** https://acme.service-now.com (plain http is accepted for loopback test instances). */
  instanceUrl: string;
  auth: ServiceNowAuth;
  /** Per attempt; 15 s by default. */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures; 3 by default. */
  retries?: number;
  /** First backoff step, doubled each retry; 500 ms by default. */
  backoffMs?: number;
  /** The longest wait between attempts; a longer `Retry-After` is handed to the caller (ServiceNowError.retryAfterMs). */
  maxWaitMs?: number;
  fetch?: typeof fetch;
  logger?: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface RequestOptions {
  signal?: AbortSignal;
  /**
   * A write that must not be made twice (it appends a journal entry): tried again here only after a
   * 429 or 401, which ServiceNow answers before doing anything; after any other failure (a 5xx, a
   * dropped connection, a timeout) it may have been stored, so the caller looks before trying again.
   */
  once?: boolean;
}

/** A record as the Table API returns it with plain values (no display values, no reference links). */
export type SnRecord = Record<string, string>;

/** A refusal or failure of the instance; `retryable` says whether trying again later can help. */
export class ServiceNowError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly snMessage: string | null = null,
    readonly detail: string | null = null,
    /** How long ServiceNow asked to wait (429/503 with `Retry-After`). */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ServiceNowError';
  }
}

const errorBody = z.object({ error: z.object({ message: z.string().nullish(), detail: z.string().nullish() }) });
const tokenBody = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });
const recordBody = z.object({ result: z.record(z.string(), z.string()) });
const listBody = z.object({ result: z.array(z.record(z.string(), z.string())) });
const attachmentBody = z.object({ result: z.object({ sys_id: z.string(), file_name: z.string(), size_bytes: z.string() }).loose() });

/** Refresh a token this long before ServiceNow says it expires. */
const TOKEN_MARGIN_MS = 60_000;

export { retryAfterMs };

interface Call { method: string; path: string; query?: Record<string, string>; json?: unknown; raw?: { body: Uint8Array; contentType: string } }

export class ServiceNowClient {
  private readonly base: URL;
  private token: { value: string; expiresAt: number } | null = null;
  private tokenRequest: Promise<string> | null = null;
  private readonly fetch: typeof fetch;
  private self: string | null;

  constructor(private readonly opts: ServiceNowClientOptions) {
    this.base = new URL(opts.instanceUrl);
    requireSecureOrLoopback(this.base, 'instance_url');
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.self = opts.auth.kind === 'basic' ? opts.auth.username : null;
  }

  /**
   * The user name the instance runs this client's calls as: the basic-auth user, or, with OAuth client
   * credentials (whose token names no user), the `sys_updated_by` of the first record this client
   * wrote. Null until then.
   */
  identity(): string | null {
    return this.self;
  }

  /** Learns who wrote `record` (this client, just now). */
  private wrote(record: SnRecord): SnRecord {
    if (record.sys_updated_by) this.self = record.sys_updated_by;
    return record;
  }

  /** A record, or null when it does not exist or the account may not read it (ServiceNow answers 404 for both). */
  async getRecord(table: string, sysId: string, opts: RequestOptions & { fields?: string[] } = {}): Promise<SnRecord | null> {
    try {
      const body = await this.send({ method: 'GET', path: `/api/now/table/${table}/${sysId}`, query: this.readParams(opts.fields) }, opts);
      return recordBody.parse(body.json).result;
    } catch (e) {
      if (e instanceof ServiceNowError && e.status === 404) return null;
      throw e;
    }
  }

  async createRecord(table: string, fields: Record<string, string>, opts: RequestOptions = {}): Promise<SnRecord> {
    const body = await this.send({ method: 'POST', path: `/api/now/table/${table}`, query: this.readParams(), json: fields }, opts);
    return this.wrote(recordBody.parse(body.json).result);
  }

  async updateRecord(table: string, sysId: string, fields: Record<string, string>, opts: RequestOptions = {}): Promise<SnRecord> {
    const body = await this.send({ method: 'PATCH', path: `/api/now/table/${table}/${sysId}`, query: this.readParams(), json: fields }, opts);
    return this.wrote(recordBody.parse(body.json).result);
  }

  /** Every record matching the query, following `Link: rel="next"` page by page (at most `max`). */
  async query(table: string, query: EncodedQuery | string, opts: RequestOptions & { fields?: string[]; pageSize?: number; max?: number } = {}): Promise<{ records: SnRecord[]; total: number }> {
    const pageSize = opts.pageSize ?? 100;
    const max = opts.max ?? 10_000;
    const records: SnRecord[] = [];
    let params: Record<string, string> | null = { ...this.readParams(opts.fields), sysparm_query: String(query), sysparm_limit: String(pageSize), sysparm_offset: '0' };
    let total = 0;
    while (params && records.length < max) {
      const page = await this.send({ method: 'GET', path: `/api/now/table/${table}`, query: params }, opts);
      records.push(...listBody.parse(page.json).result);
      total = Number(page.headers.get('x-total-count') ?? records.length);
      const next = /<([^>]+)>;\s*rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
      params = next ? Object.fromEntries(new URL(next).searchParams) : null;
    }
    return { records: records.slice(0, max), total };
  }

  /**
   * Journal entries (work notes, comments) of the given records created at or after the watermark
   * (`sys_created_on`, second precision: the caller drops entries it already has by sys_id), oldest
   * first, leaving out those written by `excludeCreatedBy` (the integration's own user).
   */
  async journalSince(args: { recordSysIds: string[]; since: Date | null; elements?: ('work_notes' | 'comments')[]; excludeCreatedBy?: string }, opts: RequestOptions = {}): Promise<SnRecord[]> {
    if (args.recordSysIds.length === 0) return [];
    const q = new EncodedQuery().where('element_id', 'IN', args.recordSysIds).where('element', 'IN', args.elements ?? ['work_notes', 'comments']);
    if (args.since) q.where('sys_created_on', '>=', glideDateTime(args.since));
    if (args.excludeCreatedBy) q.where('sys_created_by', '!=', args.excludeCreatedBy);
    q.orderBy('sys_created_on').orderBy('sys_id');
    const fields = ['sys_id', 'element', 'element_id', 'name', 'value', 'sys_created_by', 'sys_created_on'];
    return (await this.query('sys_journal_field', q, { ...opts, fields })).records;
  }

  /** Which of the record's journal fields (`elements`) already hold an entry containing `text` (LIKE: no wildcards in it). */
  async journalHolding(recordSysId: string, elements: string[], text: string, opts: RequestOptions = {}): Promise<Set<string>> {
    const q = new EncodedQuery().where('element_id', '=', recordSysId).where('element', 'IN', elements).where('value', 'LIKE', text);
    const { records } = await this.query('sys_journal_field', q, { ...opts, fields: ['sys_id', 'element'], pageSize: 20, max: 20 });
    return new Set(records.map((r) => r.element));
  }

  /** Attaches a file to a record (Attachment API, raw body). */
  async attach(table: string, sysId: string, file: { name: string; contentType: string; bytes: Uint8Array }, opts: RequestOptions = {}): Promise<{ sys_id: string; file_name: string; size_bytes: string }> {
    const body = await this.send({ method: 'POST', path: '/api/now/attachment/file', query: { table_name: table, table_sys_id: sysId, file_name: file.name }, raw: { body: file.bytes, contentType: file.contentType } }, opts);
    return attachmentBody.parse(body.json).result;
  }

  /** The active sys_user with this e-mail address, or null. */
  async userByEmail(email: string, opts: RequestOptions = {}): Promise<SnRecord | null> {
    const q = new EncodedQuery().where('email', '=', email.trim()).where('active', '=', 'true');
    const { records } = await this.query('sys_user', q, { ...opts, fields: ['sys_id', 'user_name', 'name', 'email'], pageSize: 1, max: 1 });
    return records[0] ?? null;
  }

  private readParams(fields?: string[]): Record<string, string> {
    return { sysparm_display_value: 'false', sysparm_exclude_reference_link: 'true', ...(fields ? { sysparm_fields: fields.join(',') } : {}) };
  }

  /** One call with retries; answers the parsed JSON and headers of a 2xx. */
  private send(call: Call, opts: RequestOptions): Promise<{ json: unknown; headers: Headers }> {
    const { retries, backoffMs, maxWaitMs } = this.opts;
    return withRetries(() => this.attempt(call, opts.signal), {
      retries,
      backoffMs,
      maxWaitMs,
      signal: opts.signal,
      once: opts.once,
      failure: (e) => (e instanceof ServiceNowError ? e : null),
      // An OAuth token the instance no longer takes: fetch a new one and try again, once.
      repair: (error) => {
        if (error.status !== 401 || this.opts.auth.kind !== 'oauth') return false;
        this.token = null;
        return true;
      },
      onRetry: (error, attempt, waitMs) => this.opts.logger?.warn({ method: call.method, path: call.path, status: error.status, attempt, waitMs }, 'ServiceNow call failed; retrying'),
    });
  }

  private async attempt(call: Call, signal: AbortSignal | undefined): Promise<{ json: unknown; headers: Headers }> {
    const url = new URL(call.path, this.base);
    for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
    const where = `ServiceNow ${call.method} ${call.path}`;
    const headers: Record<string, string> = { accept: 'application/json', authorization: await this.authorization(signal) };
    let body: RequestInit['body'];
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.raw) {
      headers['content-type'] = call.raw.contentType;
      body = call.raw.body as RequestInit['body'];
    }
    const res = await this.timed(where, signal, (s) => this.fetch(url, { method: call.method, headers, body, signal: s }));
    const text = await this.timed(where, signal, () => res.text());
    if (res.ok) {
      this.opts.logger?.debug({ method: call.method, path: call.path, status: res.status }, 'ServiceNow call');
      try {
        return { json: text ? JSON.parse(text) : null, headers: res.headers };
      } catch {
        throw new ServiceNowError(`${where} answered ${res.status} with a body that is not JSON`, res.status, false);
      }
    }
    let parsed: z.infer<typeof errorBody> | null = null;
    try {
      const r = errorBody.safeParse(JSON.parse(text));
      parsed = r.success ? r.data : null;
    } catch {
      parsed = null;
    }
    const snMessage = parsed?.error.message ?? null;
    const detail = parsed?.error.detail ?? null;
    const said = snMessage ? `: ${snMessage}${detail ? ` (${detail.trim()})` : ''}` : '';
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    const after = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : null;
    throw new ServiceNowError(`${where} answered ${res.status}${said}`, res.status, retryable, snMessage, detail, after);
  }

  /** Runs one network step under the per-attempt time limit; a timeout or network failure is retryable, the caller's abort is not. */
  private async timed<T>(where: string, signal: AbortSignal | undefined, step: (s: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 15_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await step(combined);
    } catch (e) {
      if (signal?.aborted) throw e;
      const reason = timeout.aborted ? `timed out after ${this.opts.timeoutMs ?? 15_000} ms` : `failed: ${(e as Error).cause ? String(((e as Error).cause as Error).message ?? (e as Error).cause) : (e as Error).message}`;
      throw new ServiceNowError(`${where} ${reason}`, null, true);
    }
  }

  private async authorization(signal: AbortSignal | undefined): Promise<string> {
    const auth = this.opts.auth;
    if (auth.kind === 'basic') return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    if (this.token && Date.now() < this.token.expiresAt - TOKEN_MARGIN_MS) return `Bearer ${this.token.value}`;
    this.tokenRequest ??= this.fetchToken(auth, signal).finally(() => (this.tokenRequest = null));
    return `Bearer ${await this.tokenRequest}`;
  }

  private async fetchToken(auth: Extract<ServiceNowAuth, { kind: 'oauth' }>, signal: AbortSignal | undefined): Promise<string> {
    const where = 'ServiceNow POST /oauth_token.do';
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret });
    const res = await this.timed(where, signal, (s) => this.fetch(new URL('/oauth_token.do', this.base), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form, signal: s }));
    const text = await this.timed(where, signal, () => res.text());
    if (!res.ok) {
      const retryable = res.status === 429 || res.status >= 500;
      throw new ServiceNowError(`${where} answered ${res.status}: the OAuth client was refused (check SERVICENOW_CLIENT_ID / SERVICENOW_CLIENT_SECRET)`, res.status, retryable, null, null, retryAfterMs(res.headers.get('retry-after')));
    }
    let parsed;
    try {
      parsed = tokenBody.parse(JSON.parse(text));
    } catch {
      throw new ServiceNowError(`${where} answered ${res.status} without an access token`, res.status, false);
    }
    this.token = { value: parsed.access_token, expiresAt: Date.now() + parsed.expires_in * 1000 };
    return parsed.access_token;
  }
}
