import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics: process defaults plus per-handler Slack request counts and ack latency. */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'handler' | 'outcome'>;
  private readonly ackSeconds: Histogram<'handler'>;
  private readonly tasks: Counter<'kind' | 'outcome'>;
  private readonly webhooks: Counter<'source' | 'status'>;

  constructor() {
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
      help: 'Outbox tasks run, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers: [this.registry],
    });
    this.webhooks = new Counter({
      name: 'incident_officer_webhook_requests_total',
      help: 'Webhook deliveries, by configured source and HTTP status answered',
      labelNames: ['source', 'status'],
      registers: [this.registry],
    });
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

  task(kind: string, outcome: 'ok' | 'retry' | 'failed'): void {
    this.tasks.inc({ kind, outcome });
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
}
