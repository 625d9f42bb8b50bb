/**
 * Webhook deliveries as the tools send them (shapes from their documentation), a signed/authorised
 * POST helper, and a tiny fake of PagerDuty's Events API v2.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { policySchema, type Policy } from '../../src/policy/schema.js';
import type { TestApp } from './app.js';

export const TOKENS = {
  alertmanager: 'am-token-5f0c2e7d9a1b4c3e',
  grafana: 'grafana-token-8d2a6b1c9e0f',
  pagerduty: 'pd-signing-secret-1b2c3d4e5f60',
  siem: 'siem-token-a9b8c7d6e5f4',
};

/** The env that gives each test source its secret. */
export const WEBHOOK_ENV = {
  WEBHOOK_SECRET_ALERTMANAGER: TOKENS.alertmanager,
  WEBHOOK_SECRET_GRAFANA: TOKENS.grafana,
  WEBHOOK_SECRET_PAGERDUTY: TOKENS.pagerduty,
  WEBHOOK_SECRET_SIEM: TOKENS.siem,
};

/** A full policy (parsed, defaults filled) with the four sources configured and anything else given. */
export function policyWith(raw: Record<string, any>): Policy {
  return policySchema.parse({
    ...raw,
    signals: { sources: { alertmanager: { type: 'alertmanager' }, grafana: { type: 'grafana' }, pagerduty: { type: 'pagerduty' }, siem: { type: 'generic' }, nosecret: { type: 'generic' } }, ...raw.signals },
  });
}

export interface WebhookResponse {
  status: number;
  body: any;
}

/** POSTs a body to /webhooks/<source>; by default with the source's bearer token (or PagerDuty's signature). */
export async function postWebhook(t: TestApp, source: string, body: unknown, opts: { headers?: Record<string, string>; auth?: false; raw?: string } = {}): Promise<WebhookResponse> {
  const text = opts.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.auth !== false) {
    if (source === 'pagerduty') headers['x-pagerduty-signature'] = `v1=${createHmac('sha256', TOKENS.pagerduty).update(text).digest('hex')}`;
    else headers.authorization = `Bearer ${TOKENS[source as keyof typeof TOKENS] ?? 'none'}`;
  }
  const res = await fetch(`${t.url}/webhooks/${source}`, { method: 'POST', headers: { ...headers, ...opts.headers }, body: text });
  const out = await res.text();
  let parsed: any = out;
  try {
    parsed = JSON.parse(out);
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}

/** Alertmanager webhook v4: one notification for one alert group. */
export function alertmanagerGroup(o: {
  groupKey: string;
  alertname: string;
  status?: 'firing' | 'resolved';
  severity?: string;
  service?: string;
  instances: string[];
  resolved?: string[];
}): Record<string, any> {
  const alerts = o.instances.map((instance, i) => {
    const resolved = o.status === 'resolved' || o.resolved?.includes(instance);
    return {
      status: resolved ? 'resolved' : 'firing',
      labels: { alertname: o.alertname, instance, job: 'api', severity: o.severity ?? 'critical', ...(o.service ? { service: o.service } : {}) },
      annotations: { summary: `${o.alertname} on ${instance}`, description: `Error rate above 5% on ${instance} for 5 minutes.` },
      startsAt: '2026-11-26T08:52:26.739Z',
      endsAt: resolved ? '2026-11-26T09:10:00.000Z' : '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.example.org:9090/graph?g0.expr=job%3Aerrors%3Arate5m&i=${i}`,
      fingerprint: `${o.groupKey.replace(/\W/g, '').slice(-6)}${String(i).padStart(10, '0')}`.slice(-16),
    };
  });
  const allResolved = alerts.every((a) => a.status === 'resolved');
  return {
    receiver: 'incident-officer',
    status: allResolved ? 'resolved' : 'firing',
    alerts,
    groupLabels: { alertname: o.alertname },
    commonLabels: { alertname: o.alertname, job: 'api', severity: o.severity ?? 'critical', ...(o.service ? { service: o.service } : {}) },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.org:9093',
    version: '4',
    groupKey: o.groupKey,
    truncatedAlerts: 0,
  };
}

