import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../http/metrics.js';
import type { Incident } from '../incidents/incident.js';
import type { EventReceipts } from '../outbox/receipts.js';
import type { PermissionAction, Policy } from '../policy/schema.js';
import type { Services } from '../services.js';
import type { HomeSection } from './views/home.js';

/** What the Slack adapter needs from the rest of the app: the features' services and a few shared pieces, assembled in server.ts. */
export interface SlackDeps extends Services {
  policy: Policy;
  clock: Clock;
  receipts: EventReceipts;
  /** Throws a forbidden DomainError when the policy's `permissions` do not allow the action. */
  authorize: (action: PermissionAction, userId: string, incident?: Incident) => Promise<void>;
  /** Base URL people reach this bot at (dashboard links). */
  publicUrl: () => string;
  /** Extra Home tab sections (follow-up actions, on-call…), each for one user. */
  homeSections: ((userId: string) => Promise<HomeSection | undefined>)[];
  logger: Logger;
  metrics: Metrics;
  announceChannel?: string;
}
