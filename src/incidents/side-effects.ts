import type { TaskKind } from '../outbox/kinds.js';

/** Outbox task kinds for an incident's Slack side effects (carried out by the Slack adapter; payloads in outbox/kinds.ts). */
export const IncidentTask = {
  provision: 'incident.provision',
  sync: 'incident.sync',
  broadcast: 'incident.broadcast',
  deliver: 'incident.deliver',
} as const satisfies Record<string, TaskKind>;
