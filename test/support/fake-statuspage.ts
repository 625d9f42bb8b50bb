/**
 * A strict fake of Atlassian Statuspage's REST API v1 for tests: an HTTP server on 127.0.0.1 serving
 * `/v1/pages/{page_id}/incidents[/{incident_id}]` (GET, POST, PATCH; DELETE answering 200 with the
 * incident it deleted) and `/v1/pages/{page_id}/components` as the published reference describes them: `Authorization: OAuth <key>`, bare JSON answers (no
 * envelope), `{"error": "…"}` refusals (401 for a missing or wrong key, 404 for an unknown page,
 * incident or route), 422 `{"error": ["…"]}` validation failures (fake-statuspage-rules.ts), paging
 * with `limit`/`page` (`per_page` for components), `q` search, and 420/429 with `Retry-After` or 5xx on
 * demand. It records every call, so tests can assert that each was made once.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createErrors, impactOf, shapeErrors, updateErrors, type IncidentInput } from './fake-statuspage-rules.js';
import { listenOnLoopback } from './loopback-server.js';

export interface RecordedStatuspageCall {
  method: string;
  /** Path below the API root, such as /pages/abc/incidents. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

export interface FakeComponent {
  id: string;
  page_id: string;
  group_id: string | null;
  name: string;
  description: string | null;
  position: number;
  status: string;
  showcase: boolean;
  only_show_if_degraded: boolean;
  group: boolean;
  created_at: string;
  updated_at: string;
}

export interface FakeIncidentUpdate {
  id: string;
  incident_id: string;
  status: string;
  body: string;
  created_at: string;
  display_at: string;
  deliver_notifications: boolean;
  affected_components: { code: string; name: string; new_status: string }[];
}

export interface FakeIncident {
  id: string;
  page_id: string;
  name: string;
  status: string;
  impact: string;
  shortlink: string;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  started_at: string;
  scheduled_for: string | null;
  scheduled_until: string | null;
  scheduled_remind_prior: boolean;
  scheduled_auto_in_progress: boolean;
  scheduled_auto_completed: boolean;
  metadata: Record<string, Record<string, unknown>>;
  /** Newest first, as the API lists them. */
  incident_updates: FakeIncidentUpdate[];
  component_ids: string[];
}

interface Fault { status: number; retryAfterSeconds?: number; remaining: number }

