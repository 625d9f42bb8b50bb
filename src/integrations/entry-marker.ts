/**
 * A short visible line ending each journal entry or comment a connector posts, naming the delivery
 * that posted it: ServiceNow journal entries carry no hidden metadata, and Jira's comment listing
 * returns no entity properties, so the text itself is what a retry can look for. The line is derived
 * from the delivery's idempotency key: the same on every retry, different for every delivery.
 */
import { createHash } from 'node:crypto';
import type { DeliveryContext } from './registry.js';

/** The delivery an entry belongs to: its idempotency key, and its attempt (a retry looks before writing). */
export type EntryWrite = Pick<DeliveryContext, 'idempotencyKey' | 'attempt'> & { signal?: AbortSignal };

const PREFIX = 'Incident Officer ref';
const LINE = /\n*\(Incident Officer ref [0-9a-f]{10}\)\s*$/;

/** The reference a retry searches for, e.g. `Incident Officer ref 3f9a2c1b7d` (no characters special to LIKE or wiki markup). */
export function entryRef(idempotencyKey: string): string {
  return `${PREFIX} ${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 10)}`;
}

/** The reference as the line that ends an entry. */
export const entryRefLine = (ref: string): string => `(${ref})`;

/** The text with its reference as a last line of its own. */
export function withEntryRef(text: string, ref: string): string {
  return `${text}\n\n${entryRefLine(ref)}`;
}

/** Whether a text ends with a reference line (an entry a connector posted, or a copy of one). */
export function hasEntryRef(text: string): boolean {
  return LINE.test(text);
}

/** The text without its reference line. */
export function withoutEntryRef(text: string): string {
  return text.replace(LINE, '');
}
