import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddActionInput } from '../../src/actions/service.js';
import type { NewChange } from '../../src/changes/service.js';
import { DrService } from '../../src/dr/service.js';
import { DomainError } from '../../src/incidents/errors.js';
import type { DeclareInput } from '../../src/incidents/service.js';
import { UpdateDraftService } from '../../src/incidents/update-drafts.js';
import type { ProblemFields } from '../../src/problems/problem.js';
import type { TriageInput } from '../../src/triage/service.js';
import { startDomain, type Domain } from '../support/domain.js';
import { buildAction, buildIncident, buildProblem, COMMANDER } from '../support/factories.js';

// Every input a form can get wrong is refused by its service with the name of the field, which is
// what puts the message under the right input of the form.
let d: Domain;
let drafts: UpdateDraftService;
let dr: DrService;
let incidentId: string;
beforeAll(async () => {
  d = await startDomain({
    policy: {
      services: [{ name: 'checkout', tier: 1 }],
      vendors: [{ name: 'Acme Cloud', response_minutes: 60 }],
      comms: { business: { channel: 'C0BUSINESS' } },
      changes: { cab_channel: 'C0CAB', approvers: ['UAPP'] },
    },
  });
  drafts = d.updateDrafts;
  dr = d.dr;
  incidentId = (await buildIncident(d)).id;
});
afterAll(() => d?.stop());

