import { EscalationService } from '../escalation/service.js';
import { bridgeEffects } from '../slack/effects/bridge.js';
import { escalationEffects } from '../slack/effects/escalation.js';
import { bridgeCommands } from '../slack/listeners/bridge.js';
import { escalationCommands, registerEscalation } from '../slack/listeners/escalation.js';
import { defineFeature } from './feature.js';
import { incidentEffectDeps } from './incidents.js';

/** Escalation (raise the priority, page user groups) and the bridge call. */
export const escalation = defineFeature({
  name: 'escalation',
  register(ctx) {
    const escalation = new EscalationService(ctx, ctx.use('incidents'));
    const effect = incidentEffectDeps(ctx);
    return {
      services: { escalation },
      tasks: { ...escalationEffects({ ...effect, recordPaged: escalation.pagedRecorder() }), ...bridgeEffects(effect) },
      commands: [...escalationCommands, ...bridgeCommands],
      listeners: registerEscalation,
    };
  },
});
