import { healthcheckJob } from '../healthchecks/job.js';
import { defineFeature } from './feature.js';

/** HTTP, TCP and DNS checks of configured targets; a failing one raises a signal. */
export const healthchecks = defineFeature({
  name: 'healthchecks',
  register: (ctx) => ({
    jobs: ctx.policy.healthchecks.length ? [healthcheckJob({ db: ctx.db, checks: ctx.policy.healthchecks, signals: ctx.use('signals'), logger: ctx.logger })] : [],
  }),
});
