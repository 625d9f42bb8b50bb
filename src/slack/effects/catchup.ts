import type { WebClient } from '@slack/web-api';
import { CatchupTask, type CatchupService } from '../../catchup/service.js';
import type { Clock } from '../../clock.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { Logger } from '../../logger.js';
import type { Policy } from '../../policy/schema.js';
import type { ProfileCache } from '../../reminders/profiles.js';
import { isSlackError } from '../errors.js';
import { catchupMessage } from '../views/catchup.js';
import { loadIncident } from './context.js';
import type { Incident } from '../../incidents/incident.js';

export interface CatchupEffectDeps {
  client: WebClient;
  policy: Policy;
  clock: Clock;
  logger: Logger;
  profiles: ProfileCache;
  catchup: CatchupService;
  load: (id: string) => Promise<Incident | undefined>;
}

/** Sends a joiner their catch-up, only they see it, in the incident's channel; bots are skipped. */
async function postCatchup(deps: CatchupEffectDeps, incidentId: string | null, userId: string): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  if (!incident.channelId || (await deps.profiles.isBot(userId))) return;
  const message = catchupMessage(deps.policy, await deps.catchup.build(incident), deps.clock.now());
  try {
    await deps.client.chat.postEphemeral({ channel: incident.channelId, user: userId, ...message });
  } catch (err) {
    // Gone again before it was sent (or the channel is archived): nobody to catch up.
    if (isSlackError(err, 'user_not_in_channel', 'channel_not_found', 'is_archived', 'user_not_found')) {
      return void deps.logger.info({ incident: incident.id, user: userId, err: (err as { data?: { error?: string } }).data?.error }, 'catch-up not sent');
    }
    throw err;
  }
}

/** The outbox handlers of the catch-up. */
export function catchupEffects(deps: CatchupEffectDeps) {
  return {
    [CatchupTask.post]: (task) => postCatchup(deps, task.incidentId, task.payload.userId),
  } satisfies SomeTaskHandlers;
}
