import type { Logger } from '../logger.js';
import type { Metrics } from '../http/metrics.js';
import type { ActionService } from '../actions/service.js';
import type { IncidentService } from '../incidents/service.js';
import type { Policy } from '../policy/schema.js';
import type { EventReceipts } from '../outbox/receipts.js';
import type { ProblemService } from '../problems/service.js';
import type { ReminderService } from '../reminders/service.js';
import type { ReviewService } from '../reviews/service.js';

/** What the Slack adapter needs from the rest of the app, assembled in main. */
export interface SlackDeps {
  policy: Policy;
  incidents: IncidentService;
  receipts: EventReceipts;
  logger: Logger;
  metrics: Metrics;
  announceChannel?: string;
  reviews: ReviewService;
  actions: ActionService;
  problems: ProblemService;
  reminders: ReminderService;
}
