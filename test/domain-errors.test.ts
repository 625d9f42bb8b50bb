import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionService } from '../src/actions/service.js';
import { ChangeService } from '../src/changes/service.js';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { DrService } from '../src/dr/service.js';
import { DomainError } from '../src/incidents/errors.js';
import { IncidentService } from '../src/incidents/service.js';
import { UpdateDraftService } from '../src/incidents/update-drafts.js';
import { ChecklistService } from '../src/playbooks/service.js';
import { policySchema } from '../src/policy/schema.js';
import { ProblemService } from '../src/problems/service.js';
import { ReviewService } from '../src/reviews/service.js';
import { SignalService } from '../src/signals/service.js';
import { TriageService } from '../src/triage/service.js';
import { VendorService } from '../src/vendors/service.js';
import { FakeClock } from './support/clock.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

// The services alone, against the real database: every input a form can get wrong is refused by the
// domain with the name of its field, which is what puts the message under the right input.
const policy = policySchema.parse({
  services: [{ name: 'checkout', tier: 1 }],
  vendors: [{ name: 'Acme Cloud', response_minutes: 60 }],
  comms: { business: { channel: 'C0BUSINESS' } },
  changes: { cab_channel: 'C0CAB', approvers: ['UAPP'] },
});
const clock = new FakeClock('2026-11-26T09:00:00Z');
let database: TestDatabase;
let handle: DatabaseHandle;
let s: ReturnType<typeof services>;
let incidentId: string;

function services(db: DatabaseHandle['db']) {
  const incidents = new IncidentService(db, policy, () => {}, clock);
  return {
    incidents,
    drafts: new UpdateDraftService(db, incidents, clock),
    changes: new ChangeService(db, incidents, policy, clock, () => {}),
    triage: new TriageService(incidents, policy),
    vendors: new VendorService(db, incidents, policy),
    actions: new ActionService(db, policy, clock),
    problems: new ProblemService(db, clock),
    reviews: new ReviewService(db, policy, clock),
    signals: new SignalService(db, policy, incidents, clock),
    dr: new DrService(db, incidents, new ChecklistService(db, incidents, policy, clock), policy),
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  handle = openDatabase(database.url);
  await migrateToLatest(handle.db);
  s = services(handle.db);
  const declared = await s.incidents.declare({ teamId: 'T1', title: 'Checkout down', description: '', severity: 'SEV2', kind: 'service', services: [], commanderId: 'UANA', reporterId: 'UANA' });
  incidentId = declared.incident.id;
});
afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

