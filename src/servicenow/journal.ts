/**
 * Writes that append journal entries (work notes, comments) made once across retries. ServiceNow
 * appends an entry on every write of a journal field, and a write may be stored although its answer
 * never arrived (a 5xx after the commit, a dropped connection): each entry ends with the delivery's
 * reference line, and a retried delivery looks for it before writing the entry again.
 */
import { entryRef, withEntryRef, type EntryWrite } from '../integrations/entry-marker.js';
import type { ServiceNowClient, SnRecord } from './client.js';

const JOURNAL_FIELDS = ['work_notes', 'comments'];

/**
 * Updates the record with `fields`, each journal entry carrying the delivery's reference. On a retry
 * an entry already there is left out (the rest of the update is still written); on a first attempt
 * nothing is looked up. Answers the record as written, or null when nothing was left to write.
 */
export async function updateOnce(client: ServiceNowClient, table: string, sysId: string, fields: Record<string, string>, write: EntryWrite): Promise<SnRecord | null> {
  const journal = JOURNAL_FIELDS.filter((f) => fields[f] !== undefined && fields[f].trim() !== '');
  if (journal.length === 0) return client.updateRecord(table, sysId, fields, { signal: write.signal });
  const ref = entryRef(write.idempotencyKey);
  const there = write.attempt > 1 ? await client.journalHolding(sysId, journal, ref, { signal: write.signal }) : new Set<string>();
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (!journal.includes(field)) out[field] = value;
    else if (!there.has(field)) out[field] = withEntryRef(value, ref);
  }
  if (Object.keys(out).length === 0) return null;
  // Only a write that appends an entry must not be repeated blindly; the others stay retried by the client.
  const appends = journal.some((f) => !there.has(f));
  return client.updateRecord(table, sysId, out, { signal: write.signal, once: appends });
}
