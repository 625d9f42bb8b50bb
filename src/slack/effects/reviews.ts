import type { WebClient } from '@slack/web-api';
import type { TimestampService } from '../../timestamps/service.js';
import type { AuditService } from '../../audit/service.js';
import type { Clock } from '../../clock.js';
import type { ActionService } from '../../actions/service.js';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import type { IncidentService } from '../../incidents/service.js';
import { PermanentFailure, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { Policy } from '../../policy/schema.js';
import type { ProblemService } from '../../problems/service.js';
import type { ProfileCache } from '../../reminders/profiles.js';
import { REVIEW_STATE_LABEL } from '../../reviews/review.js';
import type { ReviewService } from '../../reviews/service.js';
import { ReviewTask } from '../../reviews/side-effects.js';
import { isSlackError } from '../errors.js';
import type { CardExtras } from '../views/card.js';
import { reviewDocument } from '../views/review-document.js';
import { reviewCardExtras, reviewOwnerMessage } from '../views/reviews.js';
import { requireChannel } from './provision.js';

export interface ReviewEffectDeps {
  client: WebClient;
  policy: Policy;
  clock: Clock;
  incidents: IncidentService;
  reviews: ReviewService;
  actions: ActionService;
  problems: ProblemService;
  profiles: ProfileCache;
  audit: Pick<AuditService, 'head'>;
  timestamps: Pick<TimestampService, 'times'>;
}

/** The review document of an incident as it stands now (Markdown), or undefined without a review. */
export async function renderReviewDocument(
  deps: Pick<ReviewEffectDeps, 'policy' | 'incidents' | 'reviews' | 'actions' | 'problems' | 'profiles' | 'clock' | 'audit' | 'timestamps'>,
  incident: Incident,
  version?: number,
): Promise<string | undefined> {
  const review = await deps.reviews.find(incident.id);
  if (!review) return undefined;
  const [events, actions, problems, chainHead, times] = await Promise.all([
    deps.incidents.timeline(incident.id),
    deps.actions.forIncident(incident.id),
    deps.problems.ofIncident(incident.id),
    deps.audit.head(incident.id),
    deps.timestamps.times(incident.id),
  ]);
  const people = [incident.commanderId, incident.reporterId, review.ownerId, review.publishedBy, ...events.map((e) => e.actorId), ...events.flatMap((e) => Object.values(e.payload).filter((v): v is string => typeof v === 'string' && /^[UW][A-Z0-9]+$/.test(v))), ...actions.map((a) => a.ownerId)];
  const names = await deps.profiles.names(people.filter((p): p is string => Boolean(p)));
  return reviewDocument(deps.policy, { incident, review, events, actions, problems, names, version: version ?? review.docVersion, generatedAt: deps.clock.now(), chainHead, times });
}

/** The card's review line and buttons, for the incident sync. */
export function reviewCard(deps: Pick<ReviewEffectDeps, 'policy' | 'reviews'>): (incident: Incident) => Promise<CardExtras> {
  return async (incident) => (incident.resolvedAt ? reviewCardExtras(deps.policy, incident, await deps.reviews.find(incident.id), deps.reviews.required(incident)) : {});
}

/**
 * Posts the review document when the stored review is newer than the last document, then points
 * the channel bookmark at the latest one. Re-running after a crash repeats only what is missing.
 */
async function postReviewDocument(deps: ReviewEffectDeps, incidentId: string): Promise<void> {
  const incident = await deps.incidents.findById(incidentId);
  if (!incident) throw new PermanentFailure(`incident ${incidentId} not found`);
  const channelId = requireChannel(incident);
  let review = await deps.reviews.find(incidentId);
  if (!review) throw new PermanentFailure(`incident ${incidentId} has no review`);
  const ref = incidentRef(deps.policy.number_prefix, incident);
  if (review.docRevision < review.revision) {
    const version = review.docVersion + 1;
    const content = (await renderReviewDocument(deps, incident, version))!;
    const state = REVIEW_STATE_LABEL[review.state];
    const res = await deps.client.filesUploadV2({
      channel_id: channelId,
      filename: `${ref.toLowerCase()}-post-incident-review-v${version}.md`,
      title: `${ref} post-incident review v${version} (${state})`,
      content,
      initial_comment: `:memo: ${ref} post-incident review, version ${version} (${state}). Generated from the incident record; \`/incident review\` to edit.`,
    });
    const fileId = res.files?.[0]?.files?.[0]?.id;
    if (!fileId) throw new Error('files upload returned no file id');
    const info = await deps.client.files.info({ file: fileId });
    review = await deps.reviews.documentPosted(incidentId, review.revision, { fileId, permalink: info.file?.permalink ?? '', content });
  }
  if (!review.docPermalink) return;
  const title = `Post-incident review (v${review.docVersion}, ${REVIEW_STATE_LABEL[review.state]})`;
  if (review.bookmarkId) {
    try {
      await deps.client.bookmarks.edit({ channel_id: channelId, bookmark_id: review.bookmarkId, title, link: review.docPermalink });
      return;
    } catch (err) {
      if (!isSlackError(err, 'not_found')) throw err;
      // Someone removed the bookmark: add it again.
    }
  }
  const added = await deps.client.bookmarks.add({ channel_id: channelId, title, type: 'link', link: review.docPermalink, emoji: ':memo:' });
  await deps.reviews.bookmarked(incidentId, (added.bookmark as { id?: string } | undefined)?.id ?? 'added');
}

/** The outbox handlers of post-incident reviews. */
export function reviewEffects(deps: ReviewEffectDeps) {
  const { client, policy } = deps;
  return {
    [ReviewTask.document]: (task) => postReviewDocument(deps, task.incidentId!),

    [ReviewTask.notifyOwner]: async (task) => {
      const incident = await deps.incidents.findById(task.incidentId!);
      const review = incident ? await deps.reviews.find(incident.id) : undefined;
      if (!incident || !review) throw new PermanentFailure('review not found');
      // Owners change; only the current one is told, and only once.
      if (review.ownerId !== task.payload.ownerId || review.ownerNotified === review.ownerId) return;
      const msg = reviewOwnerMessage(policy, incident, review, { ref: incidentRef(policy.number_prefix, incident), by: task.payload.by });
      await client.chat.postMessage({ channel: review.ownerId, text: msg.text, blocks: msg.blocks });
      await deps.reviews.ownerNotified(incident.id, review.ownerId);
    },
  } satisfies SomeTaskHandlers;
}
