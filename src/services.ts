import type { ActionService } from './actions/service.js';
import type { AuditService } from './audit/service.js';
import type { CaptureService } from './capture/service.js';
import type { CatalogService } from './catalog/service.js';
import type { CatchupService } from './catchup/service.js';
import type { ChangeService } from './changes/service.js';
import type { DrService } from './dr/service.js';
import type { DrillService } from './drills/service.js';
import type { EscalationService } from './escalation/service.js';
import type { FieldService } from './fields/service.js';
import type { IncidentService } from './incidents/service.js';
import type { UpdateDraftService } from './incidents/update-drafts.js';
import type { OncallService } from './oncall/service.js';
import type { PagingService } from './paging/service.js';
import type { ChecklistService } from './playbooks/service.js';
import type { ProblemService } from './problems/service.js';
import type { ReminderService } from './reminders/service.js';
import type { ReminderRunner } from './reminders/runner.js';
import type { DashboardAuth } from './http/dashboard/auth.js';
import type { ReportService } from './reports/service.js';
import type { ReviewService } from './reviews/service.js';
import type { RoleService } from './roles/service.js';
import type { SignalDeclareFlow } from './signals/declare-flow.js';
import type { SignalService } from './signals/service.js';
import type { MaintenanceService } from './status/maintenance.js';
import type { StatusPostService } from './status/service.js';
import type { TimestampService } from './timestamps/service.js';
import type { TriageService } from './triage/service.js';
import type { VendorService } from './vendors/service.js';
import type { ItsmPanels } from './integrations/itsm-panels.js';

/** The domain services, by the name the Slack adapter and the other features know them by. */
export interface Services {
  incidents: IncidentService;
  /** Updates waiting behind their audience preview. */
  updateDrafts: UpdateDraftService;
  /** An incident's type and custom fields after its declaration. */
  fields: FieldService;
  triage: TriageService;
  /** Catch-up for late joiners. */
  catchup: CatchupService;
  /** Key timestamps and their corrections. */
  timestamps: TimestampService;
  roles: RoleService;
  escalation: EscalationService;
  vendors: VendorService;
  capture: CaptureService;
  catalog: CatalogService;
  checklists: ChecklistService;
  drills: DrillService;
  dr: DrService;
  changes: ChangeService;
  reports: ReportService;
  audit: AuditService;
  signals: SignalService;
  signalDeclare: SignalDeclareFlow;
  oncall: OncallService;
  paging: PagingService;
  reviews: ReviewService;
  actions: ActionService;
  problems: ProblemService;
  reminders: ReminderService;
  /** Plans and delivers digests, escalations and the weekly summary (a scheduled job). */
  reminderRunner: ReminderRunner;
  /** Signs and checks the dashboard's sign-in links. */
  dashboard: DashboardAuth;
  /** Public status page posts and scheduled maintenance (policy `status_page`; absent without one). */
  statusPosts?: StatusPostService;
  maintenances?: MaintenanceService;
  /** The ITSM connectors' parts of `/incident itsm`. */
  itsmPanels: ItsmPanels;
}
