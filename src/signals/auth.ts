import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SourcePolicy, SourceType } from '../policy/signals-schema.js';

/** How a webhook source proves itself, with the secret it uses. */
export interface SourceAuth {
  name: string;
  type: SourceType;
  auth: 'bearer' | 'hmac';
  /** Undefined when neither the policy nor the environment gives one: the source then refuses deliveries. */
  secret?: string;
}

/** PagerDuty signs V3 webhooks, so it defaults to HMAC; the others default to a bearer token. */
export function resolveSources(sources: Record<string, SourcePolicy>, envSecrets: Record<string, string>, envName: (source: string) => string): Map<string, SourceAuth> {
  const out = new Map<string, SourceAuth>();
  for (const [name, s] of Object.entries(sources)) {
    out.set(name, { name, type: s.type, auth: s.auth ?? (s.type === 'pagerduty' ? 'hmac' : 'bearer'), secret: envSecrets[envName(name)] ?? s.secret });
  }
  return out;
}

/** Equal-length digests compared in constant time, so neither content nor length leaks through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `Authorization: Bearer <secret>`, or Basic auth whose password is the secret (Alertmanager and Grafana offer both). */
function bearerOk(headers: IncomingHttpHeaders, secret: string): boolean {
  const auth = header(headers, 'authorization')?.trim() ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(auth);
  if (bearer) return constantTimeEqual(bearer[1].trim(), secret);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && constantTimeEqual(decoded.slice(colon + 1), secret);
  }
  return false;
}

/** Hex HMAC-SHA256 of the raw body. */
export function hmacHex(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * PagerDuty: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]` (several during a secret rotation); others:
 * `X-Signature-256: sha256=<hex>`. Any matching signature is enough.
 */
function hmacOk(type: SourceType, headers: IncomingHttpHeaders, body: Buffer, secret: string): boolean {
  const expected = hmacHex(secret, body);
  if (type === 'pagerduty') {
    const sigs = (header(headers, 'x-pagerduty-signature') ?? '').split(',').map((s) => s.trim());
    let ok = false;
    for (const s of sigs) if (s.startsWith('v1=') && constantTimeEqual(s.slice(3).toLowerCase(), expected)) ok = true;
    return ok;
  }
  const sig = (header(headers, 'x-signature-256') ?? '').trim();
  return sig.startsWith('sha256=') && constantTimeEqual(sig.slice(7).toLowerCase(), expected);
}

/** True when the delivery carries the source's token or a valid signature of its body. */
export function authenticate(source: SourceAuth & { secret: string }, headers: IncomingHttpHeaders, body: Buffer): boolean {
  return source.auth === 'bearer' ? bearerOk(headers, source.secret) : hmacOk(source.type, headers, body, source.secret);
}
