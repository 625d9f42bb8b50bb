import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from './metrics.js';
import { sendJson as json, type Route } from './router.js';

/** One condition for taking traffic, and why it does not hold. */
export interface Readiness {
  ok: boolean;
  detail: string;
}

export interface HealthChecks {
  /** What must hold for the process to take traffic, by name (database, Slack…). */
  ready: Record<string, () => Readiness | Promise<Readiness>>;
  isShuttingDown: () => boolean;
}

/** Health, readiness and metrics routes, served beside /slack/events and the features' routes (webhooks, dashboard) on the same port. */
export function httpRoutes(checks: HealthChecks, metrics: Metrics): Route[] {
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
        const results = await Promise.all(
          Object.entries(checks.ready).map(async ([name, check]) => [name, await Promise.resolve().then(check).catch((err: Error) => ({ ok: false, detail: `${name}: ${err.message}` }))] as const),
        );
        const reasons = results.filter(([, r]) => !r.ok).map(([, r]) => r.detail);
        json(res, reasons.length ? 503 : 200, {
          status: reasons.length ? 'not ready' : 'ready',
          detail: reasons.length ? reasons.join('; ') : results.map(([, r]) => r.detail).join('; '),
          reasons,
          checks: Object.fromEntries(results),
        });
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
  ];
}
