import { promises as dns } from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '../policy/signals-schema.js';

/** The result of one run of a check. */
export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  /** Why it failed, in words. */
  error?: string;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** GET the URL, never following a redirect (so only the configured host is ever contacted). */
async function http(c: Extract<HealthCheck, { type: 'http' }>, started: number): Promise<CheckResult> {
  const res = await fetch(c.url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(c.timeout_ms), headers: { 'user-agent': 'incident-officer-healthcheck' } });
  await res.body?.cancel().catch(() => {});
  const latencyMs = Math.round(performance.now() - started);
  const okStatus = c.expect_status ? c.expect_status.includes(res.status) : res.status >= 200 && res.status < 400;
  if (!okStatus) return { ok: false, latencyMs, error: `HTTP ${res.status} from ${c.url}` };
  if (c.max_latency_ms && latencyMs > c.max_latency_ms) return { ok: false, latencyMs, error: `slow: ${latencyMs} ms (limit ${c.max_latency_ms} ms)` };
  return { ok: true, latencyMs };
}

function tcp(c: Extract<HealthCheck, { type: 'tcp' }>): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: c.host, port: c.port });
    socket.setTimeout(c.timeout_ms);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`TCP connect to ${c.host}:${c.port} timed out after ${c.timeout_ms} ms`));
    });
    socket.once('error', (err) => reject(new Error(`TCP connect to ${c.host}:${c.port} failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
  });
}

async function resolveName(c: Extract<HealthCheck, { type: 'dns' }>): Promise<void> {
  const q: Promise<unknown[] | unknown> =
    c.record === 'lookup' ? dns.lookup(c.hostname, { all: true })
    : c.record === 'A' ? dns.resolve4(c.hostname)
    : c.record === 'AAAA' ? dns.resolve6(c.hostname)
    : c.record === 'CNAME' ? dns.resolveCname(c.hostname)
    : c.record === 'MX' ? dns.resolveMx(c.hostname)
    : dns.resolveTxt(c.hostname);
  try {
    const answers = await withTimeout(q, c.timeout_ms, `resolving ${c.hostname}`);
    if (Array.isArray(answers) && answers.length === 0) throw new Error(`${c.hostname}: no ${c.record} records`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code ? `resolving ${c.hostname} (${c.record}) failed: ${code}` : (err as Error).message);
  }
}

/** Runs one configured check against its own target only. Never throws: a failure is a result. */
export async function runCheck(c: HealthCheck): Promise<CheckResult> {
  const started = performance.now();
  try {
    if (c.type === 'http') return await http(c, started);
    if (c.type === 'tcp') await tcp(c);
    else await resolveName(c);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' ? `timed out after ${c.timeout_ms} ms` : e.cause?.code ? `${e.message} (${e.cause.code})` : e.message;
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: reason };
  }
}

/** Where the check points, for labels and messages. */
export function targetOf(c: HealthCheck): string {
  return c.type === 'http' ? c.url : c.type === 'tcp' ? `${c.host}:${c.port}` : `${c.hostname} (${c.record})`;
}
