import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import { effectivePriority } from '../../reviews/requirement.js';
import { REVIEW_STATE_LABEL, type ReviewContent, type ReviewState } from '../../reviews/review.js';
import type { SlackDeps } from '../deps.js';
import { FollowUpAction as Act, FollowUpBlock, FollowUpCallback } from '../ids.js';
import { actionModal } from '../views/actions.js';
import { reviewModal, reviewStatusText } from '../views/reviews.js';
import type { Subcommand } from './commands.js';
import { button, incidentButton } from './buttons.js';
import { selectedDate } from './follow-up-payloads.js';
import { checked } from './payloads.js';
import { registerForm, type Values } from './forms.js';
import { incidentMetadata, selectedUser, textValue } from './payloads.js';

/** The review form for an incident, as stored now. */
async function buildReviewModal(deps: SlackDeps, incident: Incident) {
  const [review, actions] = await Promise.all([deps.reviews.find(incident.id), deps.actions.forIncident(incident.id)]);
  return reviewModal({
    incidentRef: incidentRef(deps.policy.number_prefix, incident),
    review,
    defaultOwner: incident.commanderId ?? incident.reporterId,
    resolutionSummary: incident.resolutionSummary,
    actions,
    metadata: { incidentId: incident.id },
  });
}

/** Redraws an open review form (e.g. after an action was added from it); what was typed stays. */
export async function refreshReviewModal(deps: SlackDeps, client: WebClient, viewId: string, incidentId: string): Promise<void> {
  const incident = await deps.incidents.findById(incidentId);
  if (!incident) return;
  try {
    await client.views.update({ view_id: viewId, view: await buildReviewModal(deps, incident) });
  } catch (err) {
    deps.logger.debug({ err }, 'review form was closed before it could be refreshed');
  }
}

async function openReview(deps: SlackDeps, client: WebClient, triggerId: string, incident: Incident): Promise<string | undefined> {
  if (!incident.resolvedAt) return 'The post-incident review is written once the incident is resolved.';
  await client.views.open({ trigger_id: triggerId, view: await buildReviewModal(deps, incident) });
  return undefined;
}

const TRANSITIONS: Record<string, { to: ReviewState; done: string }> = {
  submit: { to: 'in_review', done: 'is now *in review*. The owner or the commander publishes it with `/incident review publish`.' },
  publish: { to: 'published', done: 'is *published*. The incident can now be closed.' },
  draft: { to: 'draft', done: 'is back to *draft*.' },
};

/** `/incident review [submit|publish|draft|document|status]`. */
export const reviewCommands: Subcommand[] = [
  {
    name: 'review',
    aliases: ['pir'],
    usage: 'review [submit|publish|status|document]',
    help: 'write the post-incident review, move it to review or publish it (resolved incident channel)',
    incident: 'required',
    async run(ctx) {
      const { incident, deps } = ctx;
      const ref = incidentRef(deps.policy.number_prefix, incident);
      const verb = ctx.arg.toLowerCase();
      if (!verb || verb === 'edit') {
        const refusal = await openReview(deps, ctx.client, ctx.triggerId, incident);
        return refusal ? ctx.reply(refusal) : undefined;
      }
      if (TRANSITIONS[verb]) {
        await deps.reviews.transition({ incidentId: incident.id, actorId: ctx.userId, to: TRANSITIONS[verb].to });
        return ctx.reply(`The ${ref} review ${TRANSITIONS[verb].done}`);
      }
      if (verb === 'document' || verb === 'regenerate') {
        await deps.reviews.regenerate(incident.id);
        return ctx.reply(`Regenerating the ${ref} review document from the current record; it will be posted here in a moment.`);
      }
      if (verb === 'status') {
        const review = await deps.reviews.find(incident.id);
        return ctx.reply(reviewStatusText({ ref, review, required: deps.reviews.required(incident), priority: effectivePriority(deps.policy, incident) }));
      }
      return ctx.reply('Usage: `/incident review` (the form), `/incident review submit`, `/incident review publish`, `/incident review status` or `/incident review document`.');
    },
  },
];

/** Reads the review form. */
function formContent(values: Values, fallbackOwner: string): ReviewContent {
  return {
    summary: textValue(values, FollowUpBlock.summary),
    customerImpact: textValue(values, FollowUpBlock.impact),
    rootCause: textValue(values, FollowUpBlock.rootCause),
    rootCauseConfirmed: checked(values, FollowUpBlock.rootCauseConfirmed),
    contributingFactors: textValue(values, FollowUpBlock.factors),
    fiveWhys: textValue(values, FollowUpBlock.fiveWhys),
    wentWell: textValue(values, FollowUpBlock.wentWell),
    wentBadly: textValue(values, FollowUpBlock.wentBadly),
    lessons: textValue(values, FollowUpBlock.lessons),
    ownerId: selectedUser(values, FollowUpBlock.reviewOwner) ?? fallbackOwner,
    meetingDate: selectedDate(values, FollowUpBlock.meetingDate) ?? null,
  };
}

const BLOCK_OF: Partial<Record<keyof ReviewContent, string>> = {
  summary: FollowUpBlock.summary,
  customerImpact: FollowUpBlock.impact,
  rootCause: FollowUpBlock.rootCause,
  contributingFactors: FollowUpBlock.factors,
  fiveWhys: FollowUpBlock.fiveWhys,
  wentWell: FollowUpBlock.wentWell,
  wentBadly: FollowUpBlock.wentBadly,
  lessons: FollowUpBlock.lessons,
  ownerId: FollowUpBlock.reviewOwner,
};

/** The review form, its card and DM buttons, and adding actions from inside it. */
export function registerReviews(app: App, deps: SlackDeps): void {
  // Card, owner DM and digest buttons all open the form; digest buttons carry the incident in their id.
  incidentButton(app, deps, { actionId: new RegExp(`^${Act.openReview}`), name: 'action.review_open' }, async ({ incident, triggerId, client, tell }) => {
    const refusal = await openReview(deps, client, triggerId, incident);
    if (refusal) await tell(refusal);
  });

  for (const [actionId, verb] of [[Act.submitReview, 'submit'], [Act.publishReview, 'publish']] as const) {
    button(app, deps, { actionId, name: `action.${actionId}` }, async ({ value, actorId, tell }) => {
      const review = await deps.reviews.transition({ incidentId: value, actorId, to: TRANSITIONS[verb].to });
      await tell(`The review is now ${REVIEW_STATE_LABEL[review.state]}.`);
    });
  }

  incidentButton(app, deps, { actionId: Act.addActionFromReview, name: 'action.review_add_action' }, async ({ incident, payload, actorId, triggerId, client }) => {
    if (!payload.view) return;
    await client.views.push({
      trigger_id: triggerId,
      view: actionModal(deps.policy, { incidentRef: incidentRef(deps.policy.number_prefix, incident), ownerId: actorId, today: deps.actions.today(), metadata: { incidentId: incident.id, reviewViewId: payload.view.id } }),
    });
  });

  // Stored before the ack; the document is generated afterwards through the outbox.
  registerForm(app, deps, {
    callbackId: FollowUpCallback.reviewModal,
    name: 'view.review',
    metadata: incidentMetadata,
    fields: BLOCK_OF,
    fallback: FollowUpBlock.summary,
    async submit({ meta: { incidentId }, userId, values }) {
      await deps.reviews.save({ incidentId, actorId: userId, content: formContent(values, userId) });
    },
  });
}
