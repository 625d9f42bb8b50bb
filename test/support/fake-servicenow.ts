/**
 * A strict fake ServiceNow instance for tests: an HTTP server on 127.0.0.1 speaking the Table API
 * (`/api/now/table/{table}[/{sys_id}]`), the Attachment API (`/api/now/attachment/file`) and OAuth
 * (`/oauth_token.do`) as the published REST reference describes them: `{"result": …}` envelopes,
 * `{"error":{"message","detail"},"status":"failure"}` refusals, encoded queries, display values, paging
 * with `Link` and `X-Total-Count`, journal fields, the stock incident rules (fake-servicenow-store.ts),
 * 401 for missing or wrong credentials and expired tokens, ACL 403s, and 429 / 5xx on demand. It records
 * every call, and lets a test act "as another user" the way a service-desk agent would in the UI.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { FakeServiceNowStore, SnRefusal, TABLES, glideDateTime, type AclRule, type Rec } from './fake-servicenow-store.js';
import { parseEncodedQuery, runQuery } from './fake-servicenow-query.js';
import { listenOnLoopback } from './loopback-server.js';
import { StoredFaults } from './stored-faults.js';

export { glideDateTime, type Rec } from './fake-servicenow-store.js';

export interface RecordedSnCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The status the caller got: 0 when the connection was dropped before an answer. */
  status: number;
  /** Stored although the caller got a failure or no answer (failAfterStoring). */
  stored?: boolean;
  /** The user the call ran as, when it authenticated. */
  user: string | null;
  auth: 'basic' | 'bearer' | 'none';
}

interface Fault { status: number; retryAfterSeconds?: number; remaining: number }

export interface FakeServiceNowOptions {
  /** The instance's clock (sys_created_on, sys_updated_on, token expiry); the real time by default. */
  now?: () => Date;
  /** Lifetime of issued OAuth access tokens; ServiceNow's default is 1800 s. */
  tokenTtlSeconds?: number;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const failure = (message: string, detail: string | null) => ({ error: { message, detail }, status: 'failure' });

export class FakeServiceNow {
  readonly store: FakeServiceNowStore;
  readonly calls: RecordedSnCall[] = [];
  /** The integration's own account (role itil), for basic auth and the password grant. */
  readonly integrationUser = { userName: 'incident.officer', password: `pw-${randomBytes(8).toString('hex')}` };
  /** A registered OAuth client; client_credentials tokens run as the integration user. */
  readonly oauthClient = { clientId: randomBytes(16).toString('hex'), clientSecret: `cs-${randomBytes(8).toString('hex')}` };
  url = '';
  private listening!: Awaited<ReturnType<typeof listenOnLoopback>>;
  private readonly passwords = new Map<string, string>();
  private readonly tokens = new Map<string, { user: string; expiresAt: number }>();
  private readonly faults: Fault[] = [];
  private readonly storedFaults = new StoredFaults<RecordedSnCall>();
  private readonly now: () => Date;
  private readonly tokenTtlSeconds: number;

  constructor(opts: FakeServiceNowOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.tokenTtlSeconds = opts.tokenTtlSeconds ?? 1800;
    this.store = new FakeServiceNowStore(this.now);
    this.addUser({ user_name: this.integrationUser.userName, name: 'Incident Officer Integration', email: 'incident.officer@example.com' }, this.integrationUser.password);
  }

  async start(): Promise<this> {
    this.listening = await listenOnLoopback((req, res) => void this.handle(req, res));
    this.url = `${this.listening.origin}`;
    return this;
  }

  close(): Promise<void> {
    return this.listening.close();
  }

  // ---- helpers for tests ----

