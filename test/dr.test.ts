import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { declareIncident, lastModal, lastResponse, messageText, submitModal } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

const policy = policySchema.parse({
  dr: {
    crisis_team: 'crisis-team',
    plans: [
      { name: 'office-loss', title: 'Work from the backup office', checklist: ['Call the facilities manager'] },
      {
        name: 'region-failover',
        title: 'Fail over to the secondary region',
        services: ['checkout'],
        document: 'https://wiki.example.com/bcp/region-failover',
        checklist: [{ text: 'Freeze deployments', role: 'operations' }, { text: 'Post the status page notice', role: 'communications' }, 'Promote the secondary database'],
      },
    ],
  },
});

const clock = new FakeClock('2026-11-26T09:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy, clock });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCAT', 'cat'], ['UDAN', 'dan'], ['UEVE', 'eve']]) t.fake.addUser({ id, name });
  t.fake.addUsergroup({ id: 'S0CRISIS', handle: 'crisis-team', users: ['UDAN', 'UEVE'] });
});
afterAll(() => t?.stop());

const announce = () => t.fake.channelByName('incidents')!;
const stored = (c: FakeChannel) => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();
const timeline = async (c: FakeChannel) => t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', (await stored(c)).id).orderBy('id').execute();
const reply = async (c: FakeChannel, text: string, userId: string) => lastResponse(t, (await t.slack.command({ text, userId, channelId: c.id })).responseUrl);
const drModals = (userId: string) => [...t.fake.views.values()].filter((v) => v.user === userId && v.view.callback_id === 'incident_dr').length;

describe('DR activation is guarded', () => {
  it('is refused below P1, without opening the confirmation', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Slow checkout', severity: 'SEV2' });
    const r = await reply(c, 'dr', 'UANA');
    expect(r.text).toBe('A DR plan is activated on P1 incidents only; this one is P2. Escalate it first (`/incident escalate`).');
    expect(drModals('UANA')).toBe(0);
  });

  it('is refused to anyone but the commander or deputy', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Primary region dark', severity: 'SEV1' });
    const r = await reply(c, 'dr', 'UCAT');
    expect(r.text).toBe('Only the incident commander or deputy can activate a DR plan: ask <@UANA> (commander).');
    expect(drModals('UCAT')).toBe(0);
    await t.slack.command({ text: 'role deputy <@UBEN|ben>', userId: 'UANA', channelId: c.id });
    await t.settle();
    await t.slack.command({ text: 'dr', userId: 'UBEN', channelId: c.id });
    await eventually(() => lastModal(t, 'UBEN', 'incident_dr'));
  });

  it('checks again on confirmation: a priority lowered meanwhile refuses it inline', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Power cut in DC2', severity: 'SEV1' });
    await t.slack.command({ text: 'dr office-loss', userId: 'UANA', channelId: c.id });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_dr'));
    await t.app.db.updateTable('incidents').set({ priority: 'P3' }).where('channel_id', '=', c.id).execute();
    const res = await t.slack.viewSubmission({ userId: 'UANA', view, values: { dr_plan: { dr_plan: input.select('office-loss') }, reason: { reason: input.text(null) } } });
    expect(res.body).toEqual({ response_action: 'errors', errors: { reason: 'A DR plan is activated on P1 incidents only; this one is P3. Escalate it first (`/incident escalate`).' } });
    expect((await stored(c)).dr_plan).toBeNull();
  });
});

