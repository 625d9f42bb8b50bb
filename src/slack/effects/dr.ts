import type { WebClient } from '@slack/web-api';
import { DrTask } from '../../dr/service.js';
import type { Incident } from '../../incidents/incident.js';
import { PermanentFailure, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { Policy } from '../../policy/schema.js';
import { storedKind, type TimelineEvent } from '../../timeline/timeline.js';
import { drAnnouncement } from '../views/dr.js';
import { loadIncident } from './context.js';

export interface DrEffectDeps {
  client: WebClient;
  policy: Policy;
  announceChannel?: string;
  load: (id: string) => Promise<Incident | undefined>;
  loadEvent: (id: string) => Promise<TimelineEvent | undefined>;
}

/** Announces a DR activation or deactivation in the announcement's thread, shown in the channel too. */
async function announceDr(deps: DrEffectDeps, incidentId: string | null, eventId: string): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const event = await deps.loadEvent(eventId);
  if (!event) throw new PermanentFailure(`timeline event ${eventId} not found`);
  if (event.kind !== 'dr_activated' && event.kind !== 'dr_deactivated') throw new PermanentFailure(`timeline event ${eventId} is not a DR activation (${storedKind(event)})`);
  const channel = incident.announceChannelId ?? deps.announceChannel;
  if (!channel) return;
  const text = drAnnouncement(deps.policy, incident, event);
  const thread = incident.announceChannelId && incident.announceTs ? { thread_ts: incident.announceTs, reply_broadcast: true } : {};
  await deps.client.chat.postMessage({ channel, text, unfurl_links: false, ...thread });
}

/** The outbox handlers of disaster recovery. */
export function drEffects(deps: DrEffectDeps) {
  return {
    [DrTask.announce]: (task) => announceDr(deps, task.incidentId, task.payload.eventId),
  } satisfies SomeTaskHandlers;
}
