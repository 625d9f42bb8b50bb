import type { TaskKind } from '../outbox/kinds.js';

/** Outbox task kinds for follow-up actions (carried out by the Slack adapter; payloads in outbox/kinds.ts). */
export const ActionTask = {
  notifyOwner: 'action.notify_owner',
} as const satisfies Record<string, TaskKind>;
