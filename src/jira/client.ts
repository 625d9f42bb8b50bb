/**
 * A small typed client of Jira's REST API over Node's fetch, for Cloud (`/rest/api/3`, basic auth with
 * e-mail + API token) and Data Center (`/rest/api/2`, bearer personal access token): a time limit per
 * request, retries with backoff that honour `Retry-After` on 429 and 503, paging (Cloud's
 * `nextPageToken`, Data Center's `startAt`), and errors that carry Jira's `errorMessages` and per-field
 * `errors`. Secrets travel only in the Authorization header: never in an error or a log.
 */
import { z } from 'zod';
import { requireSecureOrLoopback, retryAfterMs, withRetries } from '../net/outbound.js';

export type JiraDeployment = 'cloud' | 'datacenter';
export type JiraAuth = { kind: 'basic'; email: string; apiToken: string } | { kind: 'bearer'; token: string };

export interface JiraClientOptions {
  baseUrl: string;
  deployment: JiraDeployment;
  auth: JiraAuth;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  /** The longest wait between attempts; a longer `Retry-After` is handed to the caller (JiraError.retryAfterMs). */
  maxWaitMs?: number;
  fetch?: typeof fetch;
  logger?: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface RequestOptions {
  signal?: AbortSignal;
  /**
   * A write that must not be made twice (it adds a comment): tried again here only after a 429, which
   * Jira answers before doing anything; after any other failure (a 5xx, a dropped connection, a
   * timeout) it may have been stored, so the caller looks before trying again.
   */
  once?: boolean;
}

/** A refusal or failure of Jira; `retryable` says whether trying again later can help. */
export class JiraError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    /** Jira's per-field errors (`{ customfield_10010: "… is required." }`). */
    readonly errors: Record<string, string> = {},
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'JiraError';
  }
}

const errorBody = z.object({ errorMessages: z.array(z.string()).optional(), errors: z.record(z.string(), z.string()).optional() }).loose();
const statusSchema = z.object({ id: z.string(), name: z.string(), statusCategory: z.object({ key: z.string() }).loose() }).loose();
const userRef = z.object({ accountId: z.string().optional(), name: z.string().optional(), displayName: z.string().optional(), emailAddress: z.string().optional() }).loose();
export const issueSchema = z
  .object({
    id: z.string(),
    key: z.string(),
    fields: z.object({ status: statusSchema.optional(), labels: z.array(z.string()).optional(), assignee: userRef.nullish(), duedate: z.string().nullish() }).loose().optional(),
  })
  .loose();
export type JiraIssue = z.infer<typeof issueSchema>;
export type JiraUserRef = z.infer<typeof userRef>;
const transitionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    to: statusSchema,
    fields: z.record(z.string(), z.object({ required: z.boolean(), allowedValues: z.array(z.object({ id: z.string().optional(), name: z.string().optional() }).loose()).optional() }).loose()).optional(),
  })
  .loose();
export type JiraTransition = z.infer<typeof transitionSchema>;
const fieldMetaSchema = z.object({ fieldId: z.string(), name: z.string(), required: z.boolean(), hasDefaultValue: z.boolean().optional(), allowedValues: z.array(z.record(z.string(), z.unknown())).optional() }).loose();
export type JiraFieldMeta = z.infer<typeof fieldMetaSchema>;

interface Call { method: string; path: string; query?: Record<string, string>; json?: unknown; form?: FormData; headers?: Record<string, string> }

export class JiraClient {
  private readonly base: URL;
  private readonly fetch: typeof fetch;
  readonly api: string;

  constructor(private readonly opts: JiraClientOptions) {
    this.base = new URL(opts.baseUrl);
    requireSecureOrLoopback(this.base, 'base_url');
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.api = opts.deployment === 'cloud' ? '/rest/api/3' : '/rest/api/2';
  }

  get deployment(): JiraDeployment {
    return this.opts.deployment;
  }

