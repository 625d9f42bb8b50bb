import { CatchupService } from '../catchup/service.js';
import { findIncidentById } from '../incidents/repository.js';
import { catchupEffects } from '../slack/effects/catchup.js';
import { catchupCommands, registerCatchup } from '../slack/listeners/catchup.js';
import { defineFeature } from './feature.js';

/** Catch-up for late joiners: `/incident catchup`, and once per person on joining an incident's channel. */
export const catchup = defineFeature({
  name: 'catchup',
  register(ctx) {
    const catchup = new CatchupService(ctx, { roles: ctx.use('roles'), actions: ctx.use('actions'), timestamps: ctx.use('timestamps') });
    return {
      services: { catchup },
      tasks: catchupEffects({ client: ctx.client, policy: ctx.policy, clock: ctx.clock, logger: ctx.logger, profiles: ctx.profiles, catchup, load: (id) => findIncidentById(ctx.db, id) }),
      commands: catchupCommands,
      listeners: registerCatchup(ctx.identity),
    };
  },
});
