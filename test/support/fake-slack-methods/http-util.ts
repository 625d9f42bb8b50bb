/** Body parsing for the fake Slack server. */
import type http from 'node:http';
import type { Args } from './shared.js';

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Parses an API request body: form-urlencoded, JSON or multipart (File parts become { filename, bytes }). */
export async function parseBody(contentType: string, raw: Buffer): Promise<Args> {
  if (raw.length === 0) return {};
  const ct = contentType.toLowerCase();
  if (ct.includes('application/json')) {
    const v = JSON.parse(raw.toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Args;
  }
  if (ct.includes('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    const out: Args = {};
    for (const [k, v] of form.entries()) {
      out[k] = typeof v === 'string' ? v : { filename: v.name, bytes: Buffer.from(await v.arrayBuffer()) };
    }
    return out;
  }
  return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
}
