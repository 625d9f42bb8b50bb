import type { Logger } from '../logger.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentService } from '../incidents/service.js';
import type { Policy } from '../policy/schema.js';
import type { EventReceipts } from '../outbox/receipts.js';
import type { Clock } from '../clock.js';
import type { OncallService } from '../oncall/service.js';
import type { PagingService } from '../paging/service.js';
import type { SignalService } from '../signals/service.js';

/** What the Slack adapter needs from the rest of the app, assembled in main. */
export interface SlackDeps {
  policy: Policy;
  incidents: IncidentService;
  receipts: EventReceipts;
  logger: Logger;
  metrics: Metrics;
  announceChannel?: string;
  clock: Clock;
  signals: SignalService;
  oncall: OncallService;
  paging: PagingService;
}