const id = () => Array.from(randomBytes(12), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

export class FakeStatuspage {
  readonly apiKey = `sp-${randomBytes(16).toString('hex')}`;
  readonly pageId = id();
  readonly calls: RecordedStatuspageCall[] = [];
  readonly components = new Map<string, FakeComponent>();
  readonly incidents = new Map<string, FakeIncident>();
  /** The API root, http://127.0.0.1:<port>/v1 (what `api_url` is set to). */
  url = '';
  private listening!: Awaited<ReturnType<typeof listenOnLoopback>>;
  private readonly faults: Fault[] = [];
  private answersToLose = 0;
  private tick = 0;

  async start(): Promise<this> {
    this.listening = await listenOnLoopback((req, res) => void this.handle(req, res));
    this.url = `${this.listening.origin}/v1`;
    return this;
  }

  close(): Promise<void> {
    return this.listening.close();
  }

  // ---- helpers for tests ----

  addComponent(name: string, status = 'operational'): FakeComponent {
    const now = this.now();
    const c: FakeComponent = { id: id(), page_id: this.pageId, group_id: null, name, description: null, position: this.components.size + 1, status, showcase: true, only_show_if_degraded: false, group: false, created_at: now, updated_at: now };
    this.components.set(c.id, c);
    return c;
  }
  /** The next `times` authenticated calls answer `status` (429 or the legacy 420) with `Retry-After`. */
  rateLimit(times: number, retryAfterSeconds: number, status: 420 | 429 = 429): void {
    this.faults.push({ status, retryAfterSeconds, remaining: times });
  }
  /** The next `times` authenticated calls answer `status` (500, 502, 503…). */
  failNext(times: number, status: number): void {
    this.faults.push({ status, remaining: times });
  }
  /** The next `times` calls are carried out, but the connection drops before the answer (an answer lost on the way). */
  loseAnswers(times: number): void {
    this.answersToLose += times;
  }
  /** Calls that change something (POST, PATCH, DELETE), in order. */
  writes(): RecordedStatuspageCall[] {
    return this.calls.filter((c) => c.method !== 'GET');
  }
  /** What `incident` objects were sent, by method, in order. */
  sent(method: 'POST' | 'PATCH'): Record<string, unknown>[] {
    return this.writes()
      .filter((c) => c.method === method && c.status < 300)
      .map((c) => (c.body as { incident: Record<string, unknown> }).incident);
  }
  incident(incidentId: string): FakeIncident | undefined {
    return this.incidents.get(incidentId);
  }
  allIncidents(): FakeIncident[] {
    return [...this.incidents.values()];
  }

  // ---- HTTP ----

  private now(): string {
    // Strictly increasing, so "newest first" is well defined even within one millisecond.
    return new Date(Date.now() + this.tick++).toISOString();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const call: RecordedStatuspageCall = { method, path: url.pathname.replace(/^\/v1/, ''), query: Object.fromEntries(url.searchParams), body: undefined, status: 0 };
    this.calls.push(call);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      if (status < 300 && this.answersToLose > 0) {
        this.answersToLose--;
        res.destroy();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (!/^OAuth \S+$/.test(req.headers.authorization ?? '') || req.headers.authorization !== `OAuth ${this.apiKey}`) return send(401, { error: 'Could not authenticate' });
    const fault = this.faults.find((f) => f.remaining > 0);
    if (fault) {
      fault.remaining--;
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      if (fault.status === 420 || fault.status === 429) return send(fault.status, { error: 'Rate limit exceeded' }, headers);
      return send(fault.status, { error: 'Service Unavailable' }, headers);
    }
    const m = /^\/v1\/pages\/([^/]+)\/(incidents|components)(?:\/([^/]+))?$/.exec(url.pathname.replace(/\.json$/, ''));
    if (!m) return send(404, { error: 'Not found' });
    const [, pageId, collection, itemId] = m;
    if (pageId !== this.pageId) return send(404, { error: 'Page not found' });
    if (collection === 'components') {
      if (method !== 'GET' || itemId) return send(405, { error: 'Method not allowed' });
      const paged = this.paged([...this.components.values()], url, 'per_page');
      return 'error' in paged ? send(400, paged) : send(200, paged.rows);
    }
    if (method === 'GET' && !itemId) {
      const q = url.searchParams.get('q')?.toLowerCase();
      const all = [...this.incidents.values()].reverse().filter((i) => !q || [i.name, i.status, ...i.incident_updates.map((u) => u.body)].some((t) => t.toLowerCase().includes(q)));
      const paged = this.paged(all, url, 'limit');
      return 'error' in paged ? send(400, paged) : send(200, paged.rows.map((i) => this.render(i)));
    }
    const existing = itemId ? this.incidents.get(itemId) : undefined;
    if (itemId && !existing) return send(404, { error: 'Incident not found' });
    if (method === 'GET') return send(200, this.render(existing!));
    if (method === 'DELETE') {
      if (!existing) return send(405, { error: 'Method not allowed' });
      this.incidents.delete(existing.id);
      return send(200, this.render(existing));
    }
    const write = itemId ? method === 'PATCH' || method === 'PUT' : method === 'POST';
    if (!write) return send(405, { error: 'Method not allowed' });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return send(415, { error: 'Content-Type must be application/json' });
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(400, { error: 'The request body is not valid JSON' });
    }
    call.body = body;
    const incident = (body as { incident?: unknown } | null)?.incident;
    if (typeof incident !== 'object' || incident === null || Array.isArray(incident)) return send(400, { error: 'param is missing or the value is empty: incident' });
    const input = incident as IncidentInput;
    const errors = shapeErrors(input, new Set(this.components.keys()));
    if (!errors.length) errors.push(...(existing ? updateErrors(input, { scheduled: existing.scheduled_for !== null, scheduledFor: existing.scheduled_for, scheduledUntil: existing.scheduled_until }) : createErrors(input)));
    if (errors.length) return send(422, { error: errors });
    const saved = existing ? this.update(existing, input) : this.create(input);
    send(existing ? 200 : 201, this.render(saved));
  }

  private paged<T>(rows: T[], url: URL, sizeParam: 'limit' | 'per_page'): { rows: T[] } | { error: string } {
    const size = url.searchParams.get(sizeParam) ?? '100';
    const page = url.searchParams.get('page') ?? '1';
    if (!/^\d+$/.test(size) || !/^\d+$/.test(page) || Number(size) < 1 || Number(page) < 1) return { error: `${sizeParam} and page must be positive integers` };
    const n = Math.min(Number(size), 100);
    return { rows: rows.slice((Number(page) - 1) * n, Number(page) * n) };
  }

  private create(i: IncidentInput): FakeIncident {
    const now = this.now();
    const scheduled = i.scheduled_for !== undefined;
    const incident: FakeIncident = {
      id: id(),
      page_id: this.pageId,
      name: i.name!.trim(),
      status: i.status ?? (scheduled ? 'scheduled' : 'investigating'),
      impact: 'none',
      shortlink: `https://stspg.io/${id().slice(0, 6)}`,
      created_at: now,
      updated_at: now,
      monitoring_at: null,
      resolved_at: null,
      started_at: now,
      scheduled_for: i.scheduled_for ?? null,
      scheduled_until: i.scheduled_until ?? null,
      scheduled_remind_prior: i.scheduled_remind_prior ?? false,
      scheduled_auto_in_progress: i.scheduled_auto_in_progress ?? false,
      scheduled_auto_completed: i.scheduled_auto_completed ?? false,
      metadata: i.metadata ?? {},
      incident_updates: [],
      component_ids: [],
    };
    this.incidents.set(incident.id, incident);
    return this.apply(incident, i, now, true);
  }

  private update(incident: FakeIncident, i: IncidentInput): FakeIncident {
    const now = this.now();
    if (i.name !== undefined) incident.name = i.name.trim();
    for (const f of ['scheduled_for', 'scheduled_until'] as const) if (i[f] !== undefined) incident[f] = i[f];
    for (const f of ['scheduled_remind_prior', 'scheduled_auto_in_progress', 'scheduled_auto_completed'] as const) if (i[f] !== undefined) incident[f] = i[f];
    if (i.metadata) incident.metadata = { ...incident.metadata, ...i.metadata };
    incident.updated_at = now;
    return this.apply(incident, i, now, false);
  }

  /** Status, components and the incident update a create or update adds. */
  private apply(incident: FakeIncident, i: IncidentInput, now: string, created: boolean): FakeIncident {
    const before = incident.status;
    if (i.status !== undefined) incident.status = i.status;
    if (incident.status === 'monitoring' && before !== 'monitoring') incident.monitoring_at = now;
    if ((incident.status === 'resolved' || incident.status === 'completed') && !incident.resolved_at) incident.resolved_at = now;
    const affected: FakeIncidentUpdate['affected_components'] = [];
    for (const [cid, status] of Object.entries(i.components ?? {})) {
      const c = this.components.get(cid)!;
      if (c.status !== status) affected.push({ code: cid, name: c.name, new_status: status });
      c.status = status;
      c.updated_at = now;
    }
    const ids = new Set([...(i.component_ids ?? incident.component_ids), ...Object.keys(i.components ?? {})]);
    incident.component_ids = [...ids];
    const scheduled = incident.scheduled_for !== null;
    incident.impact = impactOf(incident.component_ids.map((c) => this.components.get(c)!.status), scheduled);
    if (created || i.status !== undefined || i.body !== undefined || affected.length) {
      incident.incident_updates.unshift({ id: id(), incident_id: incident.id, status: incident.status, body: i.body ?? '', created_at: now, display_at: now, deliver_notifications: i.deliver_notifications ?? true, affected_components: affected });
    }
    return incident;
  }

  private render(i: FakeIncident): Record<string, unknown> {
    const { component_ids, ...rest } = i;
    return {
      ...rest,
      impact_override: null,
      postmortem_body: null,
      postmortem_published_at: null,
      scheduled_reminded_at: null,
      components: component_ids.map((c) => ({ ...this.components.get(c)! })),
    };
  }
}

export async function startFakeStatuspage(): Promise<FakeStatuspage> {
  return new FakeStatuspage().start();
}
