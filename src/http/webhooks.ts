import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { authenticate, type SourceAuth } from '../signals/auth.js';
import type { SignalService } from '../signals/service.js';
import { parseDelivery, PayloadError } from '../signals/sources.js';
import { jsonBody, readBody } from './body.js';
import type { Metrics } from './metrics.js';
import type { Route } from './router.js';

export interface WebhookDeps {
  sources: Map<string, SourceAuth>;
  signals: SignalService;
  maxBodyBytes: number;
  isShuttingDown: () => boolean;
  logger: Logger;
  metrics: Metrics;
  envName: (source: string) => string;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * `POST /webhooks/<source>`: authenticates the delivery (token or HMAC, in constant time), validates
 * it, stores its alerts as signals and answers 200; 401/400/404/413/503 with a JSON reason otherwise.
 * A malformed payload, or one the database cannot store, is kept in webhook_rejections and answered
 * 400, so the sender does not retry it for ever.
 */
export function webhookRoute(deps: WebhookDeps): Route {
  const { logger, metrics } = deps;
  const handle = async (req: IncomingMessage & { params?: Record<string, string | string[]> }, res: ServerResponse) => {
    const name = String(req.params?.source ?? '').slice(0, 64);
    const log = logger.child({ component: 'webhooks', source: name });
    const done = (status: number, body: Record<string, unknown>) => {
      metrics.webhook(deps.sources.has(name) ? name : 'unknown', status);
      reply(res, status, body);
    };
    if (deps.isShuttingDown()) {
      req.resume();
      return done(503, { error: 'shutting down; retry shortly' });
    }
    const source = deps.sources.get(name);
    if (!source) {
      req.resume();
      return done(404, { error: `no webhook source named "${name.slice(0, 40)}" is configured` });
    }
    if (!source.secret) {
      req.resume();
      log.warn('webhook source has no secret; refusing deliveries');
      return done(503, { error: `webhook source "${name}" has no secret configured (set ${deps.envName(name)})` });
    }
    const body = await readBody(req, deps.maxBodyBytes);
    if (body === 'too_large') {
      log.warn({ limit: deps.maxBodyBytes }, 'webhook body too large');
      return done(413, { error: `body larger than ${Math.round(deps.maxBodyBytes / 1024)} KB` });
    }
    if (!authenticate({ ...source, secret: source.secret }, req.headers, body)) {
      log.warn({ remote: req.socket.remoteAddress }, 'webhook refused: missing or wrong credentials');
      return done(401, { error: source.auth === 'bearer' ? 'missing or wrong bearer token' : 'missing or invalid signature' });
    }
    const contentType = req.headers['content-type'] ?? null;
    const reject = async (reason: string) => {
      const id = await deps.signals.recordRejection(name, reason, contentType, body.toString('utf8'));
      log.warn({ rejection: id, reason }, 'webhook payload rejected');
      done(400, { error: reason, rejection_id: id });
    };
    // JSON may carry what PostgreSQL cannot store: cleaned here, once, for every source.
    const read = jsonBody(body, contentType);
    if (!read.ok) return reject(read.reason);
    let parsed;
    try {
      parsed = parseDelivery(source.type, read.json);
    } catch (err) {
      if (err instanceof PayloadError) return reject(`not a valid ${source.type} payload: ${err.message}`);
      throw err;
    }
    if (parsed.kind === 'ignored') return done(200, { status: 'ignored', reason: parsed.reason });
    const { refused, ...result } = await deps.signals.ingest(name, parsed.batches);
    // Data the database refuses would be refused again on every retry: say so (4xx) and keep the body.
    if (refused.length) {
      const others = result.groups ? `; the other ${result.groups} group${result.groups === 1 ? ' was' : 's were'} stored` : '';
      return reject(`the database cannot store ${refused.length === 1 ? 'this alert group' : `${refused.length} alert groups`}: ${refused[0].reason.slice(0, 300)}${others}`);
    }
    done(200, { status: 'accepted', ...result });
  };
  return {
    path: '/webhooks/:source',
    method: ['POST'],
    handler: (req, res) => {
      handle(req, res).catch((err) => {
        logger.error({ err, component: 'webhooks' }, 'webhook delivery failed');
        // 503 tells Alertmanager, Grafana and PagerDuty to deliver again later.
        reply(res, 503, { error: 'could not store the delivery; retry later' });
      });
    },
  };
}
