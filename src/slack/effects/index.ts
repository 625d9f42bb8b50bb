import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { Db } from '../../db/database.js';
import type { Incident } from '../../incidents/incident.js';
import type { TimelinePublisher } from '../../integrations/publisher.js';
import { findIncidentById } from '../../incidents/repository.js';
import { currentRoles } from '../../roles/repository.js';
import { ProvisioningStore } from '../../incidents/provisioning.js';
import { IncidentTask } from '../../incidents/side-effects.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { Policy } from '../../policy/schema.js';
import { findTimelineEvent } from '../../timeline/timeline.js';
import { provisionIncident } from './provision.js';
import { postWeeklyReport, type ReportDeps } from './reports.js';
import type { ReportService } from '../../reports/service.js';
import { ReportTask } from '../../reports/weekly.js';
import { announceClockAlert, bookmarkBridge, deliverUpdate, pageGroups, welcomeRoleHolder } from './coordination.js';
import { ClockTask } from '../../clocks/job.js';
import { EscalationTask } from '../../escalation/service.js';
import { RoleTask } from '../../roles/service.js';
import type { CardExtras } from '../views/card.js';
import { broadcastEvent, syncIncident } from './sync.js';

export interface EffectsDeps {
  db: Db;
  client: WebClient;
  policy: Policy;
  logger: Logger;
  clock: Clock;
  announceChannel?: string;
  /** The bot's own user id (auth.test). */
  botUserId: () => Promise<string>;
  recordPaged: (incidentId: string, eventId: string, group: string, users: string[]) => Promise<void>;
  reports: ReportService;
  weeklySections: ReportDeps['weeklySections'];
  /** What other features show on the incident card. */
  cardExtras?: (incident: Incident) => Promise<CardExtras>;
  /** Queues the integration events of the rows provisioning appends. */
  events?: TimelinePublisher;
}

/** The outbox task handlers that carry out incidents' Slack side effects. */
export function createSlackEffects(deps: EffectsDeps) {
  const load = (id: string) => findIncidentById(deps.db, id);
  const loadEvent = (id: string) => findTimelineEvent(deps.db, id, deps.logger);
  const botUser = deps.botUserId;
  const store = new ProvisioningStore(deps.db, deps.clock, deps.events);
  const cardContext = async (incident: Incident) => ({ roles: await currentRoles(deps.db, incident.id), now: deps.clock.now() });
  const common = { client: deps.client, policy: deps.policy, load, loadEvent, cardContext, cardExtras: deps.cardExtras };
  const coordination = { ...common, logger: deps.logger, announceChannel: deps.announceChannel, botUserId: botUser, recordPaged: deps.recordPaged };
  return {
    [IncidentTask.provision]: (task) =>
      provisionIncident({ ...common, store: store.fencedBy(task), logger: deps.logger, announceChannel: deps.announceChannel, botUserId: botUser }, task.incidentId!),
    [IncidentTask.sync]: (task) => syncIncident(common, task.incidentId!),
    [IncidentTask.broadcast]: (task) =>
      broadcastEvent(common, task.incidentId!, task.payload.eventId, task.payload.target),
    [IncidentTask.deliver]: (task) =>
      deliverUpdate(coordination, task.incidentId, task.payload.eventId, task.payload.audience, { channel: task.payload.channel, user: task.payload.user }),
    [RoleTask.welcome]: (task) => welcomeRoleHolder(coordination, task.incidentId, task.payload.role, task.payload.userId),
    [EscalationTask.page]: (task) => pageGroups(coordination, task.incidentId, task.payload.eventId, task.payload.usergroups),
    [EscalationTask.bridge]: (task) => bookmarkBridge(coordination, task.incidentId),
    [ReportTask.weekly]: (task) => postWeeklyReport({ client: deps.client, policy: deps.policy, reports: deps.reports, weeklySections: deps.weeklySections }, task.payload.week),
    [ClockTask.alert]: (task) => announceClockAlert(coordination, task.incidentId, task.payload),
  } satisfies SomeTaskHandlers;
}
