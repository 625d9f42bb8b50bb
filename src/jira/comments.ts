/**
 * Comments added once across retries. Jira adds a comment on every POST, and one may be stored
 * although its answer never arrived (a 5xx after the commit, a dropped connection): each comment ends
 * with the delivery's reference line, and a retried delivery looks for it among the comments
 * before adding it again.
 */
import { entryRef, entryRefLine, type EntryWrite } from '../integrations/entry-marker.js';
import type { JiraClient } from './client.js';
import { commentText, richText } from './mapping.js';

/**
 * Adds `text` as a comment ending with the delivery's reference, unless a retry finds that comment
 * there already (a first attempt looks up nothing). Answers whether it was added now.
 */
export async function commentOnce(client: JiraClient, key: string, text: string, write: EntryWrite): Promise<boolean> {
  const ref = entryRef(write.idempotencyKey);
  if (write.attempt > 1 && (await client.findComment(key, (body) => commentText(body).includes(ref), { signal: write.signal }))) return false;
  await client.addComment(key, richText(client.deployment, [{ text }, { text: entryRefLine(ref) }]), { signal: write.signal, once: true });
  return true;
}
