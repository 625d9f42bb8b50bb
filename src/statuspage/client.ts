/**
 * A small typed client of Atlassian Statuspage's REST API v1 over Node's fetch: `Authorization: OAuth
 * <key>`, a time limit per request, and failures mapped once to what the outbox understands — rate
 * limits (420/429, honouring `Retry-After`), 5xx and network failures are RetryLater; refusals (401,
 * 403, 404, 422…) are PermanentFailure carrying Statuspage's own message. It does not retry by itself:
 * the outbox does, so a retry never blocks a lane. The key travels only in the Authorization header:
 * never in an error or a log.
 */
import { z } from 'zod';
import { PermanentFailure, RetryLater } from '../jobs/task-runner.js';
import { requireSecureOrLoopback, retryAfterMs as parseRetryAfter } from '../net/outbound.js';
import type { PublicComponentState } from './types.js';

export { DEFAULT_STATUSPAGE_API_URL } from '../policy/statuspage-schema.js';

/** Realtime incident statuses, then scheduled-maintenance ones. */
export type StatuspageIncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'scheduled' | 'in_progress' | 'verifying' | 'completed';

/** The `incident` object of a create or update (every field optional on update). */
export interface StatuspageIncidentWrite {
  name?: string;
  status?: StatuspageIncidentStatus;
  body?: string;
  component_ids?: string[];
  components?: Record<string, PublicComponentState>;
  deliver_notifications?: boolean;
  scheduled_for?: string;
  scheduled_until?: string;
  scheduled_remind_prior?: boolean;
  scheduled_auto_in_progress?: boolean;
  scheduled_auto_completed?: boolean;
  /** Every top-level value must itself be an object (Statuspage's rule). */
  metadata?: Record<string, Record<string, string>>;
}

const componentBody = z.object({ id: z.string(), name: z.string(), status: z.string() }).loose();
const incidentBody = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    status: z.string(),
    shortlink: z.string().nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish().transform((m) => m ?? {}),
    components: z.array(componentBody).nullish().transform((c) => c ?? []),
    scheduled_for: z.string().nullish(),
    scheduled_until: z.string().nullish(),
  })
  .loose();

export type StatuspageIncident = z.infer<typeof incidentBody>;
export type StatuspageComponent = z.infer<typeof componentBody>;

/** Statuspage could not be reached or asked us to wait: trying again later can help. */
export class StatuspageUnavailable extends RetryLater {
  constructor(
    message: string,
    delayMs: number | undefined,
    /** The HTTP status, or null when no answer came (network failure, time limit). */
    readonly status: number | null,
  ) {
    super(message, delayMs);
    this.name = 'StatuspageUnavailable';
  }

  /** A rate-limit answer: the request was refused before anything was done. */
  get rateLimited(): boolean {
    return this.status === 420 || this.status === 429;
  }
}

/** Statuspage refused the request (bad key, missing page, validation error): retrying cannot help. */
export class StatuspageRefused extends PermanentFailure {
  constructor(
    message: string,
    readonly status: number,
    /** Statuspage's own words, when it gave any. */
    readonly vendorMessage: string | null,
  ) {
    super(message);
    this.name = 'StatuspageRefused';
  }
}

export interface StatuspageClientOptions {
  /** https://api.statuspage.io/v1 (plain http is accepted for loopback fakes). */
  apiUrl: string;
  apiKey: string;
  /** Per request; 15 s by default. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: { debug(obj: object, msg: string): void };
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** Parses `Retry-After` into milliseconds; undefined when absent or unreadable (the outbox's own backoff then applies). */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  return parseRetryAfter(header, now) ?? undefined;
}

/** Statuspage's error text: `{"error": "…"}`, `{"error": ["…", …]}` or `{"message": "…"}`. */
function vendorMessage(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const r = z.object({ error: z.union([z.string(), z.array(z.string())]).optional(), message: z.string().optional() }).safeParse(parsed);
  if (!r.success) return null;
  const e = r.data.error ?? r.data.message;
  return e === undefined ? null : Array.isArray(e) ? e.join('; ') : e;
}

const HINTS: Record<number, string> = {
  401: 'the API key was refused: check STATUSPAGE_API_KEY',
  403: "the API key's user may not do this on the page: it needs the incident (and maintenance) manager roles",
  404: 'not found: check status_page.atlassian.page_id (and that the incident was not deleted on Statuspage)',
};

