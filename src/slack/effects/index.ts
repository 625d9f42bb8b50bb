import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { Db } from '../../db/database.js';
import type { Incident } from '../../incidents/incident.js';
import { findIncidentById } from '../../incidents/repository.js';
import { ProvisioningStore } from '../../incidents/provisioning.js';
import { IncidentTask } from '../../incidents/side-effects.js';
import type { TaskHandler } from '../../jobs/task-runner.js';
import type { Policy } from '../../policy/schema.js';
import { findTimelineEvent } from '../../timeline/timeline.js';
import { provisionIncident } from './provision.js';
import type { CardExtras } from '../views/card.js';
import { broadcastEvent, syncIncident } from './sync.js';

export interface EffectsDeps {
  db: Db;
  client: WebClient;
  policy: Policy;
  logger: Logger;
  clock: Clock;
  announceChannel?: string;
  /** What other features show on the incident card. */
  cardExtras?: (incident: Incident) => Promise<CardExtras>;
}

/** The outbox task handlers that carry out incidents' Slack side effects. */
export function createSlackEffects(deps: EffectsDeps): Record<string, TaskHandler> {
  const load = (id: string) => findIncidentById(deps.db, id);
  const loadEvent = (id: string) => findTimelineEvent(deps.db, id);
  let botUserId: Promise<string> | undefined;
  const botUser = () => {
    botUserId ??= deps.client.auth.test().then((r) => r.user_id ?? '').catch((err) => {
      botUserId = undefined;
      throw err;
    });
    return botUserId;
  };
  const store = new ProvisioningStore(deps.db, deps.clock);
  const common = { client: deps.client, policy: deps.policy, load, loadEvent, cardExtras: deps.cardExtras };
  return {
    [IncidentTask.provision]: (task) =>
      provisionIncident({ ...common, store, logger: deps.logger, announceChannel: deps.announceChannel, botUserId: botUser }, task.incidentId!),
    [IncidentTask.sync]: (task) => syncIncident(common, task.incidentId!),
    [IncidentTask.broadcast]: (task) =>
      broadcastEvent(common, task.incidentId!, String(task.payload.eventId), task.payload.target === 'announcement' ? 'announcement' : 'channel'),
  };
}
