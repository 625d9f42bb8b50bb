import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATION_EVENT_TYPES, type IntegrationEvent } from '../../src/integrations/events.js';
import type { IntegrationSubscriber } from '../../src/integrations/registry.js';
import type { TaskRunner } from '../../src/jobs/task-runner.js';
import { claimDueTasks } from '../../src/outbox/tasks.js';
import { startDomain, type Domain } from '../support/domain.js';
import { buildIncident, COMMANDER, REPORTER } from '../support/factories.js';

/** A subscriber that records what it was handed, and fails when told to. */
function recorder(name: string, fields: Partial<IntegrationSubscriber> = {}) {
  const state = {
    /** Events handled successfully, in the order they were. */
    delivered: [] as IntegrationEvent[],
    /** Every call: idempotency key and attempt. */
    calls: [] as { key: string; attempt: number }[],
    /** Fail every call while true. */
    down: false,
    /** Fail the first attempt at each delivery. */
    flaky: false,
    /** Wait for the abort signal instead of answering, on first attempts. */
    hangs: false,
    aborted: [] as string[],
  };
  const subscriber: IntegrationSubscriber = {
    name,
    events: INTEGRATION_EVENT_TYPES,
    ...fields,
    async handle(event, ctx) {
      state.calls.push({ key: ctx.idempotencyKey, attempt: ctx.attempt });
      if (state.down) throw new Error(`${name} is down`);
      if (state.flaky && ctx.attempt === 1) throw new Error(`${name}: 502 Bad Gateway`);
      if (state.hangs && ctx.attempt === 1) {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        state.aborted.push(ctx.idempotencyKey);
        return;
      }
      state.delivered.push(event);
    },
  };
  return { subscriber, state };
}

const tickets = recorder('tickets', { include: { private: true } });
const statusPage = recorder('status-page');
const slow = recorder('slow', { events: ['incident.declared'], timeoutMs: 200 });

let d: Domain;
let runners: TaskRunner[];
beforeAll(async () => {
  d = await startDomain({ subscribers: [tickets.subscriber, statusPage.subscriber, slow.subscriber], policy: { comms: { business: { channel: 'CBIZ' } } } });
  runners = d.integrationRunners();
});
afterAll(() => d?.stop());

/** Runs the subscribers' lanes until `done` holds (retries are due again after a millisecond). */
async function deliver(done: () => boolean, sets: TaskRunner[][] = [runners]): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('deliveries did not complete');
    await Promise.all(sets.flat().map((r) => r.drain()));
  }
}

const deliveredTo = (r: ReturnType<typeof recorder>, incidentId: string) => r.state.delivered.filter((e) => e.incident.id === incidentId);
const pendingIn = async (lane: string, incidentId: string) =>
  (await d.db.selectFrom('slack_tasks').select('id').where('lane', '=', lane).where('incident_id', '=', incidentId).where('done_at', 'is', null).execute()).length;

/** declare → triage → update (channel and business) → resolve → close, as the services do it. */
async function lifecycle(fields: Parameters<typeof buildIncident>[1] = {}) {
  const incident = await buildIncident(d, fields);
  await d.triage.triage({ incidentId: incident.id, actorId: COMMANDER, category: d.policy.categories[0], impact: 'minor', urgency: 'medium', severity: incident.severity, services: [], businessImpact: 'Some orders fail', classification: 'incident' });
  await d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'Bad deploy found', audiences: ['business'] });
  await d.incidents.resolve({ incidentId: incident.id, actorId: COMMANDER, summary: 'Rolled back' });
  await d.incidents.close({ incidentId: incident.id, actorId: COMMANDER });
  return incident;
}

const LIFECYCLE = ['incident.declared', 'incident.priority_changed', 'incident.triaged', 'incident.updated', 'incident.updated', 'incident.resolved', 'incident.closed'];