/** Grafana alerting's webhook body, as in its documentation. */
export function grafanaBody(status: 'firing' | 'resolved' = 'firing'): Record<string, any> {
  return {
    receiver: 'My Super Webhook',
    status,
    orgId: 1,
    alerts: [
      {
        status,
        labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
        annotations: { description: 'The system has high memory usage', runbook_url: 'https://myrunbook.com/runbook/1234', summary: 'This alert was triggered for zone us-1' },
        startsAt: '2021-10-12T09:51:03.157076+02:00',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'https://play.grafana.org/alerting/1afz29v7z/edit',
        fingerprint: 'c6eadffa33fcdf37',
        silenceURL: 'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1',
        dashboardURL: '',
        panelURL: '',
        values: { B: 44.23943737541908, C: 1 },
      },
    ],
    groupLabels: {},
    commonLabels: { team: 'blue' },
    commonAnnotations: {},
    externalURL: 'https://play.grafana.org/',
    version: '1',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    title: '[FIRING:1] (blue)',
    state: 'alerting',
    message: '**Firing**\n\nLabels:\n - alertname = High memory usage\n - team = blue\n - zone = us-1\n',
  };
}

/** A PagerDuty V3 webhook event for an incident, as in PagerDuty's webhook documentation. */
export function pagerdutyEvent(eventType: 'incident.triggered' | 'incident.acknowledged' | 'incident.resolved', status: 'triggered' | 'acknowledged' | 'resolved'): Record<string, any> {
  return {
    event: {
      id: `5ac64822-4adc-4fda-ade0-${Math.random().toString(16).slice(2, 14)}`,
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: '2026-11-26T09:00:00.000Z',
      agent: { html_url: 'https://acme.pagerduty.com/users/PLH1HKV', id: 'PLH1HKV', self: 'https://api.pagerduty.com/users/PLH1HKV', summary: 'Tenex Engineer', type: 'user_reference' },
      client: { name: 'PagerDuty' },
      data: {
        id: 'PGR0VU2',
        type: 'incident',
        self: 'https://api.pagerduty.com/incidents/PGR0VU2',
        html_url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
        number: 2,
        status,
        incident_key: 'd3640fbd41094207a1c11e58e46b1662',
        created_at: '2026-11-26T08:58:27Z',
        title: 'A little bump in the road',
        service: { html_url: 'https://acme.pagerduty.com/services/PF9KMXH', id: 'PF9KMXH', self: 'https://api.pagerduty.com/services/PF9KMXH', summary: 'API Service', type: 'service_reference' },
        assignees: [{ html_url: 'https://acme.pagerduty.com/users/PTUXL6G', id: 'PTUXL6G', self: 'https://api.pagerduty.com/users/PTUXL6G', summary: 'User 123', type: 'user_reference' }],
        escalation_policy: { html_url: 'https://acme.pagerduty.com/escalation_policies/PUS0KTE', id: 'PUS0KTE', self: 'https://api.pagerduty.com/escalation_policies/PUS0KTE', summary: 'Default', type: 'escalation_policy_reference' },
        teams: [{ html_url: 'https://acme.pagerduty.com/teams/PFCVPS0', id: 'PFCVPS0', self: 'https://api.pagerduty.com/teams/PFCVPS0', summary: 'Engineering', type: 'team_reference' }],
        priority: { html_url: 'https://acme.pagerduty.com/account/incident_priorities', id: 'PSO75BM', self: 'https://api.pagerduty.com/priorities/PSO75BM', summary: 'P1', type: 'priority_reference' },
        urgency: 'high',
        conference_bridge: { conference_number: '+1 1234123412,,987654321#', conference_url: 'https://example.com' },
        resolve_reason: null,
      },
    },
  };
}

/** A fake PagerDuty Events API v2: records events, answers 202, or fails as told. */
export class FakePagerDuty {
  events: any[] = [];
  attempts = 0;
  private failures: number[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakePagerDuty> {
    let fake: FakePagerDuty | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => fake!.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    fake = new FakePagerDuty(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/enqueue`);
    return fake;
  }

  /** The next calls answer these HTTP statuses, in order. */
  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    this.attempts++;
    const fail = this.failures.shift();
    if (fail) {
      res.writeHead(fail, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', message: 'injected failure' }));
      return;
    }
    let event: any;
    try {
      event = JSON.parse(body);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'invalid event', message: 'Event object is invalid' }));
      return;
    }
    const errors: string[] = [];
    if (req.url !== '/v2/enqueue' || req.headers['content-type'] !== 'application/json') errors.push('wrong path or content type');
    if (typeof event.routing_key !== 'string' || !event.routing_key) errors.push("'routing_key' is missing");
    if (!['trigger', 'acknowledge', 'resolve'].includes(event.event_action)) errors.push("'event_action' is invalid");
    if (event.event_action === 'trigger') {
      for (const f of ['summary', 'source', 'severity']) if (!event.payload?.[f]) errors.push(`'payload.${f}' is missing`);
      if (event.payload && !['critical', 'error', 'warning', 'info'].includes(event.payload.severity)) errors.push("'payload.severity' is invalid");
    } else if (!event.dedup_key) errors.push("'dedup_key' is missing");
    if (errors.length) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors }));
      return;
    }
    this.events.push(event);
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