  /** The issue's page in Jira's UI. */
  browseUrl(key: string): string {
    return new URL(`${this.base.pathname.replace(/\/$/, '')}/browse/${encodeURIComponent(key)}`, this.base).toString();
  }

  /** The account the connector signs in as. */
  async myself(opts: RequestOptions = {}): Promise<JiraUserRef> {
    return userRef.parse((await this.send({ method: 'GET', path: '/myself' }, opts)).json);
  }

  /** Which of the named project permissions the account holds. */
  async myPermissions(projectKey: string, keys: readonly string[], opts: RequestOptions = {}): Promise<Record<string, boolean>> {
    const body = z.object({ permissions: z.record(z.string(), z.object({ havePermission: z.boolean() }).loose()) }).parse((await this.send({ method: 'GET', path: '/mypermissions', query: { projectKey, permissions: keys.join(',') } }, opts)).json);
    return Object.fromEntries(keys.map((k) => [k, body.permissions[k]?.havePermission ?? false]));
  }

  /** The project's issue types (createmeta, every page). */
  async issueTypes(project: string, opts: RequestOptions = {}): Promise<{ id: string; name: string }[]> {
    return this.metaPages(`/issue/createmeta/${encodeURIComponent(project)}/issuetypes`, 'issueTypes', z.object({ id: z.string(), name: z.string() }).loose(), opts);
  }

  /** The fields of the create screen of an issue type (createmeta, every page). */
  async createFields(project: string, issueTypeId: string, opts: RequestOptions = {}): Promise<JiraFieldMeta[]> {
    return this.metaPages(`/issue/createmeta/${encodeURIComponent(project)}/issuetypes/${encodeURIComponent(issueTypeId)}`, 'fields', fieldMetaSchema, opts);
  }

  async createIssue(fields: Record<string, unknown>, opts: RequestOptions = {}): Promise<{ id: string; key: string }> {
    return z.object({ id: z.string(), key: z.string() }).loose().parse((await this.send({ method: 'POST', path: '/issue', json: { fields } }, opts)).json);
  }

  /** An issue, or null when it does not exist or the account may not see it (Jira answers 404 for both). */
  async getIssue(key: string, opts: RequestOptions & { fields?: string[] } = {}): Promise<JiraIssue | null> {
    try {
      return issueSchema.parse((await this.send({ method: 'GET', path: `/issue/${encodeURIComponent(key)}`, query: opts.fields ? { fields: opts.fields.join(',') } : {} }, opts)).json);
    } catch (e) {
      if (e instanceof JiraError && e.status === 404) return null;
      throw e;
    }
  }

  async editIssue(key: string, fields: Record<string, unknown>, opts: RequestOptions = {}): Promise<void> {
    await this.send({ method: 'PUT', path: `/issue/${encodeURIComponent(key)}`, json: { fields } }, opts);
  }

  /** Transitions valid from the issue's current status, with the fields their screens require. */
  async transitions(key: string, opts: RequestOptions = {}): Promise<JiraTransition[]> {
    const body = (await this.send({ method: 'GET', path: `/issue/${encodeURIComponent(key)}/transitions`, query: { expand: 'transitions.fields' } }, opts)).json;
    return z.object({ transitions: z.array(transitionSchema) }).loose().parse(body).transitions;
  }

  async transition(key: string, id: string, fields: Record<string, unknown>, opts: RequestOptions = {}): Promise<void> {
    await this.send({ method: 'POST', path: `/issue/${encodeURIComponent(key)}/transitions`, json: { transition: { id }, ...(Object.keys(fields).length ? { fields } : {}) } }, opts);
  }

  /** Adds a comment: `body` in ADF on Cloud, wiki text on Data Center. */
  async addComment(key: string, body: unknown, opts: RequestOptions = {}): Promise<{ id: string }> {
    return z.object({ id: z.string() }).loose().parse((await this.send({ method: 'POST', path: `/issue/${encodeURIComponent(key)}/comment`, json: { body } }, opts)).json);
  }

