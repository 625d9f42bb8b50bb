import type { WebClient } from '@slack/web-api';
import type { Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import type { TimelineEvent } from '../../timeline/timeline.js';
import { PermanentFailure } from '../../jobs/task-runner.js';
import { announcement, channelTopic, incidentCard, type CardContext, type CardExtras } from '../views/card.js';
import { broadcastMessage } from '../views/timeline.js';
import { requireChannel } from './provision.js';

export interface SyncDeps {
  client: WebClient;
  policy: Policy;
  load: (id: string) => Promise<Incident | undefined>;
  loadEvent: (id: string) => Promise<TimelineEvent | undefined>;
  cardContext: (incident: Incident) => Promise<CardContext>;
  /** What other features show on the card (e.g. the post-incident review). */
  cardExtras?: (incident: Incident) => Promise<CardExtras>;
}

/** Brings the pinned card, the topic and the announcement in line with the stored incident. */
export async function syncIncident(deps: SyncDeps, incidentId: string): Promise<void> {
  const incident = await deps.load(incidentId);
  if (!incident) throw new PermanentFailure(`incident ${incidentId} not found`);
  const channelId = requireChannel(incident);
  const card = incidentCard(deps.policy, incident, await deps.cardContext(incident), await deps.cardExtras?.(incident));
  await deps.client.chat.update({ channel: channelId, ts: incident.cardTs!, text: card.text, blocks: card.blocks });
  await deps.client.conversations.setTopic({ channel: channelId, topic: channelTopic(deps.policy, incident) });
  if (incident.announceChannelId && incident.announceTs) {
    const msg = announcement(deps.policy, incident);
    await deps.client.chat.update({ channel: incident.announceChannelId, ts: incident.announceTs, text: msg.text, blocks: msg.blocks });
  }
}

/** Posts a timeline event to the incident channel, or a short line to the announcement's thread. */
export async function broadcastEvent(deps: SyncDeps, incidentId: string, eventId: string, target: 'channel' | 'announcement'): Promise<void> {
  const incident = await deps.load(incidentId);
  if (!incident) throw new PermanentFailure(`incident ${incidentId} not found`);
  const event = await deps.loadEvent(eventId);
  if (!event) throw new PermanentFailure(`timeline event ${eventId} not found`);
  const channelId = requireChannel(incident);
  const msg = broadcastMessage(deps.policy, incident, event);
  if (target === 'channel' && msg.channel) {
    await deps.client.chat.postMessage({ channel: channelId, text: msg.channel.text, blocks: msg.channel.blocks });
  }
  if (target === 'announcement' && msg.thread && incident.announceChannelId && incident.announceTs) {
    await deps.client.chat.postMessage({ channel: incident.announceChannelId, thread_ts: incident.announceTs, text: msg.thread });
  }
}
