import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskRunOutcome } from '../jobs/task-runner.js';

/** The outbox's due work per lane (`slack`, `integration:<subscriber>`), as read at scrape time. */
export type OutboxBacklog = { lane: string; due: number; oldestDueSeconds: number }[];

export interface MetricsOptions {
  /** Reads the outbox backlog (a cheap indexed query); without it the outbox gauges are not exported. */
  outboxBacklog?: () => Promise<OutboxBacklog>;
  /** A scrape reports the database as down rather than wait longer than this for the backlog. */
  backlogTimeoutMs?: number;
}

/** Slack Web API methods are the last path segment of `<base>/api/<family>.<method>`. */
const API_METHOD = /\/api\/([A-Za-z]+(?:\.[A-Za-z0-9]+)+)$/;
/** Slack's error codes are snake_case; anything else is not used as a label value. */
const ERROR_CODE = /^[a-z0-9_]{1,64}$/;

/**
 * Prometheus metrics: process defaults, Slack requests and ack latency, outbox task runs, Slack Web
 * API calls by method and outcome, webhook deliveries, and the outbox backlog (read when scraped).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'handler' | 'outcome'>;
  private readonly ackSeconds: Histogram<'handler'>;
  private readonly tasks: Counter<'kind' | 'outcome'>;
  private readonly deliveries: Counter<'subscriber' | 'outcome'>;
  private readonly webhooks: Counter<'source' | 'status'>;
  private readonly apiCalls: Counter<'method' | 'outcome'>;
  private readonly servicenowPolls: Counter<'outcome'>;
  private backlogQuery?: Promise<OutboxBacklog>;
  private backlogScrape?: Promise<OutboxBacklog | undefined>;

  constructor(private readonly opts: MetricsOptions = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'incident_officer_' });
    this.requests = new Counter({
      name: 'incident_officer_slack_requests_total',
      help: 'Slack requests handled, by handler and outcome',
      labelNames: ['handler', 'outcome'],
      registers: [this.registry],
    });
    this.ackSeconds = new Histogram({
      name: 'incident_officer_slack_ack_seconds',
      help: 'Time from receiving a Slack request to acknowledging it',
      labelNames: ['handler'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
      registers: [this.registry],
    });
    this.tasks = new Counter({
      name: 'incident_officer_slack_tasks_total',
      help: 'Outbox task runs, by kind and outcome (ok, retry: will run again, failed: given up)',
      labelNames: ['kind', 'outcome'],
      registers: [this.registry],
    });
    this.deliveries = new Counter({
      name: 'incident_officer_integration_deliveries_total',
      help: 'Integration events handed to a subscriber (connector), by subscriber and outcome (ok, retry: will run again, failed: given up)',
      labelNames: ['subscriber', 'outcome'],
      registers: [this.registry],
    });
    this.apiCalls = new Counter({
      name: 'incident_officer_slack_api_calls_total',
      help: 'Slack Web API requests (each retry counts), by method and outcome: ok, rate_limited, the Slack error code, http_<status> or network_error',
      labelNames: ['method', 'outcome'],
      registers: [this.registry],
    });
    this.webhooks = new Counter({
      name: 'incident_officer_webhook_requests_total',
      help: 'Webhook deliveries, by configured source and HTTP status answered',
      labelNames: ['source', 'status'],
      registers: [this.registry],
    });
    this.servicenowPolls = new Counter({
      name: 'incident_officer_servicenow_polls_total',
      help: 'Runs of the ServiceNow read-back poll, by outcome: ok, or error (the instance could not be read)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    if (opts.outboxBacklog) this.registerBacklog();
  }

  webhook(source: string, status: number): void {
    this.webhooks.inc({ source, status: String(status) });
  }

  request(handler: string, outcome: 'ok' | 'error' | 'rejected'): void {
    this.requests.inc({ handler, outcome });
  }

  acked(handler: string, seconds: number): void {
    this.ackSeconds.observe({ handler }, seconds);
  }

  task(kind: string, outcome: TaskRunOutcome): void {
    this.tasks.inc({ kind, outcome });
  }

  servicenowPoll(outcome: 'ok' | 'error'): void {
    this.servicenowPolls.inc({ outcome });
  }

  delivery(subscriber: string, outcome: TaskRunOutcome): void {
    this.deliveries.inc({ subscriber, outcome });
  }

  /**
   * A fetch for the Slack Web API client that counts every request by method and outcome (a 429 is
   * `rate_limited`, whether the client then waits and retries or not). Other URLs pass uncounted.
   */
  instrumentFetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
    return async (input, init) => {
      const method = apiMethodOf(input);
      if (!method) return inner(input, init);
      let res: Response;
      try {
        res = await inner(input, init);
      } catch (err) {
        this.apiCalls.inc({ method, outcome: 'network_error' });
        throw err;
      }
      this.apiCalls.inc({ method, outcome: await outcomeOf(res) });
      return res;
    };
  }

  /** Slack requests being handled right now (after their ack too). */
  inflight = 0;

  /** Resolves once no Slack request is being handled (for graceful shutdown and tests). */
  async idle(): Promise<void> {
    while (this.inflight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  private registerBacklog(): void {
    const metrics = this;
    new Gauge({
      name: 'incident_officer_database_up',
      help: '1 when the database answered this scrape\'s outbox query in time, else 0 (the outbox gauges are then left out)',
      registers: [this.registry],
      async collect() {
        this.set((await metrics.backlog()) ? 1 : 0);
      },
    });
    // Per lane: a connector that is down fills its own lane, which must not read as a stuck Slack outbox.
    const gauge = (name: string, help: string, value: (lane: OutboxBacklog[number]) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['lane'],
        registers: [this.registry],
        async collect() {
          const b = await metrics.backlog();
          this.reset();
          for (const lane of b ?? []) this.set({ lane: lane.lane }, value(lane));
        },
      });
    gauge('incident_officer_outbox_tasks_due', 'Outbox tasks whose time has come and that are not done, including those running, per lane (slack, integration:<subscriber>)', (l) => l.due);
    gauge('incident_officer_outbox_oldest_due_seconds', 'How long the oldest due outbox task of a lane has been waiting; 0 when none is due', (l) => l.oldestDueSeconds);
  }

  /**
   * The backlog for this scrape: one query shared by the gauges, and never more than one running
   * (a stalled database does not get a new query per scrape); undefined when it fails or is slow.
   */
  private backlog(): Promise<OutboxBacklog | undefined> {
    this.backlogScrape ??= (async () => {
      if (!this.backlogQuery) {
        const query = this.opts.outboxBacklog!();
        this.backlogQuery = query;
        query.then(
          () => (this.backlogQuery = undefined),
          () => (this.backlogQuery = undefined),
        );
      }
      try {
        return await withTimeout(this.backlogQuery, this.opts.backlogTimeoutMs ?? 2_000);
      } catch {
        return undefined;
      }
    })().finally(() => (this.backlogScrape = undefined));
    return this.backlogScrape;
  }
}

function apiMethodOf(input: string | URL | Request): string | undefined {
  try {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : new URL(input.url);
    return API_METHOD.exec(url.pathname)?.[1];
  } catch {
    return undefined;
  }
}

async function outcomeOf(res: Response): Promise<string> {
  if (res.status === 429) return 'rate_limited';
  if (res.status !== 200) return `http_${res.status}`;
  if (!res.headers.get('content-type')?.includes('json')) return 'ok';
  try {
    const body = (await res.clone().json()) as { ok?: boolean; error?: unknown };
    if (body.ok !== false) return 'ok';
    return typeof body.error === 'string' && ERROR_CODE.test(body.error) ? body.error : 'error';
  } catch {
    return 'invalid_response';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
