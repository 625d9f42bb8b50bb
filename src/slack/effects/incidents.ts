import type { Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import type { Incident } from '../../incidents/incident.js';
import { IncidentTask } from '../../incidents/side-effects.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { RoleHolder } from '../../roles/repository.js';
import type { TimelinePublisher } from '../../timeline/publisher.js';
import type { CardExtras } from '../views/card.js';
import type { IncidentEffectDeps } from './context.js';
import { provisionIncident } from './provision.js';
import { ProvisioningStore } from './provisioning-store.js';
import { broadcastEvent, syncIncident } from './sync.js';

export interface IncidentEffectsDeps extends IncidentEffectDeps {
  db: Db;
  clock: Clock;
  roles: (incidentId: string) => Promise<RoleHolder[]>;
  /** Queues the integration events of the rows provisioning appends. */
  events: TimelinePublisher;
  /** What other features show on the incident card. */
  cardExtras?: (incident: Incident) => Promise<CardExtras>;
}

/** The outbox handlers of an incident's channel: provisioning, the card and topic, posts of its timeline events. */
export function incidentEffects(deps: IncidentEffectsDeps) {
  const store = new ProvisioningStore(deps.db, deps.clock, deps.events);
  const cardContext = async (incident: Incident) => ({ roles: await deps.roles(incident.id), now: deps.clock.now() });
  const common = { client: deps.client, policy: deps.policy, load: deps.load, loadEvent: deps.loadEvent, cardContext, cardExtras: deps.cardExtras };
  return {
    [IncidentTask.provision]: (task) =>
      provisionIncident({ ...common, store: store.fencedBy(task), logger: deps.logger, announceChannel: deps.announceChannel, botUserId: deps.botUserId }, task.incidentId!),
    [IncidentTask.sync]: (task) => syncIncident(common, task.incidentId!),
    [IncidentTask.broadcast]: (task) => broadcastEvent(common, task.incidentId!, task.payload.eventId, task.payload.target),
  } satisfies SomeTaskHandlers;
}
