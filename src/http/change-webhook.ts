import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { changeRef } from '../changes/change.js';
import type { ChangeService } from '../changes/service.js';
import { isUnstorable, storableJson } from '../db/storable.js';
import { DomainError } from '../incidents/errors.js';
import type { Logger } from '../logger.js';
import { readBody } from './body.js';
import type { Route } from './router.js';

/** Deployments are small JSON documents; anything bigger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * A deployment as CI/CD reports it. Unknown fields are ignored, so pipelines can send what they
 * already have (commit, branch, …) without breaking.
 */
export const deploymentSchema = z
  .object({
    /** The pipeline's own id for this deployment: a redelivery is recorded once. */
    id: z.string().trim().min(1).max(200),
    service: z.string().trim().min(1).max(100).optional(),
    services: z.array(z.string().trim().min(1).max(100)).min(1).max(20).optional(),
    title: z.string().trim().min(1).max(150).optional(),
    description: z.string().max(3000).optional(),
    version: z.string().trim().max(100).optional(),
    environment: z.string().trim().max(50).optional(),
    deployed_at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-26T14:02:00Z' }).optional(),
    deployed_by: z.string().trim().max(100).optional(),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) link' }).max(2000).optional(),
  })
  .refine((d) => d.service || d.services?.length, { message: 'name the deployed service in "service" (or a list in "services")', path: ['service'] });

export interface ChangeWebhookDeps {
  /** WEBHOOK_SECRET_CHANGES; without it the route answers 404. */
  secret?: string;
  changes: ChangeService;
  logger: Logger;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** Compares tokens in constant time (hashing first makes the lengths equal). */
function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}

/** `POST /webhooks/changes`: deployments from CI/CD, authenticated with a bearer token. */
export function changeWebhookRoute(deps: ChangeWebhookDeps): Route {
  return {
    path: '/webhooks/changes',
    method: ['POST'],
    handler: async (req: IncomingMessage, res: ServerResponse) => {
      if (!deps.secret) {
        req.resume();
        return send(res, 404, { error: 'the changes webhook is not configured (set WEBHOOK_SECRET_CHANGES)' });
      }
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
      if (!token || !tokenMatches(token, deps.secret)) {
        req.resume();
        return send(res, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer realm="changes"' });
      }
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        req.resume();
        return send(res, 415, { error: 'send JSON (content-type: application/json)' });
      }
      const raw = await readBody(req, MAX_BODY_BYTES);
      if (raw === 'too_large') return send(res, 413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
      let json: unknown;
      try {
        json = storableJson(JSON.parse(raw.toString('utf8')));
      } catch {
        return send(res, 400, { error: 'the body is not valid JSON' });
      }
      const parsed = deploymentSchema.safeParse(json);
      if (!parsed.success) return send(res, 400, { error: describe(parsed.error) });
      const d = parsed.data;
      try {
        const result = await deps.changes.recordDeployment({
          externalId: d.id,
          services: [...(d.service ? [d.service] : []), ...(d.services ?? [])],
          title: d.title,
          description: d.description,
          version: d.version,
          environment: d.environment,
          deployedAt: d.deployed_at ? new Date(d.deployed_at) : undefined,
          deployedBy: d.deployed_by,
          url: d.url,
        });
        send(res, result.created ? 201 : 200, { id: changeRef(result.change), created: result.created, incidents_notified: result.incidentsTold });
      } catch (err) {
        if (err instanceof DomainError) return send(res, 400, { error: err.message });
        // Data the database refuses would be refused on every retry.
        if (isUnstorable(err)) return send(res, 400, { error: `the database cannot store this deployment: ${err.message.slice(0, 300)}` });
        deps.logger.error({ err }, 'recording a deployment failed');
        send(res, 500, { error: 'could not record the deployment; retry later' });
      }
    },
  };
}
