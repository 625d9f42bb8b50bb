import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError, refuseInvalid, type FieldProblems } from '../incidents/errors.js';
import { isResolved, type Incident } from '../incidents/incident.js';
import { findIncidentById } from '../incidents/repository.js';
import type { IncidentHooks } from '../incidents/service.js';
import { IncidentTask } from '../incidents/side-effects.js';
import { enqueueTask } from '../outbox/tasks.js';
import { appendTimeline, type TimelineEntry, type TimelineKind } from '../timeline/timeline.js';
import * as repo from './repository.js';
import { effectivePriority, reviewDueAt, reviewRequired } from './requirement.js';
import { REVIEW_STATE_LABEL, type Review, type ReviewContent, type ReviewState } from './review.js';
import { ReviewTask } from './side-effects.js';
import type { ServiceContext } from '../context.js';

const FIELD_MAX = 3000;

/**
 * Post-incident reviews: written once an incident is resolved, moved draft → in review → published,
 * and required (policy, by priority) before the incident may be closed. Every change regenerates the
 * review document through the outbox.
 */
export class ReviewService {
  constructor(private readonly ctx: ServiceContext) {}

  /** The incident hooks that create required reviews on resolution and hold the close until publication. */
  hooks(): IncidentHooks {
    return {
      resolved: (trx, incident) => this.requireIfNeeded(trx, incident),
      priorityChanged: async (trx, incident) => {
        if (isResolved(incident)) await this.requireIfNeeded(trx, incident);
      },
      canClose: async (trx, incident) => {
        if (!reviewRequired(this.ctx.policy, incident)) return undefined;
        const review = await repo.findReview(trx, incident.id);
        if (review?.state === 'published') return undefined;
        const priority = effectivePriority(this.ctx.policy, incident);
        const started = Boolean(review?.summary);
        const where = review && started ? `It is ${REVIEW_STATE_LABEL[review.state]}.` : 'It has not been written yet.';
        const next = !review || review.state === 'draft' ? 'Write it with `/incident review`, submit it with `/incident review submit`, then publish it with `/incident review publish`.' : 'Publish it with `/incident review publish`.';
        return `A ${priority} incident needs a published post-incident review before it can be closed. ${where} ${next}`;
      },
    };
  }

  find(incidentId: string): Promise<Review | undefined> {
    return repo.findReview(this.ctx.db, incidentId);
  }

  required(incident: Incident): boolean {
    return reviewRequired(this.ctx.policy, incident);
  }

  /** Checks the content; returns problems by field, empty when fine. */
  check(content: ReviewContent): FieldProblems<keyof ReviewContent> {
    const problems: FieldProblems<keyof ReviewContent> = {};
    for (const [k, v] of Object.entries(content) as [keyof ReviewContent, unknown][]) {
      if (typeof v === 'string' && v.length > FIELD_MAX) problems[k] = `Keep this to ${FIELD_MAX} characters (it has ${v.length}).`;
    }
    if (!content.summary.trim()) problems.summary = 'Summarise what happened in a few sentences.';
    if (!/^[UW][A-Z0-9]+$/.test(content.ownerId)) problems.ownerId = 'Choose who owns the review.';
    return problems;
  }

  /** Saves the review form (creating the review the first time) and regenerates the document. */
  async save(input: { incidentId: string; actorId: string; content: ReviewContent }): Promise<Review> {
    refuseInvalid(this.check(input.content));
    const review = await this.ctx.db.transaction().execute(async (trx) => {
      const incident = await this.resolvedIncident(trx, input.incidentId);
      const now = this.ctx.clock.now();
      const existing = await repo.findReview(trx, incident.id, { forUpdate: true });
      let review: Review;
      if (existing) {
        review = await repo.updateReview(trx, incident.id, repo.contentColumns(input.content), { bump: true, at: now });
      } else {
        const due = this.required(incident) && incident.resolvedAt ? reviewDueAt(this.ctx.policy, incident.resolvedAt) : null;
        review = (await repo.insertReview(trx, { incidentId: incident.id, ownerId: input.content.ownerId, createdBy: input.actorId, dueAt: due, at: now, content: input.content }))!;
      }
      await this.append(trx, { incidentId: incident.id, actorId: input.actorId, kind: 'review_saved', payload: { created: !existing, state: review.state, owner: review.ownerId } });
      if (review.ownerNotified !== review.ownerId && review.ownerId !== input.actorId) {
        await enqueueTask(trx, { kind: ReviewTask.notifyOwner, incidentId: incident.id, payload: { ownerId: review.ownerId, by: input.actorId } });
      }
      await this.queueDocument(trx, incident.id);
      return review;
    });
    this.ctx.tasks.kick();
    return review;
  }

