/**
 * `POST /webhooks/jira`: authenticated by JIRA_WEBHOOK_SECRET, given either as `?secret=` (Jira
 * Cloud's admin webhooks cannot set headers) or as `X-Hub-Signature: sha256=<HMAC of the body>`,
 * compared in constant time. 401 without either, 400 for a body that is not Jira's shape: both kept
 * in webhook_rejections and nothing changed. 503 while stopping or without a secret (Jira delivers again once it is set).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonBody, readBody } from '../http/body.js';
import type { Metrics } from '../http/metrics.js';
import type { Route } from '../http/router.js';
import type { Logger } from '../logger.js';
import { constantTimeEqual, hmacHex } from '../signals/auth.js';
import { handleJiraWebhook, jiraWebhookSchema, type JiraInboundDeps } from './inbound.js';

export interface JiraWebhookDeps {
  secret: string | undefined;
  inbound: JiraInboundDeps;
  maxBodyBytes: number;
  isShuttingDown: () => boolean;
  recordRejection: (reason: string, contentType: string | null, body: string) => Promise<string>;
  metrics: Metrics;
  logger: Logger;
}

const SOURCE = 'jira';

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The secret in the query string, or a matching `X-Hub-Signature` (Jira's `sha256=<hex>`). */
export function jiraAuthenticated(secret: string, url: URL, headers: IncomingMessage['headers'], body: Buffer): boolean {
  const given = url.searchParams.get('secret');
  if (given !== null && constantTimeEqual(given, secret)) return true;
  const raw = headers['x-hub-signature'];
  const signature = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  const m = /^sha256=([0-9a-f]{64})$/i.exec(signature);
  return m !== null && constantTimeEqual(m[1].toLowerCase(), hmacHex(secret, body));
}

export function jiraWebhookRoute(deps: JiraWebhookDeps): Route {
  const log = deps.logger.child({ component: 'webhooks', source: SOURCE });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const done = (status: number, body: Record<string, unknown>) => {
      deps.metrics.webhook(SOURCE, status);
      reply(res, status, body);
    };
    if (deps.isShuttingDown()) {
      req.resume();
      return done(503, { error: 'shutting down; retry shortly' });
    }
    if (!deps.secret) {
      req.resume();
      return done(503, { error: 'the Jira webhook has no secret configured (set JIRA_WEBHOOK_SECRET)' });
    }
    const body = await readBody(req, deps.maxBodyBytes);
    if (body === 'too_large') return done(413, { error: `body larger than ${Math.round(deps.maxBodyBytes / 1024)} KB` });
    const contentType = req.headers['content-type'] ?? null;
    const reject = async (status: 400 | 401, reason: string) => {
      // An unauthenticated body is kept short: it is evidence, not data.
      const id = await deps.recordRejection(reason, contentType, body.toString('utf8').slice(0, status === 401 ? 2000 : undefined));
      log.warn({ rejection: id, reason, remote: req.socket.remoteAddress }, 'Jira webhook rejected');
      done(status, { error: reason, rejection_id: id });
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!jiraAuthenticated(deps.secret, url, req.headers, body)) return reject(401, 'missing or wrong secret (give ?secret=… or X-Hub-Signature: sha256=…)');
    // Cleaned of what PostgreSQL cannot store (NUL, lone surrogates), which Jira would otherwise deliver again for ever.
    const read = jsonBody(body, contentType);
    if (!read.ok) return reject(400, read.reason);
    const parsed = jiraWebhookSchema.safeParse(read.json);
    if (!parsed.success) return reject(400, `not a Jira webhook payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ').slice(0, 300)}`);
    const outcome = await handleJiraWebhook(deps.inbound, parsed.data);
    done(200, outcome);
  };
  return {
    path: '/webhooks/jira',
    method: ['POST'],
    handler: (req, res) => {
      handle(req, res).catch((err) => {
        log.error({ err }, 'Jira webhook delivery failed');
        // 5xx: Jira delivers again later.
        reply(res, 503, { error: 'could not handle the delivery; retry later' });
      });
    },
  };
}