export class StatuspageClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: StatuspageClientOptions) {
    const url = new URL(opts.apiUrl);
    requireSecureOrLoopback(url, 'api_url');
    this.base = url.toString().replace(/\/+$/, '');
    this.fetch = opts.fetch ?? globalThis.fetch;
  }

  async createIncident(pageId: string, incident: StatuspageIncidentWrite, opts: RequestOptions = {}): Promise<StatuspageIncident> {
    return incidentBody.parse(await this.send('POST', `/pages/${enc(pageId)}/incidents`, opts, { incident }));
  }

  async updateIncident(pageId: string, incidentId: string, incident: StatuspageIncidentWrite, opts: RequestOptions = {}): Promise<StatuspageIncident> {
    return incidentBody.parse(await this.send('PATCH', `/pages/${enc(pageId)}/incidents/${enc(incidentId)}`, opts, { incident }));
  }

  /** The incident, or null when Statuspage has none with this id (deleted there). */
  async getIncident(pageId: string, incidentId: string, opts: RequestOptions = {}): Promise<StatuspageIncident | null> {
    return unlessGone(this.send('GET', `/pages/${enc(pageId)}/incidents/${enc(incidentId)}`, opts));
  }

  /** Deletes the incident (answered with it as it was), or null when Statuspage has none with this id (deleted already). */
  async deleteIncident(pageId: string, incidentId: string, opts: RequestOptions = {}): Promise<StatuspageIncident | null> {
    return unlessGone(this.send('DELETE', `/pages/${enc(pageId)}/incidents/${enc(incidentId)}`, opts));
  }

  /** One page of incidents, newest first; `q` searches their names, statuses and updates. */
  async listIncidents(pageId: string, query: { q?: string; limit?: number; page?: number } = {}, opts: RequestOptions = {}): Promise<StatuspageIncident[]> {
    const params = new URLSearchParams();
    if (query.q !== undefined) params.set('q', query.q);
    params.set('limit', String(query.limit ?? 100));
    params.set('page', String(query.page ?? 1));
    return z.array(incidentBody).parse(await this.send('GET', `/pages/${enc(pageId)}/incidents?${params}`, opts));
  }

  async listComponents(pageId: string, opts: RequestOptions = {}): Promise<StatuspageComponent[]> {
    return z.array(componentBody).parse(await this.send('GET', `/pages/${enc(pageId)}/components?per_page=100&page=1`, opts));
  }

  private async send(method: string, path: string, opts: RequestOptions, json?: unknown): Promise<unknown> {
    const where = `Statuspage ${method} ${path.split('?')[0]}`;
    const timeoutMs = this.opts.timeoutMs ?? 15_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', authorization: `OAuth ${this.opts.apiKey}` };
    if (json !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(`${this.base}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json), signal });
      text = await res.text();
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      const cause = (e as Error).cause as Error | undefined;
      const reason = timeout.aborted ? `timed out after ${timeoutMs} ms` : `failed: ${cause?.message ?? (e as Error).message}`;
      throw new StatuspageUnavailable(`${where} ${reason}`, undefined, null);
    }
    this.opts.logger?.debug({ method, path: path.split('?')[0], status: res.status }, 'Statuspage call');
    if (res.ok) {
      try {
        return JSON.parse(text);
      } catch {
        throw new StatuspageUnavailable(`${where} answered ${res.status} with a body that is not JSON`, undefined, res.status);
      }
    }
    const said = vendorMessage(text);
    const message = `${where} answered ${res.status}${said ? `: ${said}` : ''}`;
    if (res.status === 408 || res.status === 420 || res.status === 429 || res.status >= 500) {
      throw new StatuspageUnavailable(message, retryAfterMs(res.headers.get('retry-after')), res.status);
    }
    const hint = HINTS[res.status];
    throw new StatuspageRefused(hint ? `${message} (${hint})` : message, res.status, said);
  }
}

const enc = encodeURIComponent;

/** An incident answer, or null when Statuspage answered 404 (no incident with that id). */
async function unlessGone(answer: Promise<unknown>): Promise<StatuspageIncident | null> {
  try {
    return incidentBody.parse(await answer);
  } catch (e) {
    if (e instanceof StatuspageRefused && e.status === 404) return null;
    throw e;
  }
}
