import type { TaskKind } from '../outbox/kinds.js';

/** Outbox task kinds for problem records (carried out by the Slack adapter; payloads in outbox/kinds.ts). */
export const ProblemTask = {
  announce: 'problem.announce',
} as const satisfies Record<string, TaskKind>;
