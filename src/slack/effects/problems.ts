import type { WebClient } from '@slack/web-api';
import type { IncidentService } from '../../incidents/service.js';
import { PermanentFailure, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import { problemRef } from '../../problems/problem.js';
import type { ProblemService } from '../../problems/service.js';
import { ProblemTask } from '../../problems/side-effects.js';
import { esc, user } from '../views/format.js';
import { requireChannel } from './provision.js';

export interface ProblemEffectDeps {
  client: WebClient;
  incidents: IncidentService;
  problems: ProblemService;
}

/** The outbox handlers of problem records. */
export function problemEffects(deps: ProblemEffectDeps) {
  const { client } = deps;
  return {
    [ProblemTask.announce]: async (task) => {
      const incident = await deps.incidents.findById(task.incidentId!);
      if (!incident) throw new PermanentFailure(`incident ${task.incidentId} not found`);
      const problem = await deps.problems.get(task.payload.problemId, incident.teamId);
      const channelId = requireChannel(incident);
      const ref = problemRef(problem);
      await client.chat.postMessage({
        channel: channelId,
        text: `:mag: ${user(task.payload.by)} opened problem record *${ref}*: ${esc(problem.title)}. Owner ${user(problem.ownerId)}. Link other incidents with \`/incident problem link ${ref}\`; \`/incident problem show ${ref}\` for details.`,
      });
    },
  } satisfies SomeTaskHandlers;
}
