import { pagingEscalationJob } from '../paging/job.js';
import { pagerdutyHandler } from '../paging/pagerduty.js';
import { PagingService, PagingTask } from '../paging/service.js';
import { createPagingEffects } from '../slack/effects/paging.js';
import { pagingCommands, registerPagingListeners } from '../slack/listeners/paging.js';
import { defineFeature } from './feature.js';
import { incidentEffectDeps } from './incidents.js';

/** Pages to on-call people: DMs with Acknowledge / Decline, escalation levels, PagerDuty when configured. */
export const paging = defineFeature({
  name: 'paging',
  register(ctx) {
    const { config, policy, logger } = ctx;
    const routingKey = config.signals.pagerdutyRoutingKey;
    const paging = new PagingService(ctx, ctx.use('oncall'), Boolean(routingKey));
    return {
      services: { paging },
      incidentHooks: {
        declared: (trx, incident) => paging.onDeclared(trx, incident),
        resolved: (trx, incident) => paging.onResolved(trx, incident),
        priorityChanged: (trx, incident, from, to) => paging.onPriorityChanged(trx, incident, from, to),
      },
      tasks: {
        ...createPagingEffects({ ...incidentEffectDeps(ctx), paging }),
        // Only when PagerDuty is configured (a routing key); the type lets this one kind go without a handler.
        [PagingTask.pagerduty]: routingKey
          ? pagerdutyHandler({ paging, policy, routingKey, eventsUrl: config.signals.pagerdutyEventsUrl ?? policy.paging.pagerduty.events_url, logger })
          : undefined,
      },
      commands: pagingCommands,
      listeners: registerPagingListeners,
      jobs: [pagingEscalationJob(paging)],
    };
  },
});