  /**
   * Moves a review along draft → in review → published (or back to draft from review). Only the
   * review owner or the incident commander may publish.
   */
  async transition(input: { incidentId: string; actorId: string; to: ReviewState }): Promise<Review> {
    const review = await this.ctx.db.transaction().execute(async (trx) => {
      const incident = await this.resolvedIncident(trx, input.incidentId);
      const current = await repo.findReview(trx, incident.id, { forUpdate: true });
      if (!current) throw new DomainError('invalid_state', 'There is no review yet. Write it first with `/incident review`.');
      if (current.state === input.to) throw new DomainError('invalid_state', `The review is already ${REVIEW_STATE_LABEL[input.to]}.`);
      const now = this.ctx.clock.now();
      if (input.to === 'in_review') {
        if (current.state !== 'draft') throw new DomainError('invalid_state', 'Only a draft can be submitted for review.');
        const missing = [!current.summary.trim() && 'summary', !current.customerImpact.trim() && 'impact', !current.rootCause.trim() && 'root cause'].filter(Boolean);
        if (missing.length) throw new DomainError('invalid_state', `Fill in the ${missing.join(', ')} before submitting the review (\`/incident review\`).`);
      }
      if (input.to === 'published') {
        if (current.state !== 'in_review') throw new DomainError('invalid_state', 'Submit the review for review first: `/incident review submit`.');
        if (input.actorId !== current.ownerId && input.actorId !== incident.commanderId) {
          throw new DomainError('forbidden', `Only the review owner <@${current.ownerId}> or the incident commander can publish the review.`);
        }
      }
      if (input.to === 'draft' && current.state !== 'in_review') throw new DomainError('invalid_state', 'A published review stays published; edit it with `/incident review`.');
      const review = await repo.updateReview(
        trx,
        incident.id,
        {
          state: input.to,
          ...(input.to === 'in_review' ? { submitted_at: now } : {}),
          ...(input.to === 'published' ? { published_at: now, published_by: input.actorId } : {}),
        },
        { bump: true, at: now },
      );
      await this.append(trx, { incidentId: incident.id, actorId: input.actorId, kind: 'review_state_changed', payload: { from: current.state, to: input.to } });
      await this.queueDocument(trx, incident.id);
      return review;
    });
    this.ctx.tasks.kick();
    return review;
  }

  /** Regenerates the document from the current incident, timeline, review and actions. */
  async regenerate(incidentId: string): Promise<Review> {
    const review = await this.ctx.db.transaction().execute(async (trx) => {
      const current = await repo.findReview(trx, incidentId, { forUpdate: true });
      if (!current) throw new DomainError('invalid_state', 'There is no review yet. Write it first with `/incident review`.');
      const review = await repo.updateReview(trx, incidentId, {}, { bump: true, at: this.ctx.clock.now() });
      await this.queueDocument(trx, incidentId);
      return review;
    });
    this.ctx.tasks.kick();
    return review;
  }

  /** Records a generated document built from `revision`; the card is refreshed to link it. */
  async documentPosted(incidentId: string, revision: number, doc: { fileId: string; permalink: string; content?: string }): Promise<Review> {
    const review = await this.ctx.db.transaction().execute(async (trx) => {
      const current = (await repo.findReview(trx, incidentId, { forUpdate: true }))!;
      const version = current.docVersion + 1;
      const review = await repo.updateReview(trx, incidentId, { doc_version: version, doc_revision: revision, doc_file_id: doc.fileId, doc_permalink: doc.permalink, doc_content: doc.content ?? null, doc_generated_at: this.ctx.clock.now() });
      await this.append(trx, { incidentId, actorId: null, kind: 'review_document', payload: { version, file_id: doc.fileId, permalink: doc.permalink, state: current.state } });
      await enqueueTask(trx, { kind: IncidentTask.sync, incidentId, dedupeKey: `sync:${incidentId}` });
      return review;
    });
    this.ctx.tasks.kick();
    return review;
  }

  bookmarked(incidentId: string, bookmarkId: string): Promise<Review> {
    return repo.updateReview(this.ctx.db, incidentId, { bookmark_id: bookmarkId });
  }

  ownerNotified(incidentId: string, ownerId: string): Promise<Review> {
    return repo.updateReview(this.ctx.db, incidentId, { owner_notified: ownerId });
  }

  private async resolvedIncident(trx: Kysely<Database>, incidentId: string): Promise<Incident> {
    const incident = await findIncidentById(trx, incidentId);
    if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
    if (!isResolved(incident)) throw new DomainError('invalid_state', 'The post-incident review is written once the incident is resolved.');
    return incident;
  }

  /** On resolution (or a priority change after it): a required review gets its owner and due date. */
  private async requireIfNeeded(trx: Kysely<Database>, incident: Incident): Promise<void> {
    if (!this.required(incident) || !incident.resolvedAt) return;
    const due = reviewDueAt(this.ctx.policy, incident.resolvedAt);
    const owner = incident.commanderId ?? incident.reporterId;
    let review = await repo.insertReview(trx, { incidentId: incident.id, ownerId: owner, createdBy: owner, dueAt: due, at: this.ctx.clock.now() });
    if (!review) {
      const existing = (await repo.findReview(trx, incident.id, { forUpdate: true }))!;
      if (existing.state === 'published') return;
      review = await repo.updateReview(trx, incident.id, { due_at: due });
    }
    await this.append(trx, { incidentId: incident.id, actorId: null, kind: 'review_required', payload: { priority: effectivePriority(this.ctx.policy, incident), due_at: due.toISOString(), owner: review.ownerId } });
    if (review.ownerNotified !== review.ownerId) {
      await enqueueTask(trx, { kind: ReviewTask.notifyOwner, incidentId: incident.id, payload: { ownerId: review.ownerId, by: null } });
    }
  }

  private async queueDocument(trx: Kysely<Database>, incidentId: string): Promise<void> {
    await enqueueTask(trx, { kind: ReviewTask.document, incidentId });
    await enqueueTask(trx, { kind: IncidentTask.sync, incidentId, dedupeKey: `sync:${incidentId}` });
  }

  private async append<K extends TimelineKind>(db: Kysely<Database>, e: TimelineEntry<K> & { incidentId: string }) {
    const row = await appendTimeline(db, { ...e, at: this.ctx.clock.now() });
    await this.ctx.events.publish(db, row);
    return row;
  }
}