/** The DomainError a call is refused with. */
async function refusal(call: () => Promise<unknown>): Promise<DomainError> {
  const err = await Promise.resolve()
    .then(call)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

const declare = (o: Partial<DeclareInput>) => buildIncident(d, o);
const hour = (h: number) => new Date(d.clock.now().getTime() + h * 3_600_000);
const change = (o: Partial<NewChange>) =>
  d.changes.create({ title: 'Upgrade', description: '', services: ['checkout'], startsAt: hour(1), endsAt: hour(2), impact: 'low', likelihood: 'low', rollbackPlan: 'Redeploy', requestedBy: 'UREQ', ...o });
const triage = (o: Partial<TriageInput>) =>
  d.triage.triage({ incidentId, actorId: COMMANDER, category: 'database', impact: 'significant', urgency: 'high', severity: 'SEV2', services: [], businessImpact: '', classification: 'incident', ...o });
const addAction = (o: Partial<AddActionInput>) => buildAction(d, { incidentId, ...o });
const problem = (o: Partial<ProblemFields>) => buildProblem(d, { incidentId, ...o });
const review = (o: Record<string, unknown>) =>
  d.reviews.save({
    incidentId,
    actorId: COMMANDER,
    content: { summary: 'What happened', customerImpact: '', rootCause: '', rootCauseConfirmed: false, contributingFactors: '', fiveWhys: '', wentWell: '', wentBadly: '', lessons: '', ownerId: COMMANDER, meetingDate: null, ...o },
  });

describe('a DomainError names the field it is about', () => {
  const cases: [string, () => Promise<unknown>, string, string | RegExp][] = [
    ['declare: no title', () => declare({ title: '  ' }), 'title', 'An incident needs a title.'],
    ['declare: a long title', () => declare({ title: 'x'.repeat(81) }), 'title', 'The title can be at most 80 characters.'],
    ['declare: no severity', () => declare({ severity: '' }), 'severity', 'Choose a severity.'],
    ['declare: an unknown severity', () => declare({ severity: 'SEV9' }), 'severity', 'Unknown severity SEV9.'],
    ['declare: an unknown kind', () => declare({ kind: 'other' }), 'kind', 'Choose service or security.'],
    ['update: no message', () => d.incidents.postUpdate({ incidentId, actorId: COMMANDER, status: 'investigating', message: ' ' }), 'message', 'Say what changed.'],
    ['update: an unknown status', () => d.incidents.postUpdate({ incidentId, actorId: COMMANDER, status: 'sleeping', message: 'ok' }), 'status', 'Unknown status sleeping.'],
    ['update: an audience nobody configured', () => d.incidents.postUpdate({ incidentId, actorId: COMMANDER, status: 'investigating', message: 'ok', audiences: ['executive'] }), 'audiences', /^No executive audience is configured/],
    ['update preview: no message', () => drafts.save({ incidentId, authorId: COMMANDER, status: 'investigating', message: '', nextUpdateInMinutes: null, audiences: ['business'] }), 'message', 'Say what changed.'],
    ['note: no text', () => d.incidents.addNote(incidentId, COMMANDER, ' '), 'text', 'Write the note.'],
    ['resolve: no summary', () => d.incidents.resolve({ incidentId, actorId: COMMANDER, summary: '' }), 'summary', 'Describe how it was resolved.'],
    ['change: no title', () => change({ title: '' }), 'title', 'Say what changes.'],
    ['change: no service', () => change({ services: [] }), 'services', 'Name at least one service.'],
    ['change: an unknown service', () => change({ services: ['nope'] }), 'services', 'Unknown service "nope": use names from the service catalog.'],
    ['change: no start', () => change({ startsAt: undefined }), 'startsAt', 'When does the window start?'],
    ['change: no end', () => change({ endsAt: undefined }), 'endsAt', 'When does it end?'],
    ['change: a window that ends before it starts', () => change({ endsAt: hour(0) }), 'endsAt', 'The window ends before it starts.'],
    ['change: a window over 31 days', () => change({ endsAt: hour(32 * 24) }), 'endsAt', /at most 31 days/],
    ['change: no impact', () => change({ impact: undefined }), 'impact', 'Choose the impact.'],
    ['change: no likelihood', () => change({ likelihood: 'sometimes' }), 'likelihood', 'Choose the likelihood.'],
    ['change: no rollback plan', () => change({ rollbackPlan: '' }), 'rollbackPlan', 'Describe how to roll back.'],
    ['CAB rejection: no reason', () => d.changes.decide({ changeId: '1', actorId: 'UAPP', approve: false, note: '' }), 'note', 'Say why the change is rejected.'],
    ['triage: no category', () => triage({ category: undefined }), 'category', 'Choose a category.'],
    ['triage: an unknown category', () => triage({ category: 'weather' }), 'category', 'Unknown category weather.'],
    ['triage: no impact', () => triage({ impact: undefined }), 'impact', 'Choose the impact.'],
    ['triage: no urgency', () => triage({ urgency: 'whenever' }), 'urgency', 'Choose the urgency.'],
    ['triage: no severity', () => triage({ severity: undefined }), 'severity', 'Choose a severity.'],
    ['triage: a security event without a reason', () => triage({ classification: 'security_event', reason: '' }), 'reason', 'Say why this is an event and not an incident.'],
    ['vendor: none named or chosen', () => d.vendors.engage({ incidentId, actorId: COMMANDER, vendor: '', responseMinutes: 60 }), 'vendor', 'Choose a catalog vendor above, or name another one here.'],
    ['vendor: a response time that is not whole minutes', () => d.vendors.engage({ incidentId, actorId: COMMANDER, catalogVendor: 'Acme Cloud', responseMinutes: 1.5 }), 'responseMinutes', 'A whole number of minutes, such as 60.'],
    ['action: no title', () => addAction({ title: '' }), 'title', 'Say what needs doing.'],
    ['action: no owner', () => addAction({ ownerId: '' }), 'ownerId', 'Choose who owns it.'],
    ['action: a due date in the past', () => addAction({ dueDate: '2020-01-01' }), 'dueDate', 'The due date is in the past.'],
    ['action: an unknown priority', () => addAction({ priority: 'urgent' }), 'priority', 'Choose high, medium or low.'],
    ['action: a tracker that is not a link', () => addAction({ trackerUrl: 'JIRA-1' }), 'trackerUrl', 'The tracker link must start with http:// or https://.'],
    ['reassign: no new owner', () => d.actions.reassign('1', COMMANDER, ''), 'ownerId', 'Choose who should own it.'],
    ['problem: no title', () => problem({ title: '' }), 'title', 'Give the problem a title.'],
    ['problem: no owner', () => problem({ ownerId: '' }), 'ownerId', 'Choose who owns the problem.'],
    ['review: no summary', () => review({ summary: '' }), 'summary', 'Summarise what happened in a few sentences.'],
    ['review: no owner', () => review({ ownerId: '' }), 'ownerId', 'Choose who owns the review.'],
    ['signal link: no incident', () => d.signals.link('1', undefined, COMMANDER), 'incidentId', 'Choose an incident.'],
    ['signal classification: none chosen', () => d.signals.classify('1', COMMANDER, undefined, 'noise'), 'classification', 'Choose a classification.'],
    ['signal classification: no reason', () => d.signals.classify('1', COMMANDER, 'not_incident', ' '), 'reason', 'Say why, for the record.'],
    ['DR: no plan', () => dr.activate({ incidentId, actorId: COMMANDER }), 'plan', 'Choose a plan.'],
  ];

  it.each(cases)('%s', async (_name, call, field, message) => {
    const err = await refusal(call);
    expect(err.code).toBe('invalid_input');
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
    expect(err.fields).toEqual({ [field]: err.message });
  });

  it('names every field that is wrong at once, the first as its own field and message', async () => {
    const err = await refusal(() => change({ services: [], endsAt: hour(-1), impact: undefined, rollbackPlan: '' }));
    expect(err.fields).toEqual({ services: 'Name at least one service.', endsAt: 'The window ends before it starts.', impact: 'Choose the impact.', rollbackPlan: 'Describe how to roll back.' });
    expect([err.field, err.message]).toEqual(['services', 'Name at least one service.']);
  });

  it('stores nothing it refuses', async () => {
    const counts = await Promise.all((['incidents', 'changes', 'follow_up_actions', 'problems', 'update_drafts'] as const).map((t) => d.db.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()));
    expect(counts.map((c) => Number(c.n))).toEqual([1, 0, 0, 0, 0]);
  });
});
