import type { AuditService } from '../audit/service.js';
import type { CaptureService } from '../capture/service.js';
import type { CatalogService } from '../catalog/service.js';
import type { ChangeService } from '../changes/service.js';
import type { DrillService } from '../drills/service.js';
import type { DrService } from '../dr/service.js';
import type { ChecklistService } from '../playbooks/service.js';
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock.js';
import type { EscalationService } from '../escalation/service.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../http/metrics.js';
import type { ActionService } from '../actions/service.js';
import type { IncidentService } from '../incidents/service.js';
import type { UpdateDraftService } from '../incidents/update-drafts.js';
import type { EventReceipts } from '../outbox/receipts.js';
import type { PermissionAction, Policy } from '../policy/schema.js';
import type { Incident } from '../incidents/incident.js';
import type { RoleService } from '../roles/service.js';
import type { TriageService } from '../triage/service.js';
import type { VendorService } from '../vendors/service.js';
import type { DashboardAuth } from '../http/dashboard/auth.js';
import type { ReportService } from '../reports/service.js';
import type { HomeSection } from './views/home.js';
import type { OncallService } from '../oncall/service.js';
import type { PagingService } from '../paging/service.js';
import type { SignalService } from '../signals/service.js';
import type { ProblemService } from '../problems/service.js';
import type { ReminderService } from '../reminders/service.js';
import type { ReviewService } from '../reviews/service.js';

/** What the Slack adapter needs from the rest of the app, assembled in server.ts. */
export interface SlackDeps {
  policy: Policy;
  clock: Clock;
  incidents: IncidentService;
  /** Updates waiting behind their audience preview. */
  updateDrafts: UpdateDraftService;
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
  /** Throws a forbidden DomainError when the policy's `permissions` do not allow the action. */
  authorize: (action: PermissionAction, userId: string, incident?: Incident) => Promise<void>;
  reports: ReportService;
  audit: AuditService;
  dashboard: DashboardAuth;
  /** Base URL people reach this bot at (dashboard links). */
  publicUrl: string;
  /** Extra Home tab sections (follow-up actions, on-call…), each for one user. */
  homeSections: ((userId: string) => Promise<HomeSection | undefined>)[];
  /** Re-publishes a user's Home tab (set by the Home listener). */
  refreshHome?: (client: WebClient, userId: string) => Promise<void>;
  logger: Logger;
  metrics: Metrics;
  announceChannel?: string;
  signals: SignalService;
  oncall: OncallService;
  paging: PagingService;
  reviews: ReviewService;
  actions: ActionService;
  problems: ProblemService;
  reminders: ReminderService;
}