describe('with no subscribers', () => {
  it('nothing is queued for outside systems', async () => {
    const none = await startDomain();
    try {
      const incident = await buildIncident(none);
      await none.incidents.resolve({ incidentId: incident.id, actorId: COMMANDER, summary: 'Fixed' });
      const lanes = await none.db.selectFrom('slack_tasks').select('lane').distinct().execute();
      expect(lanes).toEqual([{ lane: 'slack' }]);
      expect(none.integrationRunners()).toEqual([]);
    } finally {
      await none.stop();
    }
  });
});

describe('delivery', () => {
  it('declare → triage → update → resolve → close reaches each subscriber in order, once per event', async () => {
    const incident = await lifecycle();
    await deliver(() => deliveredTo(tickets, incident.id).length === LIFECYCLE.length && deliveredTo(statusPage, incident.id).length === LIFECYCLE.length);
    for (const r of [tickets, statusPage]) {
      const events = deliveredTo(r, incident.id);
      expect(events.map((e) => e.type)).toEqual(LIFECYCLE);
      expect(events.map((e) => e.type === 'incident.updated' && e.data.audience).filter(Boolean)).toEqual(['technical', 'business']);
      const ids = events.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      // In timeline order, and each carries the incident as it was at that point.
      expect(events.map((e) => Number(e.timelineEventId))).toEqual(events.map((e) => Number(e.timelineEventId)).sort((a, b) => a - b));
      expect(events.map((e) => [e.incident.status, e.incident.priority])).toEqual([
        ['investigating', null],
        ['investigating', 'P4'],
        ['investigating', 'P4'],
        ['identified', 'P4'],
        ['identified', 'P4'],
        ['resolved', 'P4'],
        ['resolved', 'P4'],
      ]);
      expect(events[0]).toMatchObject({ actor: REPORTER, incident: { ref: `INC-${incident.number}`, title: incident.title, private: false } });
      expect(events.at(-1)!.incident.closedAt).not.toBeNull();
    }
    // Each delivery is stored under its idempotency key, done.
    const rows = await d.db.selectFrom('slack_tasks').select(['idempotency_key', 'lane', 'done_at', 'failed']).where('incident_id', '=', incident.id).where('lane', '=', 'integration:tickets').orderBy('id').execute();
    expect(rows.map((r) => r.idempotency_key)).toEqual(deliveredTo(tickets, incident.id).map((e) => `${e.id}:tickets`));
    expect(rows.every((r) => r.done_at && !r.failed)).toBe(true);
  });

  it('queues the deliveries with the change: a change that rolls back leaves none', async () => {
    const incident = await buildIncident(d);
    await deliver(() => deliveredTo(tickets, incident.id).length === 1);
    await expect(
      d.incidents.postUpdate({ incidentId: incident.id, actorId: COMMANDER, status: 'identified', message: 'Found it' }, { within: async () => { throw new Error('boom'); } }),
    ).rejects.toThrow('boom');
    expect(await pendingIn('integration:tickets', incident.id)).toBe(0);
  });

  it('a handler that fails is retried, and each event still succeeds exactly once, in order', async () => {
    tickets.state.flaky = true;
    try {
      const incident = await lifecycle();
      await deliver(() => deliveredTo(tickets, incident.id).length === LIFECYCLE.length);
      expect(deliveredTo(tickets, incident.id).map((e) => e.type)).toEqual(LIFECYCLE);
      const calls = tickets.state.calls.filter((c) => c.key.includes(`:tickets`) && deliveredTo(tickets, incident.id).some((e) => c.key === `${e.id}:tickets`));
      // Two attempts per event under one key: the failed one and the one that succeeded.
      for (const e of deliveredTo(tickets, incident.id)) expect(calls.filter((c) => c.key === `${e.id}:tickets`).map((c) => c.attempt)).toEqual([1, 2]);
    } finally {
      tickets.state.flaky = false;
    }
  });

  it('two runners competing deliver each event once, in order per incident', async () => {
    tickets.state.flaky = true;
    try {
      const incidents = await Promise.all([lifecycle(), lifecycle(), lifecycle()]);
      const other = d.integrationRunners();
      await deliver(() => incidents.every((i) => deliveredTo(tickets, i.id).length === LIFECYCLE.length && deliveredTo(statusPage, i.id).length === LIFECYCLE.length), [runners, other]);
      for (const i of incidents) {
        for (const r of [tickets, statusPage]) {
          const events = deliveredTo(r, i.id);
          expect(events.map((e) => e.type)).toEqual(LIFECYCLE);
          expect(new Set(events.map((e) => e.id)).size).toBe(LIFECYCLE.length);
        }
      }
    } finally {
      tickets.state.flaky = false;
    }
  });

  it('a subscriber that keeps failing holds back only its own deliveries: not another subscriber, not Slack', async () => {
    statusPage.state.down = true;
    // Retries come due after a millisecond here: on a slow machine one drain could run the first
    // delivery through all its attempts and give it up; these runners never give up.
    const patient = [d.integrationRunners({ maxAttempts: Number.MAX_SAFE_INTEGER })];
    try {
      const incident = await lifecycle();
      await deliver(() => deliveredTo(tickets, incident.id).length === LIFECYCLE.length, patient);
      await deliver(() => statusPage.state.calls.filter((c) => c.key.startsWith(`${deliveredTo(tickets, incident.id)[0].timelineEventId}:`)).length >= 3, patient);
      expect(deliveredTo(statusPage, incident.id)).toEqual([]);
      // Its first event is retried; the later ones wait behind it, in order.
      expect(await pendingIn('integration:status-page', incident.id)).toBe(LIFECYCLE.length);
      // The incident's Slack side effects are not behind them: the oldest is claimable now.
      const slack = await claimDueTasks(d.db, 1000, 15);
      expect(slack.filter((t) => t.incidentId === incident.id).map((t) => t.kind)).toEqual(['incident.provision']);
      await d.db.updateTable('slack_tasks').set({ done_at: new Date() }).where('lane', '=', 'slack').execute();
      // Back up: the backlog goes out in order.
      statusPage.state.down = false;
      await deliver(() => deliveredTo(statusPage, incident.id).length === LIFECYCLE.length, patient);
      expect(deliveredTo(statusPage, incident.id).map((e) => e.type)).toEqual(LIFECYCLE);
    } finally {
      statusPage.state.down = false;
    }
  });

  it('a delivery that outlives its time limit is aborted and retried', async () => {
    slow.state.hangs = true;
    try {
      const incident = await buildIncident(d);
      await deliver(() => deliveredTo(slow, incident.id).length === 1);
      const [event] = deliveredTo(slow, incident.id);
      expect(slow.state.aborted).toContain(`${event.id}:slow`);
      expect(slow.state.calls.filter((c) => c.key === `${event.id}:slow`).map((c) => c.attempt)).toEqual([1, 2]);
    } finally {
      slow.state.hangs = false;
    }
  });
});

