import { requireChannel } from './provision.js';
import { EscalationTask } from '../../escalation/service.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import { loadIncident, type IncidentEffectDeps } from './context.js';

/** Adds (or updates) the channel's "Bridge call" bookmark. */
export async function bookmarkBridge(deps: IncidentEffectDeps, incidentId: string | null): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const channelId = requireChannel(incident);
  if (!incident.bridgeUrl) return;
  const existing = ((await deps.client.bookmarks.list({ channel_id: channelId })).bookmarks ?? []).find((b) => b.title === 'Bridge call');
  if (existing?.link === incident.bridgeUrl) return;
  if (existing) await deps.client.bookmarks.edit({ channel_id: channelId, bookmark_id: existing.id!, link: incident.bridgeUrl });
  else await deps.client.bookmarks.add({ channel_id: channelId, title: 'Bridge call', type: 'link', link: incident.bridgeUrl, emoji: ':telephone_receiver:' });
}

/** The outbox handlers of the bridge call. */
export function bridgeEffects(deps: IncidentEffectDeps) {
  return {
    [EscalationTask.bridge]: (task) => bookmarkBridge(deps, task.incidentId),
  } satisfies SomeTaskHandlers;
}
