import { storableJson } from '../db/storable.js';
import type { IncomingMessage } from 'node:http';

/**
 * Reads a request's raw body (signatures are computed over the bytes) up to `max` bytes. Past that,
 * or when Content-Length already says so, it is 'too_large': the rest is drained for a while so the
 * client can read the 413, and a sender that goes on and on is cut off.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > max;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) over = true;
      if (!over) chunks.push(chunk);
      else if (size > max * 8) req.destroy();
    });
    req.on('end', () => resolve(over ? 'too_large' : Buffer.concat(chunks)));
    req.on('close', () => {
      if (!req.complete) resolve('too_large');
    });
    req.on('error', reject);
  });
}

/** `\u0000` or a `\uD800`–`\uDFFF` escape (possibly preceded by an escaped backslash: then cleaned needlessly). */
const ESCAPED_SUSPECT = /\\u(0000|[dD][89a-fA-F])/;

/** A webhook's JSON body, cleaned of what PostgreSQL cannot store (\u0000, lone surrogates), or why it is not one. */
export function jsonBody(body: Buffer, contentType: string | null): { ok: true; json: unknown } | { ok: false; reason: string } {
  if (contentType && !/json/i.test(contentType)) return { ok: false, reason: `expected a JSON body (content-type ${contentType.slice(0, 60)})` };
  try {
    const text = body.toString('utf8');
    const json: unknown = JSON.parse(text);
    // Decoded UTF-8 holds neither NUL (raw control characters are not JSON) nor lone surrogates:
    // they can only come from \u escapes, so a body without such an escape needs no cleaning.
    return { ok: true, json: ESCAPED_SUSPECT.test(text) ? storableJson(json) : json };
  } catch (err) {
    return { ok: false, reason: `not valid JSON: ${(err as Error).message.slice(0, 200)}` };
  }
}
