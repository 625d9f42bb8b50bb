import { ProblemService } from '../problems/service.js';
import { problemEffects } from '../slack/effects/problems.js';
import { problemCommands, registerProblems } from '../slack/listeners/problems.js';
import { defineFeature } from './feature.js';

/** Problem records: the cause behind several incidents. */
export const problems = defineFeature({
  name: 'problems',
  register(ctx) {
    const problems = new ProblemService(ctx);
    return {
      services: { problems },
      tasks: problemEffects({ client: ctx.client, incidents: ctx.use('incidents'), problems }),
      commands: problemCommands,
      listeners: registerProblems,
    };
  },
});
