import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, lastModal, lastResponse, submitModal } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
let c: FakeChannel;
beforeAll(async () => {
  t = await startTestApp({
    policy: policySchema.parse({
      permissions: {
        resolve: { roles: ['commander', 'deputy'] },
        close: { usergroups: ['incident-leads'] },
        reopen: { users: ['UBOSS'] },
        priority: { roles: ['commander'] },
      },
      reviews: { required_priorities: [] },
    }),
  });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCAT', 'cat'], ['UBOSS', 'boss']]) t.fake.addUser({ id, name });
  t.fake.addUsergroup({ id: 'S0LEADS', handle: 'incident-leads', users: ['UCAT'] });
  c = await declareIncident(t, { userId: 'UANA', title: 'Guarded incident', commander: 'UANA' });
});
afterAll(() => t?.stop());

const say = async (text: string, userId: string) => (await lastResponse(t, (await t.slack.command({ text, userId, channelId: c.id })).responseUrl)).text as string;
const stored = () => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();
const triage = (impact: string, urgency: string) => ({
  category: { category: input.select('network') },
  impact: { impact: input.select(impact) },
  urgency: { urgency: input.select(urgency) },
  severity: { severity: input.select('SEV2') },
  services: { services: input.text(null) },
  business_impact: { business_impact: input.text(null) },
  classification: { classification: input.radio('incident') },
  reason: { reason: input.text(null) },
});

describe('permissions from the policy', () => {
  it('refuses to let a non-commander resolve, by command and by card button', async () => {
    expect(await say('resolve', 'UBEN')).toBe('Only the Incident commander or the Deputy commander may resolve INC-1.');
    const res = await t.slack.blockAction({ userId: 'UBEN', actionId: 'incident_open_resolve', channelId: c.id, messageTs: c.pins[0] });
    expect((await lastResponse(t, res.responseUrl!)).text).toBe('Only the Incident commander or the Deputy commander may resolve INC-1.');
    expect([...t.fake.views.values()].some((v) => v.user === 'UBEN' && v.view.callback_id === 'incident_resolve')).toBe(false);
  });

  it('a deputy may resolve', async () => {
    await t.slack.command({ text: 'role deputy <@UBEN|ben>', userId: 'UANA', channelId: c.id });
    await t.settle();
    await t.slack.command({ text: 'resolve', userId: 'UBEN', channelId: c.id });
    await submitModal(t, 'UBEN', 'incident_resolve', { summary: { summary: input.text('Done by the deputy') } });
    expect((await stored()).resolved_at).toBeInstanceOf(Date);
  });

  it('closing is for members of the leads user group; reopening for one named person', async () => {
    expect(await say('close', 'UANA')).toBe('Only members of @incident-leads may close INC-1.');
    expect(await say('reopen not fixed', 'UANA')).toBe('Only <@UBOSS> may reopen INC-1.');
    expect(await say('close', 'UCAT')).toBe('INC-1 is closed.');
    expect(await say('reopen not fixed after all', 'UBOSS')).toBe('INC-1 is open again.');
  });

  it('changing the priority is for the commander; the first triage is open to all', async () => {
    await t.slack.command({ text: 'triage', userId: 'UBEN', channelId: c.id });
    const first = await submitModal(t, 'UBEN', 'incident_triage', triage('moderate', 'medium'));
    expect(first.body).toBeFalsy();
    expect((await stored()).priority).toBe('P3');
    await t.slack.command({ text: 'triage', userId: 'UBEN', channelId: c.id });
    await eventually(() => lastModal(t, 'UBEN', 'incident_triage'));
    const change = await submitModal(t, 'UBEN', 'incident_triage', triage('extensive', 'critical'));
    expect(change.body).toEqual({ response_action: 'errors', errors: { category: 'Only the Incident commander may change the priority of INC-1.' } });
    expect((await stored()).priority).toBe('P3');
    await t.slack.command({ text: 'triage', userId: 'UANA', channelId: c.id });
    await submitModal(t, 'UANA', 'incident_triage', triage('extensive', 'critical'));
    expect((await stored()).priority).toBe('P1');
  });

  it('a policy naming an unknown role is refused at start-up', () => {
    const r = policySchema.safeParse({ permissions: { resolve: { roles: ['wizard'] } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['permissions', 'resolve', 'roles', 0], message: 'unknown role wizard' });
  });
});

describe('permissions that depend on Slack user groups, while Slack is slow', () => {
  let s: TestApp;
  beforeAll(async () => {
    s = await startTestApp({ policy: policySchema.parse({ permissions: { resolve: { usergroups: ['incident-leads'] } }, reviews: { required_priorities: [] } }) });
    for (const [id, name] of [['UANA', 'ana'], ['UCAT', 'cat']]) s.fake.addUser({ id, name });
    s.fake.addUsergroup({ id: 'S0LEADS', handle: 'incident-leads', users: ['UCAT'] });
  });
  afterAll(() => s?.stop());

  it('a form is answered with "try again" rather than waiting on Slack, and the next try is decided at once', async () => {
    const channel = await declareIncident(s, { userId: 'UANA', title: 'Slow user groups', commander: 'UANA' });
    // Resolving through the update form: the permission is checked before the form is answered.
    const resolveByUpdate = async () => {
      await s.slack.command({ text: 'update', userId: 'UCAT', channelId: channel.id });
      await eventually(() => lastModal(s, 'UCAT', 'incident_update'));
      return submitModal(s, 'UCAT', 'incident_update', { status: { status: input.select('resolved') }, message: { message: input.text('Failed over') }, next_update: { next_update: input.select('none') } });
    };
    const held = s.fake.hold('usergroups.users.list');
    const first = await resolveByUpdate();
    expect(held.received).toBe(true);
    expect(first.body).toEqual({ response_action: 'errors', errors: { message: 'Slack did not answer in time about the user groups this permission depends on; try again in a moment.' } });
    expect((await s.app.db.selectFrom('incidents').select('resolved_at').where('channel_id', '=', channel.id).executeTakeFirstOrThrow()).resolved_at).toBeNull();

    // Slack answers late: the membership is kept, and the same person's next try goes through.
    held.release();
    await eventually(() => s.fake.callsTo('usergroups.users.list').some((c) => c.ok), 5_000, 'Slack answering the held look-up');
    await s.settle();
    const second = await resolveByUpdate();
    expect(second.body).toBeFalsy();
    expect((await s.app.db.selectFrom('incidents').select('resolved_at').where('channel_id', '=', channel.id).executeTakeFirstOrThrow()).resolved_at).toBeInstanceOf(Date);
    expect(s.fake.callsTo('usergroups.users.list')).toHaveLength(1);
  });
});
