import { isPrivate } from '../../incidents/incident.js';
import { PermanentFailure } from '../../jobs/task-runner.js';
import type { Audience } from '../../policy/schema.js';
import { storedKind } from '../../timeline/timeline.js';
import { audienceText, updateFromEvent } from '../views/comms.js';
import { user } from '../views/format.js';
import { requireChannel } from './provision.js';
import { IncidentTask } from '../../incidents/side-effects.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import { EXERCISE, loadIncident, type IncidentEffectDeps } from './context.js';

/** Sends an update to one audience destination; a security incident's update never goes to a public channel. */
export async function deliverUpdate(deps: IncidentEffectDeps, incidentId: string | null, eventId: string, audience: Audience, to: { channel?: string; user?: string }): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const event = await deps.loadEvent(eventId);
  if (!event) throw new PermanentFailure(`timeline event ${eventId} not found`);
  if (event.kind !== 'update' && event.kind !== 'resolved') throw new PermanentFailure(`timeline event ${eventId} is not an update (${storedKind(event)})`);
  const text = audienceText(deps.policy, audience, incident, updateFromEvent(event));
  // An exercise's audience updates stay in its channel, showing what would have been sent where.
  if (incident.isDrill) {
    const where = to.channel ? `<#${to.channel}>` : `<@${to.user}>`;
    await deps.client.chat.postMessage({ channel: requireChannel(incident), text: `${EXERCISE} the ${audience} update would now go to ${where}:\n${text}`, unfurl_links: false });
    return;
  }
  if (to.channel && isPrivate(incident)) {
    const info = await deps.client.conversations.info({ channel: to.channel }).catch(() => undefined);
    if (!info?.channel?.is_private) {
      if (incident.channelId) {
        await deps.client.chat.postMessage({ channel: incident.channelId, text: `:lock: The ${audience} update was not posted to <#${to.channel}>: it is not a private channel, and this is a security incident.` });
      }
      return;
    }
  }
  await deps.client.chat.postMessage({ channel: to.channel ?? to.user!, text, unfurl_links: false });
}

/** The outbox handlers of audience updates. */
export function commsEffects(deps: IncidentEffectDeps) {
  return {
    [IncidentTask.deliver]: (task) => deliverUpdate(deps, task.incidentId, task.payload.eventId, task.payload.audience, { channel: task.payload.channel, user: task.payload.user }),
  } satisfies SomeTaskHandlers;
}
