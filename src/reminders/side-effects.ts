import type { TaskKind } from '../outbox/kinds.js';

/** Outbox task kinds for reminders (carried out by the Slack adapter; payloads in outbox/kinds.ts). */
export const ReminderTask = {
  refresh: 'reminder.refresh',
} as const satisfies Record<string, TaskKind>;
