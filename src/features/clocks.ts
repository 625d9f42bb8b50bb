import { clocksJob } from '../clocks/job.js';
import { clockEffects } from '../slack/effects/clocks.js';
import { defineFeature } from './feature.js';
import { incidentEffectDeps } from './incidents.js';

/** Nags and SLA clocks: the job that finds what is due, and its announcement. */
export const clocks = defineFeature({
  name: 'clocks',
  register: (ctx) => ({
    tasks: clockEffects(incidentEffectDeps(ctx)),
    jobs: [clocksJob(ctx.db, ctx.policy, () => ctx.tasks.kick())],
  }),
});
