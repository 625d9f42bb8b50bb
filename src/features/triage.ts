import { TriageService } from '../triage/service.js';
import { registerTriage, triageCommands } from '../slack/listeners/triage.js';
import { defineFeature } from './feature.js';

/** Impact × urgency → priority, category, services, security classification. */
export const triage = defineFeature({
  name: 'triage',
  register: (ctx) => ({
    services: { triage: new TriageService(ctx, ctx.use('incidents')) },
    commands: triageCommands,
    listeners: registerTriage,
  }),
});
