/**
 * The published post-incident review, attached to the incident's record through the Attachment API:
 * each published version once (`INC-42-post-incident-review-v3.md`), looked up among the record's
 * attachments before it is sent, the exact text the channel got. Drafts and versions in review stay
 * in Slack, and so does a security incident's review unless the policy lets its description out.
 */
import type { Db } from '../db/database.js';
import type { IntegrationEventOf } from '../integrations/events.js';
import type { ServiceNowPolicy } from '../policy/itsm-schema.js';
import type { ServiceNowClient, SnRecord } from './client.js';
import { EncodedQuery } from './query.js';
import type { RecordSync } from './related.js';

export type ReviewDocumentEvent = IntegrationEventOf<'review.document_posted'>;

export const reviewFileName = (ref: string, version: number): string => `${ref}-post-incident-review-v${version}.md`;

export async function attachReviewDocument(deps: { db: Db; client: ServiceNowClient; policy: ServiceNowPolicy; signal: AbortSignal }, event: ReviewDocumentEvent, incidentRecord: SnRecord): Promise<RecordSync | null> {
  const { db, client, policy, signal } = deps;
  if (event.data.state !== 'published') return null;
  if (event.incident.private && !policy.security.description) return null;
  const review = await db.selectFrom('reviews').select(['doc_version', 'doc_content']).where('incident_id', '=', event.incident.id).executeTakeFirst();
  // A later version was posted since: its own event attaches it.
  if (!review || review.doc_version !== event.data.version || review.doc_content === null) return null;
  const fileName = reviewFileName(event.incident.ref, event.data.version);
  const q = new EncodedQuery().where('table_name', '=', 'incident').where('table_sys_id', '=', incidentRecord.sys_id).where('file_name', '=', fileName);
  if ((await client.query('sys_attachment', q, { signal, fields: ['sys_id'], pageSize: 1, max: 1 })).records.length > 0) return null;
  const bytes = new TextEncoder().encode(review.doc_content);
  const attached = await client.attach('incident', incidentRecord.sys_id, { name: fileName, contentType: 'text/markdown', bytes }, { signal });
  return { table: 'sys_attachment', record: { sys_id: attached.sys_id, number: attached.file_name }, created: true, sent: { file_name: attached.file_name, size_bytes: attached.size_bytes } };
}
