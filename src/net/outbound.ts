/**
 * What every connector's HTTP calls to an outside system (ServiceNow, Jira, Statuspage) share: which
 * base URLs are acceptable, how long a `Retry-After` asks to wait, and how a call is tried again. A
 * leaf module: the policy schemas and the connectors' clients both use it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
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

/** A failed call, as far as trying it again goes. */
export interface CallFailure {
  status: number | null;
  retryable: boolean;
  /** How long the service asked to wait (`Retry-After`). */
  retryAfterMs: number | null;
}

export interface RetryOptions {
  /** Retries after the first attempt for retryable failures; 3 by default. */
  retries?: number;
  /** First backoff step, doubled each retry; 500 ms by default. */
  backoffMs?: number;
  /** The longest wait between attempts; a longer `Retry-After` is the caller's to honour. 60 s by default. */
  maxWaitMs?: number;
}

/**
 * Runs `attempt` until it succeeds, retrying the service's retryable failures with backoff (or its
 * `Retry-After`, when no longer than `maxWaitMs`). `failure` reads a thrown error as the service's
 * (null: not a call failure, thrown as is). `once`: a write that must not be made twice, tried again
 * only after a 429, which a service answers before doing anything. `repair`: a failure the caller can
 * fix before one more try that does not count (an expired token), at most once.
 */
export async function withRetries<T, E extends CallFailure>(
  attempt: () => Promise<T>,
  o: RetryOptions & {
    failure: (e: unknown) => E | null;
    signal?: AbortSignal;
    once?: boolean;
    repair?: (failure: E) => boolean;
    onRetry?: (failure: E, attempt: number, waitMs: number) => void;
  },
): Promise<T> {
  const retries = o.retries ?? 3;
  const backoff = o.backoffMs ?? 500;
  const maxWait = o.maxWaitMs ?? 60_000;
  let repaired = false;
  for (let n = 0; ; n++) {
    let failure: E | null;
    try {
      return await attempt();
    } catch (e) {
      failure = o.failure(e);
      if (!failure) throw e;
    }
    if (!repaired && o.repair?.(failure)) {
      repaired = true;
      n--;
      continue;
    }
    if (!failure.retryable || n >= retries || (o.once && failure.status !== 429)) throw failure;
    const wait = failure.retryAfterMs ?? Math.min(maxWait, backoff * 2 ** n);
    if (wait > maxWait) throw failure;
    o.onRetry?.(failure, n + 1, wait);
    await sleep(wait, undefined, { signal: o.signal });
  }
}