  /** Adds a sys_user (a password lets them sign in with basic auth or the password grant). */
  addUser(fields: { user_name: string; name: string; email?: string }, password?: string): Rec {
    const rec = this.store.insert('sys_user', { active: 'true', ...fields }, 'admin');
    if (password) this.passwords.set(fields.user_name, password);
    return rec;
  }
  addGroup(name: string): Rec {
    return this.store.insert('sys_user_group', { name, active: 'true' }, 'admin');
  }
  /** Adds a configuration item (`cmdb_ci`) or, with `service`, a business service (`cmdb_ci_service`). */
  addCi(name: string, opts: { service?: boolean } = {}): Rec {
    const table = opts.service ? 'cmdb_ci_service' : 'cmdb_ci';
    return this.store.insert(table, { name, sys_class_name: table, operational_status: '1' }, 'admin');
  }
  /** Acts as another user (a service-desk agent in the UI): same rules, journal and sys_updated_by. */
  as(userName: string) {
    return {
      insert: (table: string, fields: Record<string, unknown>) => this.store.insert(table, fields, userName),
      update: (table: string, sysId: string, fields: Record<string, unknown>) => this.store.update(table, sysId, fields, userName),
    };
  }
  record(table: string, sysId: string): Rec | undefined {
    return this.store.tables.get(table)?.get(sysId);
  }
  records(table: string): Rec[] {
    return [...(this.store.tables.get(table)?.values() ?? [])];
  }
  /** Journal entries of a record, oldest first. */
  journal(sysId: string, element?: 'work_notes' | 'comments'): Rec[] {
    return this.records('sys_journal_field').filter((j) => j.element_id === sysId && (!element || j.element === element));
  }
  attachment(sysId: string): Buffer | undefined {
    return this.store.attachments.get(sysId);
  }
  /** Denies an operation on a table, or on one field of it, to every API user. */
  deny(rule: AclRule): void {
    this.store.acl.push(rule);
  }
  /** The next `times` API calls answer 429 with `Retry-After`. */
  rateLimit(times: number, retryAfterSeconds: number): void {
    this.faults.push({ status: 429, retryAfterSeconds, remaining: times });
  }
  /** The next `times` API calls answer `status` (500, 502, 503…), with `Retry-After` when given. */
  failNext(times: number, status: number, retryAfterSeconds?: number): void {
    this.faults.push({ status, retryAfterSeconds, remaining: times });
  }
  /**
   * The next `times` writes (POST, PATCH, PUT; only those `only` accepts, when given) are
   * stored, and then answered `answer` (500, 502…) or not at all (`'drop'`: the connection is closed
   * before the answer), as when an instance commits and its node or the network fails afterwards.
   */
  failAfterStoring(times: number, answer: number | 'drop', only?: (call: RecordedSnCall) => boolean): void {
    this.storedFaults.add(times, answer, only);
  }
  /** The instance is back: faults still pending are dropped. */
  recover(): void {
    this.faults.length = 0;
    this.storedFaults.clear();
  }
  /** Every token issued so far expires now. */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }
  apiCalls(): RecordedSnCall[] {
    return this.calls.filter((c) => c.path.startsWith('/api/'));
  }

