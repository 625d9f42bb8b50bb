import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { TaskQueue } from '../outbox/queue.js';
import { enqueueTask } from '../outbox/tasks.js';
import { activeLinks } from '../servicenow/links.js';
import { ServiceNowTask } from '../servicenow/outbound.js';
import { constantTimeEqual } from '../signals/auth.js';
import { jsonBody, readBody } from './body.js';
import type { Metrics } from './metrics.js';
import type { Route } from './router.js';

/** A Business Rule's notice is a few fields; anything bigger is not one. */
const MAX_BODY_BYTES = 16 * 1024;
const SOURCE = 'servicenow';

/**
 * What a Business Rule on `incident` sends after an update: the record's sys_id (and, optionally, the
 * table it belongs to). Other fields (number, sys_updated_on, …) are accepted and not needed: the
 * record is read back through the Table API, as the poll reads it.
 */
export const servicenowPushSchema = z.object({
  sys_id: z.string().regex(/^[0-9a-f]{32}$/, 'must be the record sys_id (32 hexadecimal characters)'),
  table: z.string().trim().min(1).max(80).optional(),
});

export interface ServiceNowWebhookDeps {
  /** SERVICENOW_WEBHOOK_SECRET; without it the route answers 404. */
  secret?: string;
  isShuttingDown: () => boolean;
  db: Db;
  tasks: TaskQueue;
  /** Where refused bodies are kept (webhook_rejections, with the other webhooks'). */
  rejections: { recordRejection(source: string, reason: string, contentType: string | null, body: string): Promise<string> };
  metrics: Metrics;
  logger: Logger;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** The shared secret, from `Authorization: Bearer …` or the query string's `secret` (for senders that cannot set headers). */
function givenSecret(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get('secret') ?? undefined;
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}

/**
 * `POST /webhooks/servicenow`: a Business Rule's notice that an incident record changed. The record
 * is read back now (the `servicenow.poll` task, one pending per record) instead of at the next
 * scheduled poll; reading back is never done twice at once (poll-lease.ts), so what the notice and
 * the schedule both see is carried over once.
 */
export function servicenowWebhookRoute(deps: ServiceNowWebhookDeps): Route {
  const { logger, metrics } = deps;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const done = (status: number, body: unknown, headers?: Record<string, string>) => {
      metrics.webhook(SOURCE, status);
      send(res, status, body, headers);
    };
    if (deps.isShuttingDown()) {
      req.resume();
      return done(503, { error: 'shutting down; retry shortly' });
    }
    if (!deps.secret) {
      req.resume();
      return done(404, { error: 'the ServiceNow webhook is not configured (set SERVICENOW_WEBHOOK_SECRET)' });
    }
    const given = givenSecret(req);
    if (!given || !constantTimeEqual(given, deps.secret)) {
      req.resume();
      logger.warn({ remote: req.socket.remoteAddress }, 'ServiceNow webhook refused: missing or wrong secret');
      return done(401, { error: 'missing or wrong secret (Authorization: Bearer …, or ?secret=…)' }, { 'www-authenticate': 'Bearer realm="servicenow"' });
    }
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === 'too_large') return done(413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
    const contentType = req.headers['content-type'] ?? null;
    const reject = async (reason: string) => {
      const id = await deps.rejections.recordRejection(SOURCE, reason, contentType, raw.toString('utf8'));
      logger.warn({ rejection: id, reason }, 'ServiceNow webhook payload rejected');
      done(400, { error: reason, rejection_id: id });
    };
    const read = jsonBody(raw, contentType);
    if (!read.ok) return reject(read.reason);
    const parsed = servicenowPushSchema.safeParse(read.json);
    if (!parsed.success) return reject(`not a ServiceNow record notice: ${describe(parsed.error)}`);
    const { sys_id: sysId, table } = parsed.data;
    if (table && table !== 'incident') return done(200, { status: 'ignored', reason: `records of ${table} are not read back` });
    const link = (await activeLinks(deps.db)).find((l) => l.sysId === sysId);
    if (!link) return done(200, { status: 'ignored', reason: 'not the record of an open incident' });
    await enqueueTask(deps.db, { kind: ServiceNowTask.poll, incidentId: null, payload: { sysId }, dedupeKey: `servicenow.poll:${sysId}` });
    deps.tasks.kick();
    done(202, { status: 'accepted', number: link.number });
  };
  return {
    path: '/webhooks/servicenow',
    method: ['POST'],
    handler: (req, res) => {
      handle(req, res).catch((err) => {
        logger.error({ err, component: 'webhooks' }, 'ServiceNow webhook failed');
        send(res, 503, { error: 'could not take the notice; retry later' });
      });
    },
  };
}
