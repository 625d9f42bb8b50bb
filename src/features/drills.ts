import { DrillService, drillInjectsJob } from '../drills/service.js';
import { findIncidentById } from '../incidents/repository.js';
import { drillEffects } from '../slack/effects/drills.js';
import { drillCommands } from '../slack/listeners/drills.js';
import { defineFeature } from './feature.js';

/** Exercises: scenarios, scheduled injects, the scorecard. */
export const drills = defineFeature({
  name: 'drills',
  register(ctx) {
    const drills = new DrillService(ctx, ctx.use('incidents'));
    return {
      services: { drills },
      incidentHooks: drills.hooks(),
      tasks: drillEffects({ client: ctx.client, load: (id) => findIncidentById(ctx.db, id) }),
      commands: drillCommands,
      jobs: [drillInjectsJob(ctx.db, () => ctx.tasks.kick())],
    };
  },
});