  /** The issue's first comment, newest first, whose body `wanted` accepts (every page read if need be), or null. */
  async findComment(key: string, wanted: (body: unknown) => boolean, opts: RequestOptions = {}): Promise<{ id: string; body: unknown } | null> {
    const page = z.object({ total: z.number(), comments: z.array(z.object({ id: z.string(), body: z.unknown() }).loose()) }).loose();
    for (let startAt = 0; ; ) {
      const { comments, total } = page.parse((await this.send({ method: 'GET', path: `/issue/${encodeURIComponent(key)}/comment`, query: { startAt: String(startAt), maxResults: '100', orderBy: '-created' } }, opts)).json);
      const hit = comments.find((c) => wanted(c.body));
      if (hit) return { id: hit.id, body: hit.body };
      startAt += comments.length;
      // Jira may answer fewer than asked for: the total says whether more are left.
      if (!comments.length || startAt >= total) return null;
    }
  }

  /** Creates or updates (by `globalId`) a link from the issue to a page elsewhere. */
  async remoteLink(key: string, link: { globalId: string; url: string; title: string }, opts: RequestOptions = {}): Promise<void> {
    await this.send({ method: 'POST', path: `/issue/${encodeURIComponent(key)}/remotelink`, json: { globalId: link.globalId, object: { url: link.url, title: link.title, icon: {} } } }, opts);
  }

  async linkIssues(type: string, inwardKey: string, outwardKey: string, opts: RequestOptions = {}): Promise<void> {
    await this.send({ method: 'POST', path: '/issueLink', json: { type: { name: type }, inwardIssue: { key: inwardKey }, outwardIssue: { key: outwardKey } } }, opts);
  }

