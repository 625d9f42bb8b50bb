import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewTask } from '../../src/reviews/side-effects.js';
import { queuedTasks, startDomain, type Domain } from '../support/domain.js';
import { buildIncident, buildResolvedIncident, buildReview, COMMANDER, reviewContent } from '../support/factories.js';

let d: Domain;
beforeAll(async () => {
  d = await startDomain({ now: '2026-11-26T09:00:00Z', policy: { reviews: { due_days: 3 } } });
});
afterAll(() => d?.stop());

describe('which incidents get a review', () => {
  it('resolving a SEV2 creates a draft for the commander, due after the policy’s days, and tells them', async () => {
    const incident = await buildResolvedIncident(d, { severity: 'SEV2' });
    expect(await d.reviews.find(incident.id)).toMatchObject({ state: 'draft', ownerId: COMMANDER, dueAt: new Date('2026-11-29T09:00:00Z') });
    const required = (await d.incidents.timeline(incident.id)).find((e) => e.kind === 'review_required');
    expect(required?.payload).toEqual({ priority: 'P2', due_at: '2026-11-29T09:00:00.000Z', owner: COMMANDER });
    const notices = (await queuedTasks(d, ReviewTask.notifyOwner)).filter((t) => t.incidentId === incident.id);
    expect(notices.map((t) => t.payload)).toEqual([{ ownerId: COMMANDER, by: null }]);
  });

  it('a SEV3 needs none, until triage raises it to a required priority after resolution', async () => {
    const incident = await buildResolvedIncident(d, { severity: 'SEV3' });
    expect(await d.reviews.find(incident.id)).toBeUndefined();
    await d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: 'network', impact: 'extensive', urgency: 'critical', severity: 'SEV3', services: [], businessImpact: '', classification: 'incident' });
    expect(await d.reviews.find(incident.id)).toMatchObject({ state: 'draft' });
  });
});

describe('the close gate', () => {
  it('refuses to close until the review is published, saying what is missing', async () => {
    const review = await buildReview(d);
    const close = () => d.incidents.close({ incidentId: review.incidentId, actorId: COMMANDER });
    await expect(close()).rejects.toMatchObject({
      code: 'invalid_state',
      message: 'A P2 incident needs a published post-incident review before it can be closed. It has not been written yet. Write it with `/incident review`, submit it with `/incident review submit`, then publish it with `/incident review publish`.',
    });
    await d.reviews.save({ incidentId: review.incidentId, actorId: COMMANDER, content: reviewContent() });
    await d.reviews.transition({ incidentId: review.incidentId, actorId: COMMANDER, to: 'in_review' });
    await expect(close()).rejects.toMatchObject({ message: expect.stringMatching(/It is in review\. Publish it with `\/incident review publish`\.$/) });
    await d.reviews.transition({ incidentId: review.incidentId, actorId: COMMANDER, to: 'published' });
    expect((await close()).incident.closedAt).toEqual(d.clock.now());
  });
});

describe('writing and moving a review along', () => {
  it('is only possible once the incident is resolved', async () => {
    const open = await buildIncident(d, { severity: 'SEV2' });
    await expect(d.reviews.save({ incidentId: open.id, actorId: COMMANDER, content: reviewContent() })).rejects.toMatchObject({ code: 'invalid_state', message: 'The post-incident review is written once the incident is resolved.' });
  });

  it('checks the form', () => {
    expect(d.reviews.check(reviewContent())).toEqual({});
    expect(d.reviews.check(reviewContent({ summary: ' ', ownerId: 'ana', lessons: 'x'.repeat(3001) }))).toEqual({
      summary: 'Summarise what happened in a few sentences.',
      ownerId: 'Choose who owns the review.',
      lessons: 'Keep this to 3000 characters (it has 3001).',
    });
  });

  it('submits only a draft with its summary, impact and root cause', async () => {
    const review = await buildReview(d, { content: { customerImpact: '', rootCause: ' ' } });
    await expect(d.reviews.transition({ incidentId: review.incidentId, actorId: COMMANDER, to: 'in_review' })).rejects.toMatchObject({
      code: 'invalid_state',
      message: 'Fill in the impact, root cause before submitting the review (`/incident review`).',
    });
    await expect(d.reviews.transition({ incidentId: review.incidentId, actorId: COMMANDER, to: 'published' })).rejects.toMatchObject({ code: 'invalid_state', message: 'Submit the review for review first: `/incident review submit`.' });
  });

  it('is published by its owner or the commander only, and then stays published', async () => {
    const review = await buildReview(d, { state: 'in_review', content: { ownerId: 'UREVIEWER' } });
    await expect(d.reviews.transition({ incidentId: review.incidentId, actorId: 'USOMEONE', to: 'published' })).rejects.toMatchObject({ code: 'forbidden' });
    const published = await d.reviews.transition({ incidentId: review.incidentId, actorId: 'UREVIEWER', to: 'published' });
    expect(published).toMatchObject({ state: 'published', publishedBy: 'UREVIEWER', publishedAt: d.clock.now() });
    await expect(d.reviews.transition({ incidentId: review.incidentId, actorId: COMMANDER, to: 'draft' })).rejects.toMatchObject({ code: 'invalid_state', message: 'A published review stays published; edit it with `/incident review`.' });
    const states = (await d.incidents.timeline(review.incidentId)).filter((e) => e.kind === 'review_state_changed').map((e) => `${e.payload.from}→${e.payload.to}`);
    expect(states).toEqual(['draft→in_review', 'in_review→published']);
  });

  it('every save and move regenerates the document through the outbox', async () => {
    const review = await buildReview(d, { state: 'in_review' });
    const documents = (await queuedTasks(d, ReviewTask.document)).filter((t) => t.incidentId === review.incidentId);
    expect(documents).toHaveLength(2);
  });
});