  // ---- HTTP ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const call: RecordedSnCall = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body: undefined, status: 0, user: null, auth: 'none' };
    this.calls.push(call);
    const send = (status: number, body: unknown, headers?: Record<string, string>) => {
      if (call.path.startsWith('/api/') && this.storedFaults.lose(call, status, res, (s) => json(res, s, failure('Internal server error', 'The transaction was committed; the answer could not be sent')))) return;
      call.status = status;
      json(res, status, body, headers);
    };
    try {
      if (url.pathname === '/oauth_token.do') return this.token(req, raw, call, send);
      if (!url.pathname.startsWith('/api/now/')) return send(400, failure('Requested URI does not represent any resource', url.pathname));
      const user = this.authenticate(req, call);
      if (!user) return send(401, failure('User Not Authenticated', 'Required to provide Auth information'), { 'www-authenticate': 'BASIC realm="Service-now"' });
      call.user = user;
      const fault = this.faults.find((f) => f.remaining > 0);
      if (fault) {
        fault.remaining--;
        const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
        if (fault.status === 429) return send(429, failure('Rate limit exceeded', `Rate limit of requests per hour exceeded for user ${user}`), { ...headers, 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0' });
        return send(fault.status, failure('Service Unavailable', 'The instance is temporarily unavailable'), headers);
      }
      if (url.pathname === '/api/now/attachment/file') return this.attach(req, url, raw, user, call, send);
      const m = /^\/api\/now\/table\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
      if (!m) return send(400, failure('Requested URI does not represent any resource', url.pathname));
      const [, table, sysId] = m;
      this.store.table(table);
      let body: Record<string, unknown> = {};
      if (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') {
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return send(415, failure('Unsupported Media Type', 'Content-Type must be application/json'));
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch (e) {
          return send(400, failure('Exception while reading request', (e as Error).message));
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return send(400, failure('Exception while reading request', 'The payload is not valid JSON.'));
        call.body = body;
      }
      const render = (rec: Rec) => this.store.render(table, rec, this.renderOptions(url));
      if (req.method === 'GET' && !sysId) return this.list(table, url, send);
      if (req.method === 'POST' && !sysId) return send(201, { result: render(this.store.insert(table, body, user)) });
      if (!sysId) return send(405, failure('Method not Supported', `${req.method} is not supported for this resource`));
      if (req.method === 'GET') {
        const rec = this.store.table(table).get(sysId);
        if (!rec || this.store.denied(table, 'read')) return send(404, failure('No Record found', "Record doesn't exist or ACL restricts the record retrieval"));
        return send(200, { result: render(rec) });
      }
      if (req.method === 'PATCH' || req.method === 'PUT') return send(200, { result: render(this.store.update(table, sysId, body, user)) });
      return send(405, failure('Method not Supported', `${req.method} is not supported for this resource`));
    } catch (e) {
      if (e instanceof SnRefusal) return send(e.status, failure(e.message, e.detail));
      return send(500, failure('Internal server error', (e as Error).message));
    }
  }

  private renderOptions(url: URL) {
    const dv = url.searchParams.get('sysparm_display_value') ?? 'false';
    const fields = url.searchParams.get('sysparm_fields');
    return {
      fields: fields ? fields.split(',').map((f) => f.trim()).filter(Boolean) : undefined,
      displayValue: (dv === 'true' || dv === 'all' ? dv : 'false') as 'true' | 'false' | 'all',
      excludeLinks: url.searchParams.get('sysparm_exclude_reference_link') === 'true',
      baseUrl: this.url,
    };
  }

  private list(table: string, url: URL, send: (s: number, b: unknown, h?: Record<string, string>) => void): void {
    if (this.store.denied(table, 'read')) return send(403, failure('User Not Authorized', 'Failed API level ACL Validation'));
    const q = parseEncodedQuery(url.searchParams.get('sysparm_query') ?? '');
    if (q.fields.some((f) => this.store.denied(table, 'read', f))) return send(403, failure('Insufficient rights to query records', 'Fields present in the query do not have permission to be read'));
    const known = TABLES[table].fields;
    const rows = q.fields.every((f) => known.includes(f)) ? runQuery([...this.store.table(table).values()], q) : [];
    const limitParam = url.searchParams.get('sysparm_limit');
    const offsetParam = url.searchParams.get('sysparm_offset');
    if ((limitParam !== null && !/^\d+$/.test(limitParam)) || (offsetParam !== null && !/^\d+$/.test(offsetParam))) return send(400, failure('Invalid parameter', 'sysparm_limit and sysparm_offset must be non-negative integers'));
    const limit = limitParam === null ? 10000 : Number(limitParam);
    const offset = offsetParam === null ? 0 : Number(offsetParam);
    const page = rows.slice(offset, offset + limit);
    const link = (o: number, rel: string) => {
      const u = new URL(url);
      u.searchParams.set('sysparm_limit', String(limit));
      u.searchParams.set('sysparm_offset', String(o));
      return `<${u.toString()}>;rel="${rel}"`;
    };
    const links = [link(0, 'first')];
    if (offset > 0) links.push(link(Math.max(0, offset - limit), 'prev'));
    if (offset + limit < rows.length) links.push(link(offset + limit, 'next'));
    if (limit > 0) links.push(link(Math.max(0, Math.floor((rows.length - 1) / limit) * limit), 'last'));
    const opts = this.renderOptions(url);
    send(200, { result: page.map((r) => this.store.render(table, r, opts)) }, { 'x-total-count': String(rows.length), link: links.join(',') });
  }

  private attach(req: http.IncomingMessage, url: URL, raw: Buffer, user: string, call: RecordedSnCall, send: (s: number, b: unknown) => void): void {
    if (req.method !== 'POST') return send(405, failure('Method not Supported', `${req.method} is not supported for this resource`));
    const tableName = url.searchParams.get('table_name');
    const tableSysId = url.searchParams.get('table_sys_id');
    const fileName = url.searchParams.get('file_name');
    if (!tableName || !tableSysId || !fileName) return send(400, failure('Missing required parameters', 'table_name, table_sys_id and file_name are required'));
    const contentType = req.headers['content-type'];
    if (!contentType) return send(400, failure('Content-Type is missing', 'Provide the Content-Type of the file'));
    if (!this.store.tables.get(tableName)?.get(tableSysId)) return send(400, failure('Invalid table name or table sys id', `${tableName} ${tableSysId}`));
    if (this.store.denied(tableName, 'write') || this.store.denied('sys_attachment', 'create')) return send(403, failure('Operation Failed', 'ACL Exception Insert Failed due to security constraints'));
    call.body = { bytes: raw.length, contentType };
    const rec = this.store.insert('sys_attachment', { file_name: fileName, table_name: tableName, table_sys_id: tableSysId, content_type: contentType, size_bytes: String(raw.length) }, user);
    this.store.attachments.set(rec.sys_id, raw);
    send(201, { result: { ...rec, download_link: `${this.url}/api/now/attachment/${rec.sys_id}/file` } });
  }

  private authenticate(req: http.IncomingMessage, call: RecordedSnCall): string | null {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      call.auth = 'basic';
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const [name, password] = [decoded.slice(0, i), decoded.slice(i + 1)];
      return i > 0 && this.passwords.get(name) === password ? name : null;
    }
    if (header.startsWith('Bearer ')) {
      call.auth = 'bearer';
      const t = this.tokens.get(header.slice(7));
      return t && t.expiresAt > this.now().getTime() ? t.user : null;
    }
    return null;
  }

  private token(req: http.IncomingMessage, raw: Buffer, call: RecordedSnCall, send: (s: number, b: unknown) => void): void {
    if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return send(400, { error: 'invalid_request', error_description: 'POST application/x-www-form-urlencoded expected' });
    const form = new URLSearchParams(raw.toString('utf8'));
    call.body = { grant_type: form.get('grant_type') };
    const deny = () => send(401, { error_description: 'access_denied', error: 'server_error' });
    if (form.get('client_id') !== this.oauthClient.clientId || form.get('client_secret') !== this.oauthClient.clientSecret) return deny();
    let user: string;
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') user = this.integrationUser.userName;
    else if (grant === 'password') {
      const name = form.get('username') ?? '';
      if (!this.passwords.has(name) || this.passwords.get(name) !== form.get('password')) return deny();
      user = name;
    } else return send(400, { error: 'unsupported_grant_type', error_description: `grant_type ${grant} is not supported` });
    const accessToken = randomBytes(24).toString('base64url');
    this.tokens.set(accessToken, { user, expiresAt: this.now().getTime() + this.tokenTtlSeconds * 1000 });
    send(200, { access_token: accessToken, ...(grant === 'password' ? { refresh_token: randomBytes(24).toString('base64url') } : {}), scope: 'useraccount', token_type: 'Bearer', expires_in: this.tokenTtlSeconds });
  }

  /** The time the instance would stamp now (for watermark assertions). */
  stamp(): string {
    return glideDateTime(this.now());
  }
}

export async function startFakeServiceNow(opts?: FakeServiceNowOptions): Promise<FakeServiceNow> {
  return new FakeServiceNow(opts).start();
}
