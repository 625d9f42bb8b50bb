import { webhookSecretEnvName } from '../config.js';
import { webhookRoute } from '../http/webhooks.js';
import { resolveSources } from '../signals/auth.js';
import { autoDeclareHandler, SignalDeclareFlow } from '../signals/declare-flow.js';
import { signalsHousekeepingJob } from '../signals/job.js';
import { SignalService, SignalTask } from '../signals/service.js';
import { createSignalEffects } from '../slack/effects/signals.js';
import { registerSignalListeners } from '../slack/listeners/signals.js';
import { defineFeature } from './feature.js';

/** Alerts from monitoring webhooks: grouped, posted, routed, and declared as incidents by rule or by hand. */
export const signals = defineFeature({
  name: 'signals',
  register(ctx) {
    const { config, policy, logger } = ctx;
    const signals = new SignalService(ctx);
    const signalDeclare = new SignalDeclareFlow({ policy, incidents: ctx.use('incidents'), signals, oncall: ctx.use('oncall') });
    return {
      services: { signals, signalDeclare },
      incidentHooks: signalDeclare.hooks(),
      tasks: {
        ...createSignalEffects({ client: ctx.client, policy, signals, logger }),
        [SignalTask.declare]: autoDeclareHandler(signalDeclare, () => ctx.identity.require()),
      },
      listeners: registerSignalListeners,
      jobs: [signalsHousekeepingJob(signals)],
      routes: [
        webhookRoute({
          sources: resolveSources(policy.signals.sources, config.signals.webhookSecrets, webhookSecretEnvName),
          signals,
          maxBodyBytes: policy.signals.max_body_kb * 1024,
          isShuttingDown: ctx.isShuttingDown,
          logger,
          metrics: ctx.metrics,
          envName: webhookSecretEnvName,
        }),
      ],
    };
  },
});
