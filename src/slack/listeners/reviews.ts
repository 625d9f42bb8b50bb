import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { DomainError } from '../../incidents/errors.js';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import { effectivePriority } from '../../reviews/requirement.js';
import { REVIEW_STATE_LABEL, type ReviewContent, type ReviewState } from '../../reviews/review.js';
import type { SlackDeps } from '../deps.js';
import { describeFailure } from '../errors.js';
import { FollowUpAction as Act, FollowUpBlock, FollowUpCallback } from '../ids.js';
import { instrument } from '../listen.js';
import { actionModal } from '../views/actions.js';
import { reviewModal, reviewStatusText } from '../views/reviews.js';
import type { Subcommand } from './commands.js';
import { checked, interactionPayload, selectedDate } from './follow-up-payloads.js';
import { incidentMetadata, metadata, selectedUser, textValue, viewPayload } from './payloads.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

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
    async run(ctx) {
      const incident = await ctx.incidentHere();
      if (!incident) return;
      const { deps } = ctx;
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
function formContent(values: Record<string, Record<string, any>>, fallbackOwner: string): ReviewContent {
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
  const { logger, metrics } = deps;

  // Card, owner DM and digest buttons all open the form; digest buttons carry the incident in their id.
  app.action(
    new RegExp(`^${Act.openReview}`),
    instrument('action.review_open', metrics, logger, async ({ ack, body, client, respond }: ActionArgs) => {
      await ack();
      const p = interactionPayload.parse(body);
      const incident = await deps.incidents.findById(p.actions[0].value ?? '');
      const refusal = incident ? await openReview(deps, client, p.trigger_id, incident) : 'That incident no longer exists.';
      if (refusal && p.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text: refusal });
    }),
  );

  for (const [actionId, verb] of [[Act.submitReview, 'submit'], [Act.publishReview, 'publish']] as const) {
    app.action(
      actionId,
      instrument(`action.${actionId}`, metrics, logger, async ({ ack, body, respond }: ActionArgs) => {
        await ack();
        const p = interactionPayload.parse(body);
        const incidentId = p.actions[0].value ?? '';
        try {
          const review = await deps.reviews.transition({ incidentId, actorId: p.user.id, to: TRANSITIONS[verb].to });
          await respond({ response_type: 'ephemeral', replace_original: false, text: `The review is now ${REVIEW_STATE_LABEL[review.state]}.` });
        } catch (err) {
          await respond({ response_type: 'ephemeral', replace_original: false, text: describeFailure(err, logger) });
        }
      }),
    );
  }

  app.action(
    Act.addActionFromReview,
    instrument('action.review_add_action', metrics, logger, async ({ ack, body, client }: ActionArgs) => {
      await ack();
      const p = interactionPayload.parse(body);
      const incident = await deps.incidents.findById(p.actions[0].value ?? '');
      if (!incident || !p.view) return;
      await client.views.push({
        trigger_id: p.trigger_id,
        view: actionModal(deps.policy, { incidentRef: incidentRef(deps.policy.number_prefix, incident), ownerId: p.user.id, today: deps.actions.today(), metadata: { incidentId: incident.id, reviewViewId: p.view.id } }),
      });
    }),
  );

  app.view(
    FollowUpCallback.reviewModal,
    instrument('view.review', metrics, logger, async ({ ack, body }: ViewArgs) => {
      const p = viewPayload.safeParse(body);
      const meta = p.success ? metadata(incidentMetadata, p.data.view.private_metadata) : undefined;
      if (!p.success || !meta) return ack({ response_action: 'errors', errors: { [FollowUpBlock.summary]: 'This form arrived incomplete; close it and try again.' } });
      const content = formContent(p.data.view.state.values, p.data.user.id);
      const problems = deps.reviews.check(content);
      if (Object.keys(problems).length) {
        return ack({ response_action: 'errors', errors: Object.fromEntries(Object.entries(problems).map(([k, m]) => [BLOCK_OF[k as keyof ReviewContent] ?? FollowUpBlock.summary, m])) });
      }
      try {
        // Stored before the ack; the document is generated afterwards through the outbox.
        await deps.reviews.save({ incidentId: meta.incidentId, actorId: p.data.user.id, content });
      } catch (err) {
        const message = err instanceof DomainError ? err.message : describeFailure(err, logger, { handler: 'view.review' });
        return ack({ response_action: 'errors', errors: { [FollowUpBlock.summary]: message.slice(0, 300) } });
      }
      await ack();
    }),
  );
}
