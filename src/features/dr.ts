import { DrService } from '../dr/service.js';
import { drEffects } from '../slack/effects/dr.js';
import { drCommands, registerDr } from '../slack/listeners/dr.js';
import { defineFeature } from './feature.js';
import { incidentEffectDeps } from './incidents.js';

/** Disaster recovery: activating a plan (its checklist, crisis team, announcement) and standing it down. */
export const dr = defineFeature({
  name: 'dr',
  register: (ctx) => ({
    services: { dr: new DrService(ctx, ctx.use('incidents'), ctx.use('checklists')) },
    tasks: drEffects(incidentEffectDeps(ctx)),
    commands: drCommands,
    listeners: registerDr,
  }),
});
