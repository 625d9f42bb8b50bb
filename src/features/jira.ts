import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { JiraClient } from '../jira/client.js';
import { checkJira } from '../jira/check.js';
import { actionLinks, findJiraLink, failingJiraSyncs } from '../jira/links.js';
import { decidedBy, keepOpen, keepOpenInJira, resolvedFromPrompt } from '../jira/decision.js';
import { incidentRef, isResolved } from '../incidents/incident.js';
import { findIncidentById } from '../incidents/repository.js';
import { JIRA_LANE, JIRA_LANES, jiraParts, jiraSubscriber } from '../jira/outbound.js';
import { userId } from '../jira/people.js';
import { jiraWebhookRoute } from '../jira/webhook.js';
import type { EmailOf } from '../servicenow/people.js';
import { jiraCard, jiraEffects, jiraFailingSection } from '../slack/effects/jira.js';
import { jiraPanel } from '../slack/listeners/jira.js';
import { registerJiraPrompt } from '../slack/listeners/jira-prompt.js';
import { checkText } from '../slack/listeners/servicenow.js';
import { defineFeature } from './feature.js';
import { incidentEffectDeps } from './incidents.js';

type Settings = NonNullable<Config['jira']>;
const connectors = new WeakMap<Settings, { client: JiraClient; parts: ReturnType<typeof jiraParts> }>();

/** One client per configured site, shared by the subscriber, the webhook and the check (one cache of people and create screens). */
function connectorFor(settings: Settings, logger: Logger, emailOf?: EmailOf) {
  let c = connectors.get(settings);
  if (!c) {
    // A short wait inside a call; a longer Retry-After goes back to the outbox, which waits that long without holding a runner.
    const client = new JiraClient({ baseUrl: settings.baseUrl, deployment: settings.deployment, auth: settings.auth, retries: 2, maxWaitMs: 5_000, logger: logger.child({ component: 'jira' }) });
    c = { client, parts: jiraParts(client, emailOf) };
    connectors.set(settings, c);
  }
  return c;
}

/** Jira: the incident and its follow-up actions as issues, kept in step both ways (key on the card and as a bookmark; webhooks read back). */
export const jira = defineFeature({
  name: 'jira',
  /** The outbound subscriber, when `itsm.jira` is configured. */
  subscribers({ config, logger, tasks, emailOf }) {
    const settings = config.jira;
    if (!settings) return [];
    const { client, parts } = connectorFor(settings, logger, emailOf);
    return [jiraSubscriber({ client, policy: settings.policy, ...parts, kick: () => tasks.kick() })];
  },
  register(ctx) {
    const settings = ctx.config.jira;
    const connector = settings ? connectorFor(settings, ctx.logger, (id) => ctx.profiles.email(id)) : null;
    const browseUrl = (key: string) => connector?.client.browseUrl(key) ?? key;
    const deps = { ...incidentEffectDeps(ctx), browseUrl, link: (id: string) => findJiraLink(ctx.db, id) };
    const test = () => checkJira(connector!.client, connector!.parts.meta, settings!.policy, { signal: AbortSignal.timeout(20_000) });
    ctx.use('itsmPanels').add(jiraPanel({ configured: Boolean(settings), operators: settings?.policy.operators ?? [], deployment: settings?.deployment, browseUrl, link: deps.link, actionLinks: (id) => actionLinks(ctx.db, id), test: async () => checkText(`Jira ${settings!.baseUrl}`, await test()) }));
    if (!settings || !connector) return { tasks: jiraEffects(deps) };
    const log = ctx.logger.child({ component: 'jira' });
    // Before the first issue: what the create screens require, told at start-up (never blocking it).
    void connector.parts.meta.problems(settings.policy, { signal: AbortSignal.timeout(30_000) }).then(
      (problems) => {
        for (const p of problems) log.warn({ problem: p }, `Jira: ${p}; no issue will be created until it is`);
      },
      (err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'Jira: could not read the create screens at start-up; checked again before the first issue'),
    );
    let own: Promise<string | null> | null = null;
    const ownAccount = () => (own ??= connector.client.myself().then((me) => userId(connector.client, me), (err) => ((own = null), log.warn({ err: String(err) }, 'Jira: could not read the account (myself)'), null)));
    const kick = () => ctx.tasks.kick();
    const decisions = {
      keepOpen: async (prompt: Parameters<typeof keepOpen>[1], actorId: string) => {
        const decision = await keepOpen(ctx.db, prompt, actorId);
        kick();
        return decision;
      },
      decidedBy: (prompt: Parameters<typeof decidedBy>[1]) => decidedBy(ctx.db, prompt),
      resolved: async (prompt: Parameters<typeof resolvedFromPrompt>[1], actorId: string) => {
        await resolvedFromPrompt(ctx.db, prompt, actorId);
        kick();
      },
    };
    const keepOpenDeps = {
      db: ctx.db,
      client: connector.client,
      policy: settings.policy,
      incidentOf: async (id: string) => {
        const incident = await findIncidentById(ctx.db, id);
        return incident && { ref: incidentRef(ctx.policy.number_prefix, incident), resolved: isResolved(incident) };
      },
      nameOf: async (id: string) => (await ctx.profiles.names([id])).get(id) ?? 'its commander',
      kick,
      logger: log,
    };
    return {
      tasks: jiraEffects(deps),
      lanes: [{ lane: JIRA_LANE, tasks: { 'jira.keep_open': (task) => keepOpenInJira(keepOpenDeps, task) }, retryForMs: settings.policy.retry_hours * 3_600_000 }],
      listeners: registerJiraPrompt(decisions),
      sections: {
        card: [jiraCard(deps)],
        home: [jiraFailingSection({ operators: settings.policy.operators, numberPrefix: ctx.policy.number_prefix, failing: (limit) => failingJiraSyncs(ctx.db, limit, JIRA_LANES) })],
      },
      routes: [
        jiraWebhookRoute({
          secret: settings.webhookSecret,
          maxBodyBytes: ctx.policy.signals.max_body_kb * 1024,
          isShuttingDown: ctx.isShuttingDown,
          recordRejection: (reason, contentType, body) => ctx.use('signals').recordRejection('jira', reason, contentType, body),
          metrics: ctx.metrics,
          logger: ctx.logger,
          inbound: {
            db: ctx.db,
            client: connector.client,
            people: connector.parts.people,
            incidents: ctx.use('incidents'),
            actions: ctx.use('actions'),
            actorId: async () => (await ctx.identity.require()).userId,
            ownAccount,
            slackUserByEmail: (email) => ctx.client.users.lookupByEmail({ email }).then((r) => r.user?.id ?? null, () => null),
            kick: () => ctx.tasks.kick(),
            logger: log,
          },
        }),
      ],
    };
  },
});
