import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionTask } from '../../src/actions/side-effects.js';
import { queuedTasks, startDomain, type Domain } from '../support/domain.js';
import { buildAction, buildResolvedIncident, COMMANDER } from '../support/factories.js';

let d: Domain;
beforeAll(async () => {
  // 23:30 UTC: "today" is still 2026-11-26 in UTC, already the 27th east of it.
  d = await startDomain({ now: '2026-11-26T23:30:00Z', policy: { actions: { default_due_days: 10, teams: [{ id: 'payments', members: ['UPAY'] }] }, reminders: { snooze_days: 5 } } });
});
afterAll(() => d?.stop());

const timeline = async (incidentId: string) => (await d.incidents.timeline(incidentId)).filter((e) => e.kind.startsWith('action_')).map((e) => ({ kind: e.kind, payload: e.payload }));
const notices = async (actionId: string) => (await queuedTasks(d, ActionTask.notifyOwner)).filter((t) => t.payload.actionId === actionId).map((t) => t.payload);

describe('adding a follow-up action', () => {
  it('fills in the policy defaults: due date, medium priority and the owner’s team', async () => {
    const action = await buildAction(d, { ownerId: 'UPAY', title: '  Alert on payment latency ' });
    expect(action).toMatchObject({ title: 'Alert on payment latency', ownerId: 'UPAY', team: 'payments', dueDate: '2026-12-06', priority: 'medium', status: 'open', createdBy: COMMANDER });
    expect(await timeline(action.incidentId)).toEqual([{ kind: 'action_added', payload: { action_id: action.id, title: 'Alert on payment latency', owner: 'UPAY', due: '2026-12-06', priority: 'medium' } }]);
  });

  it('tells the owner by DM, unless they added it themselves', async () => {
    const forOther = await buildAction(d, { ownerId: 'UOTHER' });
    const forSelf = await buildAction(d, { ownerId: COMMANDER });
    expect(await notices(forOther.id)).toEqual([{ actionId: forOther.id, by: COMMANDER }]);
    expect(await notices(forSelf.id)).toEqual([]);
  });

  it('checks each field and names what is wrong', () => {
    const ok = { title: 'Fix it', ownerId: 'U1' };
    expect(d.actions.check(ok)).toEqual({});
    expect(d.actions.check({ ...ok, title: ' ' })).toEqual({ title: 'Say what needs doing.' });
    expect(d.actions.check({ ...ok, title: 'x'.repeat(301) })).toEqual({ title: 'Keep it to 300 characters (it has 301).' });
    expect(d.actions.check({ ...ok, ownerId: 'ana' })).toEqual({ ownerId: 'Choose who owns it.' });
    expect(d.actions.check({ ...ok, dueDate: '2026-02-30' })).toEqual({ dueDate: 'Give the due date as YYYY-MM-DD.' });
    expect(d.actions.check({ ...ok, priority: 'urgent' as never })).toEqual({ priority: 'Choose high, medium or low.' });
    expect(d.actions.check({ ...ok, trackerUrl: 'jira/OPS-1' })).toEqual({ trackerUrl: 'The tracker link must start with http:// or https://.' });
  });

  it('accepts yesterday as a due date (it may be today where the owner is), not the day before', () => {
    expect(d.actions.check({ title: 'x', ownerId: 'U1', dueDate: '2026-11-25' })).toEqual({});
    expect(d.actions.check({ title: 'x', ownerId: 'U1', dueDate: '2026-11-24' })).toEqual({ dueDate: 'The due date is in the past.' });
  });

  it('adds once per source key, and refuses an unknown incident', async () => {
    const incident = await buildResolvedIncident(d);
    const first = await buildAction(d, { incidentId: incident.id, sourceKey: 'view:A1' });
    const again = await d.actions.add({ incidentId: incident.id, actorId: COMMANDER, title: 'Different text', ownerId: 'UOWNER', sourceKey: 'view:A1' });
    expect(again).toEqual({ action: first, created: false });
    expect(await d.actions.forIncident(incident.id)).toHaveLength(1);
    await expect(buildAction(d, { incidentId: '999999' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('changing an action', () => {
  it('completes once: the second "done" changes nothing and writes no row', async () => {
    const action = await buildAction(d);
    expect((await d.actions.complete(action.id, 'UOWNER')).changed).toBe(true);
    const again = await d.actions.complete(action.id, 'UOWNER');
    expect(again.changed).toBe(false);
    expect(again.action).toMatchObject({ status: 'done', doneBy: 'UOWNER', doneAt: d.clock.now() });
    expect((await timeline(action.incidentId)).map((e) => e.kind)).toEqual(['action_added', 'action_done']);
  });

  it('snoozes an open action from today for the policy’s days, and never a done one', async () => {
    const action = await buildAction(d);
    const { action: snoozed } = await d.actions.snooze(action.id, 'UOWNER');
    expect(snoozed.snoozedUntil).toBe('2026-12-01');
    expect((await d.actions.snooze(action.id, 'UOWNER', 2)).action.snoozedUntil).toBe('2026-11-28');
    await d.actions.complete(action.id, 'UOWNER');
    await expect(d.actions.snooze(action.id, 'UOWNER')).rejects.toMatchObject({ code: 'invalid_state', message: 'That action is already done.' });
  });

  it('reopening clears completion and snooze', async () => {
    const action = await buildAction(d);
    await d.actions.snooze(action.id, 'UOWNER');
    await d.actions.complete(action.id, 'UOWNER');
    const { action: reopened, changed } = await d.actions.reopen(action.id, COMMANDER);
    expect(changed).toBe(true);
    expect(reopened).toMatchObject({ status: 'open', doneAt: null, doneBy: null, snoozedUntil: null });
    expect((await d.actions.reopen(action.id, COMMANDER)).changed).toBe(false);
  });

  it('reassigning moves the team, ends a snooze and tells the new owner', async () => {
    const action = await buildAction(d, { ownerId: 'UOTHER' });
    await d.actions.snooze(action.id, 'UOTHER');
    const { action: moved } = await d.actions.reassign(action.id, COMMANDER, 'UPAY');
    expect(moved).toMatchObject({ ownerId: 'UPAY', team: 'payments', snoozedUntil: null });
    expect(await notices(action.id)).toEqual([
      { actionId: action.id, by: COMMANDER },
      { actionId: action.id, by: COMMANDER },
    ]);
    expect((await timeline(action.incidentId)).at(-1)).toEqual({ kind: 'action_reassigned', payload: { action_id: action.id, title: action.title, from: 'UOTHER', to: 'UPAY' } });
    expect((await d.actions.reassign(action.id, COMMANDER, 'UPAY')).changed).toBe(false);
    expect(() => d.actions.reassign(action.id, COMMANDER, 'nobody')).toThrow('Choose who should own it.');
  });

  it('an unknown action is "not found"', async () => {
    await expect(d.actions.complete('999999', COMMANDER)).rejects.toMatchObject({ code: 'not_found', message: 'There is no action A-999999.' });
  });
});
