/**
 * Text PostgreSQL can store. JSON allows what PostgreSQL refuses: NUL in a text value (22021 invalid
 * byte sequence), the escape \u0000 in jsonb (22P05) and unpaired UTF-16 surrogates in jsonb (22P02).
 * Input from outside is cleaned with these before it is stored, so a delivery is never refused (and
 * retried for ever) over a character nobody can see.
 */

const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

/** The text without NUL characters, and with unpaired surrogates replaced by U+FFFD (as UTF-8 encoding does). */
export function storableText(text: string): string {
  return SUSPECT.test(text) ? text.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD') : text;
}

/** A parsed JSON value with every string and object key made storable. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[storableText(k)] = storableJson(v);
    return out;
  }
  return value;
}

/** Text kept for inspection (a rejected body): what PostgreSQL refuses is written as a visible `\uXXXX` escape. */
export function escapedText(text: string): string {
  return SUSPECT.test(text) ? text.replace(NUL, '\\u0000').replace(LONE_SURROGATE, (c) => `\\u${c.charCodeAt(0).toString(16)}`) : text;
}

/** Every character outside ASCII as a `\uXXXX` escape: storable in any server encoding. */
export function asciiText(text: string): string {
  return escapedText(text).replace(/[^\x20-\x7e\n\r\t]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A PostgreSQL error that says the input itself cannot be stored, so trying again cannot help: a
 * data exception (class 22: bad encoding, a character the server encoding lacks, a value out of
 * range…) or a value too large for an index (54000).
 */
export function isUnstorable(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && /^(22[0-9A-Z]{3}|54000)$/.test(code);
}
