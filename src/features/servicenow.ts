import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { ServiceNowIdentity } from '../servicenow/identity.js';
import { ServiceNowClient } from '../servicenow/client.js';
import { checkServiceNow } from '../servicenow/check.js';
import { pollPushed, servicenowPollJob, type InboundDeps } from '../servicenow/inbound.js';
import { incidentSnapshot } from '../integrations/mapping.js';
import { failingSyncs, findLink, latestLinked } from '../servicenow/links.js';
import { SERVICENOW_LANES, servicenowSubscriber, ServiceNowTask } from '../servicenow/outbound.js';
import type { SomeTaskHandlers } from '../jobs/task-runner.js';
import { servicenowWebhookRoute } from '../http/servicenow-webhook.js';
import { ServiceNowPeople } from '../servicenow/people.js';
import { servicenowCard, servicenowEffects, servicenowFailingSection } from '../slack/effects/servicenow.js';
import { servicenowPanel } from '../slack/listeners/servicenow.js';
import { defineFeature } from './feature.js';
import { incidentEffectDeps } from './incidents.js';

const clients = new WeakMap<NonNullable<Config['servicenow']>, ServiceNowClient>();

/** One client per configured instance, shared by the subscriber and the feature (one OAuth token). */
function clientFor(settings: NonNullable<Config['servicenow']>, logger: Logger): ServiceNowClient {
  let client = clients.get(settings);
  if (!client) {
    // A short wait inside a call; a longer Retry-After goes back to the outbox, which waits that long without holding a runner.
    client = new ServiceNowClient({ instanceUrl: settings.instanceUrl, auth: settings.auth, retries: 2, maxWaitMs: 5_000, logger: logger.child({ component: 'servicenow' }) });
    clients.set(settings, client);
  }
  return client;
}

/** ServiceNow: the incident record kept in step both ways (its number on the card and as a bookmark; changes made there read back). */
export const servicenow = defineFeature({
  name: 'servicenow',
  /** The outbound subscriber, when `itsm.servicenow` is configured. */
  subscribers({ config, logger, tasks, emailOf }) {
    const settings = config.servicenow;
    return settings ? [servicenowSubscriber({ client: clientFor(settings, logger), policy: settings.policy, kick: () => tasks.kick(), emailOf })] : [];
  },
  register(ctx) {
    const settings = ctx.config.servicenow;
    const deps = { ...incidentEffectDeps(ctx), instanceUrl: settings?.instanceUrl ?? '', link: (id: string) => findLink(ctx.db, id) };
    const inbound: InboundDeps | undefined = settings && {
      db: ctx.db,
      client: clientFor(settings, ctx.logger),
      identity: new ServiceNowIdentity(ctx.db, settings.instanceUrl, clientFor(settings, ctx.logger)),
      incidents: ctx.use('incidents'),
      actorId: async () => (await ctx.identity.require()).userId,
      kick: () => ctx.tasks.kick(),
      logger: ctx.logger.child({ component: 'servicenow' }),
      policy: settings.policy,
      snapshot: (incident) => incidentSnapshot({ incident, numberPrefix: ctx.policy.number_prefix }),
      countPoll: (outcome) => ctx.metrics.servicenowPoll(outcome),
      people: new ServiceNowPeople(clientFor(settings, ctx.logger), (id) => ctx.profiles.email(id)),
      declareFrom: settings.policy.declare_from && {
        db: ctx.db,
        client: clientFor(settings, ctx.logger),
        policy: settings.policy,
        severities: ctx.policy.severities.map((s) => s.id),
        declare: (input, opts) => ctx.use('incidents').declare(input, opts),
        actor: () => ctx.identity.require(),
        now: () => ctx.clock.now(),
        logger: ctx.logger.child({ component: 'servicenow' }),
      },
    };
    ctx.use('itsmPanels').add(
      servicenowPanel({
        instanceUrl: settings?.instanceUrl,
        operators: settings?.policy.operators ?? [],
        link: deps.link,
        test: async () => checkServiceNow(clientFor(settings!, ctx.logger), (await latestLinked(ctx.db)) ?? null, { signal: AbortSignal.timeout(20_000) }),
      }),
    );
    return {
      // Queued only when the connector is configured; a task left from an earlier configuration still runs (a push's poll is then moot).
      tasks: {
        ...servicenowEffects(deps),
        [ServiceNowTask.poll]: async (task) => {
          if (inbound) await pollPushed(inbound, task.payload.sysId);
        },
      } satisfies SomeTaskHandlers,
      sections: settings
        ? {
            card: [servicenowCard(deps)],
            home: [servicenowFailingSection({ operators: settings.policy.operators, numberPrefix: ctx.policy.number_prefix, failing: (limit) => failingSyncs(ctx.db, limit, SERVICENOW_LANES) })],
          }
        : {},
      jobs: inbound ? [servicenowPollJob(inbound, settings!.policy.poll_seconds)] : [],
      routes: settings
        ? [servicenowWebhookRoute({ secret: settings.webhookSecret, isShuttingDown: ctx.isShuttingDown, tasks: ctx.tasks, db: ctx.db, rejections: ctx.use('signals'), metrics: ctx.metrics, logger: ctx.logger.child({ component: 'webhooks' }) })]
        : [],
    };
  },
});
