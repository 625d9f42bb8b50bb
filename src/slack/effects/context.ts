import type { WebClient } from '@slack/web-api';
import type { Incident } from '../../incidents/incident.js';
import { PermanentFailure } from '../../jobs/task-runner.js';
import type { Logger } from '../../logger.js';
import type { Policy } from '../../policy/schema.js';
import type { TimelineEvent } from '../../timeline/timeline.js';

/** How an exercise's messages are marked. */
export const EXERCISE = ':performing_arts: EXERCISE:';

/** What an incident's Slack side effects share: the client, the policy, and how to load the incident and its timeline rows. */
export interface IncidentEffectDeps {
  client: WebClient;
  policy: Policy;
  logger: Logger;
  announceChannel?: string;
  load: (id: string) => Promise<Incident | undefined>;
  loadEvent: (id: string) => Promise<TimelineEvent | undefined>;
  /** The bot's own user id (auth.test). */
  botUserId: () => Promise<string>;
}

/** The task's incident; a task whose incident is gone can never run. */
export async function loadIncident(deps: Pick<IncidentEffectDeps, 'load'>, id: string | null): Promise<Incident> {
  const incident = id ? await deps.load(id) : undefined;
  if (!incident) throw new PermanentFailure(`incident ${id} not found`);
  return incident;
}
