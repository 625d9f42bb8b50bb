import type { TaskKind } from '../outbox/kinds.js';

/** Outbox task kinds for post-incident reviews (carried out by the Slack adapter; payloads in outbox/kinds.ts). */
export const ReviewTask = {
  document: 'review.document',
  notifyOwner: 'review.notify_owner',
} as const satisfies Record<string, TaskKind>;