/** The DomainError a call is refused with. */
async function refusal(call: () => Promise<unknown>): Promise<DomainError> {
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

const declare = (o: Partial<Parameters<IncidentService['declare']>[0]>) =>
  s.incidents.declare({ teamId: 'T1', title: 'Title', description: '', severity: 'SEV2', kind: 'service', services: [], commanderId: null, reporterId: 'UANA', ...o });
const hour = (h: number) => new Date(clock.now().getTime() + h * 3_600_000);
const change = (o: Partial<Parameters<ChangeService['create']>[0]>) =>
  s.changes.create({ title: 'Upgrade', description: '', services: ['checkout'], startsAt: hour(1), endsAt: hour(2), impact: 'low', likelihood: 'low', rollbackPlan: 'Redeploy', requestedBy: 'UREQ', ...o });
const triage = (o: Partial<Parameters<TriageService['triage']>[0]>) =>
  s.triage.triage({ incidentId, actorId: 'UANA', category: 'database', impact: 'significant', urgency: 'high', severity: 'SEV2', services: [], businessImpact: '', classification: 'incident', ...o });
const addAction = (o: Partial<Parameters<ActionService['add']>[0]>) => s.actions.add({ incidentId, actorId: 'UANA', title: 'Add a restore test', ownerId: 'UANA', ...o });
const problem = (o: Partial<Parameters<ProblemService['create']>[0]>) =>
  s.problems.create({ incidentId, actorId: 'UANA', title: 'Flaky failover', description: '', knownError: '', workaround: '', ownerId: 'UANA', ...o });
const review = (o: Record<string, unknown>) =>
  s.reviews.save({
    incidentId,
    actorId: 'UANA',
    content: { summary: 'What happened', customerImpact: '', rootCause: '', rootCauseConfirmed: false, contributingFactors: '', fiveWhys: '', wentWell: '', wentBadly: '', lessons: '', ownerId: 'UANA', meetingDate: null, ...o },
  });

describe('a DomainError names the field it is about', () => {
  const cases: [string, () => Promise<unknown>, string, string | RegExp][] = [
    ['declare: no title', () => declare({ title: '  ' }), 'title', 'Give the incident a short title.'],
    ['declare: a long title', () => declare({ title: 'x'.repeat(81) }), 'title', 'Keep the title to 80 characters (it has 81).'],
    ['declare: no severity', () => declare({ severity: '' }), 'severity', 'Choose a severity.'],
    ['declare: an unknown severity', () => declare({ severity: 'SEV9' }), 'severity', /^There is no severity "SEV9"/],
    ['declare: an unknown kind', () => declare({ kind: 'other' }), 'kind', 'Choose service or security.'],
    ['update: no message', () => s.incidents.postUpdate({ incidentId, actorId: 'UANA', status: 'investigating', message: ' ' }), 'message', 'Say what changed.'],
    ['update: an unknown status', () => s.incidents.postUpdate({ incidentId, actorId: 'UANA', status: 'sleeping', message: 'ok' }), 'status', 'Choose a status.'],
    ['update: an audience nobody configured', () => s.incidents.postUpdate({ incidentId, actorId: 'UANA', status: 'investigating', message: 'ok', audiences: ['executive'] }), 'audiences', /^No executive audience is configured/],
    ['update preview: no message', () => s.drafts.save({ incidentId, authorId: 'UANA', status: 'investigating', message: '', nextUpdateInMinutes: null, audiences: ['business'] }), 'message', 'Say what changed.'],
    ['note: no text', () => s.incidents.addNote(incidentId, 'UANA', ' '), 'text', 'Write the note.'],
    ['resolve: no summary', () => s.incidents.resolve({ incidentId, actorId: 'UANA', summary: '' }), 'summary', 'Describe how it was resolved.'],
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
    ['CAB rejection: no reason', () => s.changes.decide({ changeId: '1', actorId: 'UAPP', approve: false, note: '' }), 'note', 'Say why the change is rejected.'],
    ['triage: no category', () => triage({ category: undefined }), 'category', 'Choose a category.'],
    ['triage: no impact', () => triage({ impact: undefined }), 'impact', 'Choose the impact.'],
    ['triage: no urgency', () => triage({ urgency: 'whenever' }), 'urgency', 'Choose the urgency.'],
    ['triage: no severity', () => triage({ severity: undefined }), 'severity', 'Choose a severity.'],
    ['triage: a security event without a reason', () => triage({ classification: 'security_event', reason: '' }), 'reason', 'Say why this is an event and not an incident.'],
    ['vendor: none named or chosen', () => s.vendors.engage({ incidentId, actorId: 'UANA', vendor: '', responseMinutes: 60 }), 'vendor', 'Choose a catalog vendor above, or name another one here.'],
    ['vendor: a response time that is not whole minutes', () => s.vendors.engage({ incidentId, actorId: 'UANA', catalogVendor: 'Acme Cloud', responseMinutes: 1.5 }), 'responseMinutes', 'A whole number of minutes, such as 60.'],
    ['action: no title', () => addAction({ title: '' }), 'title', 'Say what needs doing.'],
    ['action: no owner', () => addAction({ ownerId: '' }), 'ownerId', 'Choose who owns it.'],
    ['action: a due date in the past', () => addAction({ dueDate: '2020-01-01' }), 'dueDate', 'The due date is in the past.'],
    ['action: an unknown priority', () => addAction({ priority: 'urgent' }), 'priority', 'Choose high, medium or low.'],
    ['action: a tracker that is not a link', () => addAction({ trackerUrl: 'JIRA-1' }), 'trackerUrl', 'The tracker link must start with http:// or https://.'],
    ['reassign: no new owner', () => s.actions.reassign('1', 'UANA', ''), 'ownerId', 'Choose the new owner.'],
    ['problem: no title', () => problem({ title: '' }), 'title', 'Give the problem a title.'],
    ['problem: no owner', () => problem({ ownerId: '' }), 'ownerId', 'Choose who owns the problem.'],
    ['review: no summary', () => review({ summary: '' }), 'summary', 'Summarise what happened in a few sentences.'],
    ['review: no owner', () => review({ ownerId: '' }), 'ownerId', 'Choose who owns the review.'],
    ['signal link: no incident', () => s.signals.link('1', undefined, 'UANA'), 'incidentId', 'Choose an incident.'],
    ['signal classification: none chosen', () => s.signals.classify('1', 'UANA', undefined, 'noise'), 'classification', 'Choose a classification.'],
    ['signal classification: no reason', () => s.signals.classify('1', 'UANA', 'not_incident', ' '), 'reason', 'Say why, for the record.'],
    ['DR: no plan', () => s.dr.activate({ incidentId, actorId: 'UANA' }), 'plan', 'Choose a plan.'],
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
    const counts = await Promise.all((['incidents', 'changes', 'follow_up_actions', 'problems', 'update_drafts'] as const).map((t) => handle.db.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()));
    expect(counts.map((c) => Number(c.n))).toEqual([1, 0, 0, 0, 0]);
  });
});
