import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { AuditTask, type AuditService } from '../../audit/service.js';
import type { ChainHead } from '../../audit/verify.js';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import { PermanentFailure, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { Logger } from '../../logger.js';
import type { Policy } from '../../policy/schema.js';
import { isSlackError, slackErrorName } from '../errors.js';

/** Message metadata type of a posted chain head; the payload is `{ incident_id, seq, hash }`. */
export const CHAIN_HEAD_EVENT = 'incident_officer_chain_head';

const chainHeadPayload = z.object({ incident_id: z.string(), seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) });

const HISTORY_PAGE = 200;
/** How much of a channel's history is read when looking for posted heads (newest first). */
export const HISTORY_READ_LIMIT = 50 * HISTORY_PAGE;

export interface AuditEffectsDeps {
  client: WebClient;
  policy: Policy;
  audit: AuditService;
  logger: Logger;
  load: (incidentId: string) => Promise<Incident | undefined>;
}

/**
 * Seals an incident's timeline: posts its chain head to the incident channel (a message the bot never
 * edits, outside the database) and records it in the anchors table.
 */
export function createAuditEffects(deps: AuditEffectsDeps) {
  return {
    async [AuditTask.seal](task) {
      const incident = task.incidentId ? await deps.load(task.incidentId) : undefined;
      if (!incident) throw new PermanentFailure(`incident ${task.incidentId} not found`);
      const head = await deps.audit.head(incident.id);
      if (!head) return;
      const { reason } = task.payload;
      let postedAt: { channelId: string; ts: string } | null = null;
      if (incident.channelId) {
        const ref = incidentRef(deps.policy.number_prefix, incident);
        try {
          const res = await deps.client.chat.postMessage({
            channel: incident.channelId,
            text: `:lock: ${ref} timeline sealed when ${reason}: entry #${head.seq}, sha256 \`${head.hash}\`. \`/incident timeline verify\` checks the stored timeline against the chain heads posted here.`,
            metadata: { event_type: CHAIN_HEAD_EVENT, event_payload: { incident_id: incident.id, seq: head.seq, hash: head.hash } },
          });
          postedAt = { channelId: res.channel ?? incident.channelId, ts: res.ts! };
        } catch (err) {
          if (!isSlackError(err, 'channel_not_found', 'is_archived', 'not_in_channel')) throw err;
          deps.logger.warn({ err, incident: incident.id }, 'could not post the timeline chain head; recorded in the database only');
        }
      }
      await deps.audit.sealed({ incidentId: incident.id, ...head }, reason, postedAt);
    },
  } satisfies SomeTaskHandlers;
}

export interface PostedHeads {
  heads: ChainHead[];
  /** Incidents whose channel could not be read, with Slack's error. */
  unread: { incidentId: string; error: string }[];
  /** Incidents whose channel history was longer than what was read. */
  partial: string[];
}

/** The chain heads this bot posted in each incident's channel, read back from Slack. */
export async function readPostedHeads(client: WebClient, incidents: Pick<Incident, 'id' | 'channelId'>[]): Promise<PostedHeads> {
  const out: PostedHeads = { heads: [], unread: [], partial: [] };
  if (!incidents.some((i) => i.channelId)) return out;
  const botUserId = (await client.auth.test()).user_id;
  for (const incident of incidents) {
    if (!incident.channelId) continue;
    let cursor: string | undefined;
    let pages = 0;
    try {
      do {
        const res = await client.conversations.history({ channel: incident.channelId, limit: HISTORY_PAGE, include_all_metadata: true, ...(cursor ? { cursor } : {}) });
        for (const m of res.messages ?? []) {
          const meta = m.metadata as { event_type?: string; event_payload?: unknown } | undefined;
          if (m.user !== botUserId || meta?.event_type !== CHAIN_HEAD_EVENT) continue;
          const p = chainHeadPayload.safeParse(meta.event_payload);
          if (p.success && p.data.incident_id === incident.id) out.heads.push({ incidentId: incident.id, seq: p.data.seq, hash: p.data.hash });
        }
        cursor = res.response_metadata?.next_cursor || undefined;
      } while (cursor && ++pages * HISTORY_PAGE < HISTORY_READ_LIMIT);
    } catch (err) {
      out.unread.push({ incidentId: incident.id, error: slackErrorName(err) ?? (err as Error).message });
      continue;
    }
    if (cursor) out.partial.push(incident.id);
  }
  return out;
}
