import { findIncidentById } from '../incidents/repository.js';
import { ChecklistService } from '../playbooks/service.js';
import { currentRoles } from '../roles/repository.js';
import { checklistEffects } from '../slack/effects/playbooks.js';
import { playbookCommands, registerChecklists } from '../slack/listeners/playbooks.js';
import { defineFeature } from './feature.js';

/** Interactive checklists: playbooks matched to an incident, and their ticks. */
export const playbooks = defineFeature({
  name: 'playbooks',
  register(ctx) {
    const checklists = new ChecklistService(ctx, ctx.use('incidents'));
    return {
      services: { checklists },
      incidentHooks: checklists.hooks(),
      tasks: checklistEffects({ client: ctx.client, policy: ctx.policy, load: (id) => findIncidentById(ctx.db, id), roles: (id) => currentRoles(ctx.db, id), checklists }),
      commands: playbookCommands,
      listeners: registerChecklists,
    };
  },
});
