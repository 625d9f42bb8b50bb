import type { Incident } from '../incidents/incident.js';
import { IncidentService } from '../incidents/service.js';
import type { CardExtras } from '../slack/views/card.js';
import { UpdateDraftService } from '../incidents/update-drafts.js';
import { findIncidentById } from '../incidents/repository.js';
import { currentRoles } from '../roles/repository.js';
import { findTimelineEvent } from '../timeline/timeline.js';
import { commsEffects } from '../slack/effects/comms.js';
import type { IncidentEffectDeps } from '../slack/effects/context.js';
import { incidentEffects } from '../slack/effects/incidents.js';
import { incidentCommands } from '../slack/listeners/incident-commands.js';
import { registerModals } from '../slack/listeners/modals.js';
import { defineFeature, type FeatureContext } from './feature.js';

/** What an incident's Slack side effects share, for the features that post to its channel. */
export function incidentEffectDeps(ctx: FeatureContext): IncidentEffectDeps {
  return {
    client: ctx.client,
    policy: ctx.policy,
    logger: ctx.logger,
    announceChannel: ctx.config.announceChannel,
    load: (id) => findIncidentById(ctx.db, id),
    loadEvent: (id) => findTimelineEvent(ctx.db, id, ctx.timelineLog),
    botUserId: async () => (await ctx.identity.require()).userId,
  };
}

/** Declare, update, resolve, close: the incident, its channel and card, and its audience updates. */
export const incidents = defineFeature({
  name: 'incidents',
  register(ctx) {
    const incidents = new IncidentService(ctx);
    const effect = incidentEffectDeps(ctx);
    // Every feature's card extras, merged (a later feature's buttons after an earlier one's).
    const cardExtras = async (incident: Incident): Promise<CardExtras> => {
      const all = await Promise.all(ctx.sections.card.map((extra) => extra(incident)));
      return { blocks: all.flatMap((e) => e.blocks ?? []), buttons: all.flatMap((e) => e.buttons ?? []) };
    };
    return {
      services: { incidents, updateDrafts: new UpdateDraftService(ctx, incidents) },
      tasks: {
        ...incidentEffects({ ...effect, db: ctx.db, clock: ctx.clock, roles: (id) => currentRoles(ctx.db, id), cardExtras, events: ctx.events }),
        ...commsEffects(effect),
      },
      commands: incidentCommands,
      listeners: registerModals,
    };
  },
});
