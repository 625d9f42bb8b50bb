import type { CaptureService } from '../capture/service.js';
import type { CatalogService } from '../catalog/service.js';
import type { ChangeService } from '../changes/service.js';
import type { DrillService } from '../drills/service.js';
import type { DrService } from '../dr/service.js';
import type { ChecklistService } from '../playbooks/service.js';
import type { Clock } from '../clock.js';
import type { EscalationService } from '../escalation/service.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../http/metrics.js';
import type { IncidentService } from '../incidents/service.js';
import type { EventReceipts } from '../outbox/receipts.js';
import type { Policy } from '../policy/schema.js';
import type { RoleService } from '../roles/service.js';
import type { TriageService } from '../triage/service.js';
import type { VendorService } from '../vendors/service.js';

/** What the Slack adapter needs from the rest of the app, assembled in server.ts. */
export interface SlackDeps {
  policy: Policy;
  clock: Clock;
  incidents: IncidentService;
  triage: TriageService;
  roles: RoleService;
  escalation: EscalationService;
  vendors: VendorService;
  capture: CaptureService;
  catalog: CatalogService;
  checklists: ChecklistService;
  drills: DrillService;
  dr: DrService;
  changes: ChangeService;
  receipts: EventReceipts;
  logger: Logger;
  metrics: Metrics;
  announceChannel?: string;
}
