import { findIncidentById } from '../incidents/repository.js';
import { ChangeService } from '../changes/service.js';
import { changeWebhookRoute } from '../http/change-webhook.js';
import { changeEffects } from '../slack/effects/changes.js';
import { causeCommands, changeCommands, registerChanges } from '../slack/listeners/changes.js';
import { defineFeature } from './feature.js';

/** Change records: risk, CAB decisions, what changed before an incident, incident causes. */
export const changes = defineFeature({
  name: 'changes',
  register(ctx) {
    const changes = new ChangeService(ctx, ctx.use('incidents'));
    return {
      services: { changes },
      incidentHooks: changes.hooks(),
      tasks: changeEffects({ client: ctx.client, policy: ctx.policy, load: (id) => findIncidentById(ctx.db, id), changes }),
      commands: causeCommands,
      otherCommands: [{ command: '/change', subcommands: changeCommands }],
      listeners: registerChanges,
      routes: [changeWebhookRoute({ secret: ctx.config.changesWebhookSecret, changes, logger: ctx.logger.child({ component: 'webhooks' }) })],
    };
  },
});