  async attach(key: string, file: { name: string; contentType: string; bytes: Uint8Array }, opts: RequestOptions = {}): Promise<void> {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(file.bytes)], { type: file.contentType }), file.name);
    await this.send({ method: 'POST', path: `/issue/${encodeURIComponent(key)}/attachments`, form, headers: { 'x-atlassian-token': 'no-check' } }, opts);
  }

  /** The active user with this e-mail address (Cloud: `query`; Data Center: `username`), or null. */
  async userByEmail(email: string, opts: RequestOptions = {}): Promise<JiraUserRef | null> {
    const query: Record<string, string> = this.opts.deployment === 'cloud' ? { query: email.trim() } : { username: email.trim() };
    const users = z.array(userRef).parse((await this.send({ method: 'GET', path: '/user/search', query: { ...query, maxResults: '10' } }, opts)).json);
    // Cloud hides most e-mail addresses: a single match for the query is taken as that person.
    return users.find((u) => u.emailAddress?.toLowerCase() === email.trim().toLowerCase()) ?? (users.length === 1 ? users[0] : null);
  }

  /** A user by accountId (Cloud) or username (Data Center), or null. */
  async user(id: string, opts: RequestOptions = {}): Promise<JiraUserRef | null> {
    try {
      return userRef.parse((await this.send({ method: 'GET', path: '/user', query: this.opts.deployment === 'cloud' ? { accountId: id } : { username: id } }, opts)).json);
    } catch (e) {
      if (e instanceof JiraError && e.status === 404) return null;
      throw e;
    }
  }

  /** Issues matching the JQL, every page (at most `max`). */
  async search(jql: string, opts: RequestOptions & { fields?: string[]; max?: number } = {}): Promise<JiraIssue[]> {
    const max = opts.max ?? 1000;
    const fields = (opts.fields ?? ['status', 'labels']).join(',');
    const out: JiraIssue[] = [];
    if (this.opts.deployment === 'cloud') {
      let token: string | undefined;
      do {
        const page = z.object({ issues: z.array(issueSchema), nextPageToken: z.string().optional() }).loose().parse((await this.send({ method: 'GET', path: '/search/jql', query: { jql, fields, maxResults: '50', ...(token ? { nextPageToken: token } : {}) } }, opts)).json);
        out.push(...page.issues);
        token = page.nextPageToken;
      } while (token && out.length < max);
    } else {
      for (let startAt = 0; out.length < max; ) {
        const page = z.object({ issues: z.array(issueSchema), total: z.number() }).loose().parse((await this.send({ method: 'GET', path: '/search', query: { jql, fields, maxResults: '50', startAt: String(startAt) } }, opts)).json);
        out.push(...page.issues);
        startAt += page.issues.length;
        if (!page.issues.length || startAt >= page.total) break;
      }
    }
    return out.slice(0, max);
  }

  /** createmeta pages: Cloud answers `{ <key>: [...], total }`, Data Center `{ values: [...], isLast }`. */
  private async metaPages<T>(path: string, key: string, item: z.ZodType<T>, opts: RequestOptions): Promise<T[]> {
    const out: T[] = [];
    for (let startAt = 0; ; ) {
      const body = z.record(z.string(), z.unknown()).parse((await this.send({ method: 'GET', path, query: { startAt: String(startAt), maxResults: '50' } }, opts)).json);
      // Cloud names the page's list `issueTypes` / `fields` (older answers: `createMetaIssueType` / `results`), Data Center `values`.
      const list = z.array(item).parse(body[key] ?? body[key === 'fields' ? 'results' : 'createMetaIssueType'] ?? body.values ?? []);
      out.push(...list);
      startAt += list.length;
      const total = typeof body.total === 'number' ? body.total : null;
      if (!list.length || body.isLast === true || (total !== null && startAt >= total)) return out;
    }
  }

  private send(call: Call, opts: RequestOptions): Promise<{ json: unknown }> {
    const { retries, backoffMs, maxWaitMs } = this.opts;
    return withRetries(() => this.attempt(call, opts.signal), {
      retries,
      backoffMs,
      maxWaitMs,
      signal: opts.signal,
      once: opts.once,
      failure: (e) => (e instanceof JiraError ? e : null),
      onRetry: (error, attempt, waitMs) => this.opts.logger?.warn({ method: call.method, path: call.path, status: error.status, attempt, waitMs }, 'Jira call failed; retrying'),
    });
  }

  private authorization(): string {
    const a = this.opts.auth;
    return a.kind === 'basic' ? `Basic ${Buffer.from(`${a.email}:${a.apiToken}`).toString('base64')}` : `Bearer ${a.token}`;
  }

  private async attempt(call: Call, signal: AbortSignal | undefined): Promise<{ json: unknown }> {
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}${this.api}${call.path}`, this.base);
    for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
    const where = `Jira ${call.method} ${this.api}${call.path}`;
    const headers: Record<string, string> = { accept: 'application/json', authorization: this.authorization(), ...call.headers };
    let body: RequestInit['body'];
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.form) body = call.form;
    const timeoutMs = this.opts.timeoutMs ?? 15_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(url, { method: call.method, headers, body, signal: combined });
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) throw e;
      const cause = (e as Error).cause as Error | undefined;
      throw new JiraError(`${where} ${timeout.aborted ? `timed out after ${timeoutMs} ms` : `failed: ${cause?.message ?? (e as Error).message}`}`, null, true);
    }
    if (res.ok) {
      this.opts.logger?.debug({ method: call.method, path: call.path, status: res.status }, 'Jira call');
      try {
        return { json: text ? JSON.parse(text) : null };
      } catch {
        throw new JiraError(`${where} answered ${res.status} with a body that is not JSON`, res.status, false);
      }
    }
    let parsed: z.infer<typeof errorBody> | null = null;
    try {
      const r = errorBody.safeParse(JSON.parse(text));
      parsed = r.success ? r.data : null;
    } catch {
      parsed = null;
    }
    const errors = parsed?.errors ?? {};
    const said = [...(parsed?.errorMessages ?? []), ...Object.entries(errors).map(([f, m]) => `${f}: ${m}`)].join('; ');
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    const after = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : null;
    throw new JiraError(`${where} answered ${res.status}${said ? `: ${said.slice(0, 500)}` : ''}`, res.status, retryable, errors, after);
  }
}
