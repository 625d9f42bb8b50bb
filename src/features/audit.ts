import { AuditService } from '../audit/service.js';
import { createAuditEffects } from '../slack/effects/audit.js';
import { defineFeature } from './feature.js';
import { incidentEffectDeps } from './incidents.js';

/** The timeline's hash chain: sealed on resolve and close, its head posted to the channel. */
export const audit = defineFeature({
  name: 'audit',
  register(ctx) {
    const audit = new AuditService(ctx);
    return { services: { audit }, incidentHooks: audit.hooks(), tasks: createAuditEffects({ ...incidentEffectDeps(ctx), audit }) };
  },
});
