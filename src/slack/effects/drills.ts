import type { WebClient } from '@slack/web-api';
import { DrillTask } from '../../drills/service.js';
import type { Incident } from '../../incidents/incident.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import { injectMessage, scorecardMessage } from '../views/drills.js';
import { requireChannel } from './provision.js';
import { loadIncident } from './context.js';

/** The outbox handlers of exercises: injects and the scorecard. */
export function drillEffects(deps: { client: WebClient; load: (id: string) => Promise<Incident | undefined> }) {
  return {
    [DrillTask.inject]: async (task) => {
      const channelId = requireChannel(await loadIncident(deps, task.incidentId));
      const msg = injectMessage(task.payload.atMinutes, task.payload.text);
      await deps.client.chat.postMessage({ channel: channelId, text: msg.text, blocks: msg.blocks });
    },
    [DrillTask.scorecard]: async (task) => {
      const channelId = requireChannel(await loadIncident(deps, task.incidentId));
      const msg = scorecardMessage(task.payload.scorecard);
      await deps.client.chat.postMessage({ channel: channelId, text: msg.text, blocks: msg.blocks });
    },
  } satisfies SomeTaskHandlers;
}