describe('what each subscriber is sent', () => {
  it('private (security) incidents only to subscribers that take them, flagged', async () => {
    const incident = await buildIncident(d, { kind: 'security', title: 'Leaked credentials' });
    await d.incidents.resolve({ incidentId: incident.id, actorId: COMMANDER, summary: 'Rotated' });
    await deliver(() => deliveredTo(tickets, incident.id).length === 2);
    expect(deliveredTo(tickets, incident.id).map((e) => [e.type, e.incident.private, e.incident.kind])).toEqual([
      ['incident.declared', true, 'security'],
      ['incident.resolved', true, 'security'],
    ]);
    expect(await pendingIn('integration:status-page', incident.id)).toBe(0);
    expect(statusPage.state.calls.some((c) => deliveredTo(tickets, incident.id).some((e) => c.key.startsWith(e.id)))).toBe(false);
  });

  it('drills to nobody unless asked for', async () => {
    const incident = await buildIncident(d, { isDrill: true });
    await d.incidents.resolve({ incidentId: incident.id, actorId: COMMANDER, summary: 'Exercise over' });
    const lanes = await d.db.selectFrom('slack_tasks').select('lane').distinct().where('incident_id', '=', incident.id).execute();
    expect(lanes).toEqual([{ lane: 'slack' }]);
  });

  it('only the types a subscriber lists', async () => {
    const incident = await lifecycle();
    await deliver(() => deliveredTo(slow, incident.id).length === 1 && deliveredTo(tickets, incident.id).length === LIFECYCLE.length);
    expect(deliveredTo(slow, incident.id).map((e) => e.type)).toEqual(['incident.declared']);
  });

  it('every feature that writes a mapped row publishes it: roles, notes, reopening, reviews, actions, problems, changes, escalation', async () => {
    const incident = await buildIncident(d, { severity: 'SEV2' });
    await d.roles.assign({ incidentId: incident.id, role: 'communications', userId: 'UCOMMS', actorId: COMMANDER });
    await d.incidents.addNote(incident.id, COMMANDER, 'Vendor paged');
    const { change } = await d.changes.recordDeployment({ externalId: `deploy-${incident.id}`, services: ['checkout'], title: 'Payment config' });
    await d.changes.linkCause({ incidentId: incident.id, changeRef: `CHG-${change.id}`, actorId: COMMANDER });
    await d.changes.clearCause({ incidentId: incident.id, actorId: COMMANDER });
    await d.incidents.resolve({ incidentId: incident.id, actorId: COMMANDER, summary: 'Rolled back' });
    await d.incidents.reopen({ incidentId: incident.id, actorId: COMMANDER, reason: 'Errors are back' });
    await d.incidents.resolve({ incidentId: incident.id, actorId: COMMANDER, summary: 'Fixed for good' });
    const { action } = await d.actions.add({ incidentId: incident.id, actorId: COMMANDER, title: 'Alert on payment timeouts', ownerId: 'UOWNER' });
    await d.actions.reassign(action.id, COMMANDER, 'UOTHER');
    await d.actions.snooze(action.id, COMMANDER, 3);
    await d.actions.complete(action.id, 'UOTHER');
    await d.actions.reopen(action.id, 'UOTHER');
    await d.problems.create({ incidentId: incident.id, actorId: COMMANDER, title: 'Payment timeouts', description: '', knownError: '', workaround: '', ownerId: COMMANDER });
    await d.reviews.save({ incidentId: incident.id, actorId: COMMANDER, content: { summary: 'Checkout failed', customerImpact: 'Orders failed', rootCause: 'Config', rootCauseConfirmed: true, contributingFactors: '', fiveWhys: '', wentWell: '', wentBadly: '', lessons: '', ownerId: COMMANDER, meetingDate: null } });
    await d.reviews.transition({ incidentId: incident.id, actorId: COMMANDER, to: 'in_review' });
    await d.reviews.transition({ incidentId: incident.id, actorId: COMMANDER, to: 'published' });
    await d.reviews.documentPosted(incident.id, 3, { fileId: 'F1', permalink: 'https://slack.example/files/F1' });
    const other = await buildIncident(d);
    await d.escalation.escalate({ incidentId: other.id, actorId: COMMANDER, priority: 'P1', usergroups: [] });
    await d.triage.triage({ incidentId: other.id, actorId: COMMANDER, category: d.policy.categories[0], impact: 'minor', urgency: 'low', severity: other.severity, services: [], businessImpact: '', classification: 'security_event', reason: 'A scanner' });

    const expected = [
      'incident.declared',
      'incident.role_assigned',
      'incident.note_added',
      'change.linked',
      'change.unlinked',
      'incident.resolved',
      'incident.reopened',
      'incident.resolved',
      'action.created',
      'action.reassigned',
      'action.snoozed',
      'action.done',
      'action.reopened',
      'problem.linked',
      'review.published',
      'review.document_posted',
    ];
    await deliver(() => deliveredTo(tickets, incident.id).length >= expected.length && deliveredTo(tickets, other.id).length >= 4);
    expect(deliveredTo(tickets, incident.id).map((e) => e.type)).toEqual(expected);
    expect(deliveredTo(tickets, other.id).map((e) => e.type)).toEqual(['incident.declared', 'incident.priority_changed', 'incident.priority_changed', 'incident.triaged', 'incident.classified']);
  });
});