describe('DR activation', () => {
  it('posts the checklist, pages the crisis team, announces it, and timestamps every step; deactivation too', async () => {
    clock.set('2026-11-26T10:00:00Z');
    const c = await declareIncident(t, { userId: 'UANA', title: 'Checkout region outage', severity: 'SEV1', services: 'checkout' });
    await t.slack.command({ text: 'dr', userId: 'UANA', channelId: c.id });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_dr'));
    const select = view.blocks.find((b: any) => b.block_id === 'dr_plan');
    expect(select.element.initial_option.value).toBe('region-failover');
    expect(select.element.options.map((o: any) => o.value)).toEqual(['region-failover', 'office-loss']);
    expect(messageText({ blocks: view.blocks })).toContain('• invite and page @crisis-team');

    clock.set('2026-11-26T10:05:00Z');
    const res = await submitModal(t, 'UANA', 'incident_dr', { dr_plan: { dr_plan: input.select('region-failover') }, reason: { reason: input.text('Primary region unreachable for 20 minutes') } });
    expect(res.body).toBeFalsy();
    const row = await stored(c);
    expect(row).toMatchObject({ dr_plan: 'region-failover', dr_activated_at: new Date('2026-11-26T10:05:00Z') });

    const checklist = await eventually(() => c.messages.find((m) => m.blocks?.[0]?.text?.text === ':sos: DR plan: Fail over to the secondary region'));
    expect(checklist.blocks!.filter((b: any) => b.block_id?.startsWith('item_'))).toHaveLength(3);
    await eventually(() => c.members.has('UDAN') && c.members.has('UEVE'));
    expect(c.messages.some((m) => messageText(m).includes(`<!subteam^S0CRISIS> you are paged for INC-${row.number} (P1) by <@UANA>. DR plan "Fail over to the secondary region" is active.`))).toBe(true);
    expect(c.messages.some((m) => messageText(m).startsWith(':sos: <@UANA> activated DR plan Fail over to the secondary region: Primary region unreachable'))).toBe(true);

    const broadcast = await eventually(() => announce().messages.find((m) => m.reply_broadcast && messageText(m).includes('*DR plan active*')));
    expect(broadcast.text).toBe(`:sos: *DR plan active*: Fail over to the secondary region for *INC-${row.number}: Checkout region outage* — activated by <@UANA>: Primary region unreachable for 20 minutes · @crisis-team paged · <#${c.id}>`);
    const original = announce().messages.find((m) => m.ts === broadcast.thread_ts)!;
    await eventually(() => messageText(original).includes(':sos: *DR plan active*: Fail over to the secondary region'));
    await eventually(() => messageText(c.messages.find((m) => m.ts === c.pins[0])).includes('<https://wiki.example.com/bcp/region-failover|plan>'));

    clock.set('2026-11-26T10:08:00Z');
    await t.slack.blockAction({ userId: 'UCAT', actionId: 'checklist_toggle:0', channelId: c.id, messageTs: checklist.ts });
    await t.settle();
    const rows = await timeline(c);
    const steps = rows.filter((r) => ['dr_activated', 'paged', 'checklist_posted', 'checklist_ticked'].includes(r.kind)).map((r) => [r.kind, r.at.toISOString(), r.actor_id]);
    expect(steps).toEqual([
      ['dr_activated', '2026-11-26T10:05:00.000Z', 'UANA'],
      ['paged', '2026-11-26T10:05:00.000Z', null],
      ['checklist_posted', '2026-11-26T10:05:00.000Z', 'UANA'],
      ['checklist_ticked', '2026-11-26T10:08:00.000Z', 'UCAT'],
    ]);
    expect(rows.find((r) => r.kind === 'paged')!.payload).toMatchObject({ usergroup: 'crisis-team', users: ['UDAN', 'UEVE'] });
    expect(rows.find((r) => r.kind === 'checklist_ticked')!.payload).toMatchObject({ source: 'dr', text: 'Freeze deployments' });
    expect(rows.find((r) => r.kind === 'dr_activated')!.payload).toMatchObject({ plan: 'region-failover', reason: 'Primary region unreachable for 20 minutes', crisis_team: 'crisis-team' });

    expect((await reply(c, 'dr', 'UANA')).text).toBe('DR plan *Fail over to the secondary region* is already active. `/incident dr deactivate` records its end.');

    clock.set('2026-11-26T12:35:00Z');
    expect((await reply(c, 'dr deactivate', 'UCAT')).text).toBe('Only the incident commander or deputy can deactivate a DR plan: ask <@UANA> (commander).');
    expect((await reply(c, 'dr deactivate Failed back to primary', 'UANA')).text).toBe('DR plan *Fail over to the secondary region* is no longer active; recorded on the timeline.');
    await t.settle();
    expect((await stored(c)).dr_plan).toBeNull();
    const off = (await timeline(c)).find((r) => r.kind === 'dr_deactivated')!;
    expect(off).toMatchObject({ actor_id: 'UANA', at: new Date('2026-11-26T12:35:00Z'), payload: { plan: 'region-failover', active_minutes: 150, reason: 'Failed back to primary' } });
    await eventually(() => announce().messages.some((m) => m.thread_ts === broadcast.thread_ts && messageText(m).includes('is no longer active after 2h 30m')));
    await eventually(() => !messageText(c.messages.find((m) => m.ts === c.pins[0])).includes('DR plan active'));
  });

  it('a security incident is announced as under a DR plan, without any details', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Ransomware on the ERP cluster', severity: 'SEV1', kind: 'security' });
    await t.slack.command({ text: 'dr', userId: 'UANA', channelId: c.id });
    await submitModal(t, 'UANA', 'incident_dr', { dr_plan: { dr_plan: input.select('office-loss') }, reason: { reason: input.text('ERP encrypted') } });
    const number = (await stored(c)).number;
    await eventually(() => announce().messages.some((m) => m.text === `:sos: A disaster-recovery plan is now active for a security incident (INC-${number}). Details are restricted; the crisis team has been paged.`));
    await eventually(() => announce().messages.some((m) => messageText(m).includes(`security incident (INC-${number}) is open`) && messageText(m).includes('A disaster-recovery plan is active.')));
    for (const ch of t.fake.channels.values()) {
      if (ch.id === c.id || ch.is_im) continue;
      for (const m of ch.messages) expect(messageText(m)).not.toMatch(/Ransomware|ERP|backup office/);
    }
  });
});
