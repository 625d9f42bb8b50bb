import type { KnownBlock, View } from '@slack/types';
import { actionRef, type FollowUpAction } from '../../actions/action.js';
import type { Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { effectivePriority } from '../../reviews/requirement.js';
import { REVIEW_STATE_LABEL, type Review } from '../../reviews/review.js';
import { FollowUpAction as Act, FollowUpBlock, FollowUpCallback } from '../ids.js';
import { day } from './actions.js';
import type { CardExtras } from './card.js';
import { SECTION_CHUNK } from './fit.js';
import { esc, fitLines, mrkdwn, plain, slackDate, truncate, user } from './format.js';
import { checkboxInput, dateInput, modal, textInput, userInput } from './kit.js';

/** What the review form carries to its submission. */
export interface ReviewModalMetadata {
  incidentId: string;
}

/** The review form, prefilled from the stored review; lists the actions and offers to add one. */
export function reviewModal(o: { incidentRef: string; review?: Review; defaultOwner: string; resolutionSummary: string | null; actions: FollowUpAction[]; metadata: ReviewModalMetadata }): View {
  const r = o.review;
  const listed = o.actions.slice(0, 15).map((a) => `• ${a.status === 'done' ? '~' : ''}*${actionRef(a)}* ${esc(truncate(a.title, 120))}${a.status === 'done' ? '~' : ''} · ${user(a.ownerId)} · due ${day(a.dueDate)}`);
  const actionLines = o.actions.length ? fitLines(listed, SECTION_CHUNK, { hidden: o.actions.length - listed.length }).text : '_No follow-up actions yet._';
  const long = { multiline: true, optional: true, max: 3000 } as const;
  return modal({
    callbackId: FollowUpCallback.reviewModal,
    title: `Review ${o.incidentRef}`,
    submit: 'Save review',
    metadata: o.metadata,
    blocks: [
      { type: 'context', elements: [mrkdwn(`State: *${REVIEW_STATE_LABEL[r?.state ?? 'draft']}*. Saving regenerates the review document in the channel.`)] },
      textInput(FollowUpBlock.summary, 'Summary', { multiline: true, max: 3000, initial: r?.summary || o.resolutionSummary || undefined, placeholder: 'What happened, in a few sentences' }),
      textInput(FollowUpBlock.impact, 'Customer / business impact', { ...long, initial: r?.customerImpact, placeholder: 'Who was affected, how, for how long; SLAs or revenue at stake' }),
      textInput(FollowUpBlock.rootCause, 'Root cause', { ...long, initial: r?.rootCause }),
      checkboxInput(FollowUpBlock.rootCauseConfirmed, 'Root cause status', 'The root cause is confirmed', { checked: r?.rootCauseConfirmed, description: 'Leave unticked while it is a hypothesis (a problem record can track it)' }),
      textInput(FollowUpBlock.factors, 'Contributing factors', { ...long, initial: r?.contributingFactors }),
      textInput(FollowUpBlock.fiveWhys, 'Five whys', { ...long, initial: r?.fiveWhys, placeholder: 'Why? … Why? … (one per line)' }),
      textInput(FollowUpBlock.wentWell, 'What went well', { ...long, initial: r?.wentWell }),
      textInput(FollowUpBlock.wentBadly, 'What went badly', { ...long, initial: r?.wentBadly }),
      textInput(FollowUpBlock.lessons, 'Lessons learned', { ...long, initial: r?.lessons }),
      userInput(FollowUpBlock.reviewOwner, 'Review owner', { initial: r?.ownerId ?? o.defaultOwner }),
      dateInput(FollowUpBlock.meetingDate, 'Review meeting', { initial: r?.meetingDate, optional: true }),
      { type: 'section', block_id: 'pir_actions', text: mrkdwn(`*Follow-up actions*\n${actionLines}`), accessory: { type: 'button', action_id: Act.addActionFromReview, text: plain('Add action'), value: o.metadata.incidentId } },
    ],
  });
}

/** The review's line on the incident card, with the buttons that move it on. */
export function reviewCardExtras(policy: Policy, incident: Incident, review: Review | undefined, required: boolean): CardExtras {
  if (!incident.resolvedAt) return {};
  const parts: string[] = [];
  if (required) parts.push(`required (${effectivePriority(policy, incident)})`);
  const written = Boolean(review?.summary);
  parts.push(review && written ? REVIEW_STATE_LABEL[review.state] : 'not started');
  if (review) parts.push(`owner ${user(review.ownerId)}`);
  if (review?.dueAt && review.state !== 'published') parts.push(`due ${slackDate(review.dueAt, '{date_short_pretty}')}`);
  if (review?.docPermalink) parts.push(`<${review.docPermalink}|document v${review.docVersion}>`);
  const buttons: CardExtras['buttons'] = [];
  if (!incident.closedAt) {
    buttons.push({ type: 'button', action_id: Act.openReview, text: plain(written ? 'Edit review' : 'Write review'), value: incident.id, ...(written ? {} : { style: 'primary' as const }) });
    if (written && review?.state === 'draft') buttons.push({ type: 'button', action_id: Act.submitReview, text: plain('Submit for review'), value: incident.id });
    if (review?.state === 'in_review') buttons.push({ type: 'button', action_id: Act.publishReview, text: plain('Publish review'), value: incident.id, style: 'primary' });
  }
  return { blocks: [{ type: 'section', block_id: 'card_review', text: mrkdwn(`:memo: *Post-incident review* · ${parts.join(' · ')}`) }], buttons };
}

/** The DM telling someone they own an incident's review. */
export function reviewOwnerMessage(policy: Policy, incident: Incident, review: Review, o: { ref: string; by: string | null }): { text: string; blocks: KnownBlock[] } {
  const why = o.by ? `${user(o.by)} made you the owner of the post-incident review of *${o.ref}*` : `You own the post-incident review of *${o.ref}*, which policy requires for ${effectivePriority(policy, incident)} incidents`;
  const title = incident.kind === 'security' ? '' : `: ${esc(incident.title)}`;
  const due = review.dueAt ? ` It is due ${slackDate(review.dueAt, '{date_short_pretty}')}.` : '';
  const text = `:memo: ${why}${title}.${due} The timeline is already in the document; add the analysis and follow-up actions.`;
  return {
    text: `You own the ${o.ref} post-incident review`,
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      { type: 'actions', block_id: 'review_owner', elements: [{ type: 'button', action_id: Act.openReview, text: plain('Write review'), value: incident.id, style: 'primary' }] },
    ],
  };
}

/** `/incident review status`. */
export function reviewStatusText(o: { ref: string; review?: Review; required: boolean; priority?: string }): string {
  if (!o.review) return `${o.ref} has no review yet${o.required ? ` (policy requires one for ${o.priority})` : ''}. \`/incident review\` starts it.`;
  const r = o.review;
  const doc = r.docPermalink ? `Document: <${r.docPermalink}|version ${r.docVersion}>.` : 'No document yet.';
  const due = r.dueAt && r.state !== 'published' ? ` Due ${slackDate(r.dueAt, '{date_short_pretty}')}.` : '';
  return `${o.ref} review is *${REVIEW_STATE_LABEL[r.state]}*, owned by ${user(r.ownerId)}.${due} ${doc}`;
}
