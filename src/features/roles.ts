import { RoleService } from '../roles/service.js';
import { roleEffects } from '../slack/effects/roles.js';
import { registerRoles, roleCommands } from '../slack/listeners/roles.js';
import { defineFeature } from './feature.js';
import { incidentEffectDeps } from './incidents.js';

/** Incident roles: who holds which, and what a new holder is told. */
export const roles = defineFeature({
  name: 'roles',
  register: (ctx) => ({
    services: { roles: new RoleService(ctx, ctx.use('incidents')) },
    tasks: roleEffects(incidentEffectDeps(ctx)),
    commands: roleCommands,
    listeners: registerRoles,
  }),
});
