/**
 * What every connector's HTTP calls to an outside system (ServiceNow, Jira, Statuspage) share: which
 * base URLs are acceptable, and how long a `Retry-After` asks to wait. A leaf module: the policy
 * schemas and the connectors' clients both use it.
 */
import { z } from 'zod';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or plain http on a loopback host (a test's fake of the service). */
export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

/** A policy key holding a connector's base URL: trimmed, a URL, https (or http on loopback). */
export function connectorUrl(example: string) {
  return z
    .string()
    .trim()
    .pipe(z.url({ error: `must be a URL such as ${example}` }))
    .refine((u) => isSecureOrLoopback(new URL(u)), 'must be https (plain http only on loopback, for tests)');
}

/** Refuses to build a client for a base URL the policy would have refused. */
export function requireSecureOrLoopback(url: URL, key: string): void {
  if (!isSecureOrLoopback(url)) throw new Error(`${key} must be https (plain http only on loopback)`);
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
