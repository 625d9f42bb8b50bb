import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { changeWebhookRoute, type ChangeWebhookDeps } from './change-webhook.js';
import type { Metrics } from './metrics.js';

export interface HealthChecks {
  /** Database reachable and migrations applied. */
  ready: () => Promise<{ ok: boolean; detail: string }>;
  isShuttingDown: () => boolean;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Health, readiness and metrics routes, the change webhook, plus feature routes (alert webhooks), served beside /slack/events on the same port. */
export function httpRoutes(checks: HealthChecks, metrics: Metrics, changes: ChangeWebhookDeps, extra: CustomRoute[] = []): CustomRoute[] {
  return [
    {
      path: '/healthz',
      method: ['GET', 'HEAD'],
      handler: (_req: IncomingMessage, res: ServerResponse) => json(res, 200, { status: 'ok' }),
    },
    {
      path: '/readyz',
      method: ['GET', 'HEAD'],
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
        if (checks.isShuttingDown()) return json(res, 503, { status: 'shutting down' });
        const r = await checks.ready().catch((err: Error) => ({ ok: false, detail: err.message }));
        json(res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not ready', detail: r.detail });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
        const body = await metrics.render();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(body);
      },
    },
    // Before /webhooks/:source (in `extra`), which would otherwise match it.
    changeWebhookRoute(changes),
    ...extra,
  ];
}
