import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { declareIncident, lastResponse, messageText, submitModal, triageValues } from './support/flows.js';
import type { FakeChannel, FakeMessage } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

const policy = policySchema.parse({
  playbooks: [
    { name: 'security-first-hour', title: 'Security: first hour', when: { kinds: ['security'] }, items: [{ text: 'Preserve evidence', role: 'security' }, 'Rotate exposed credentials', { text: 'Brief legal', role: 'communications' }] },
    { name: 'database-outage', title: 'Database outage', when: { categories: ['database'] }, items: ['Check replication lag', { text: 'Fail over', role: 'operations' }] },
    { name: 'comms-kit', title: 'Customer comms kit', items: ['Draft the status page', 'Brief customer support'] },
  ],
});

const clock = new FakeClock('2026-11-26T09:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy, clock });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCAT', 'cat']]) t.fake.addUser({ id, name });
});
afterAll(() => t?.stop());

const incidentId = async (c: FakeChannel) => (await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', c.id).executeTakeFirstOrThrow()).id;
const timeline = async (c: FakeChannel) => t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', await incidentId(c)).orderBy('id').execute();
const checklist = (c: FakeChannel, title: string) => c.messages.find((m) => m.blocks?.[0]?.type === 'header' && m.blocks[0].text.text.endsWith(title));
const itemLines = (m: FakeMessage) => m.blocks!.filter((b: any) => b.block_id?.startsWith('item_')).map((b: any) => b.text.text as string);
const tick = (c: FakeChannel, m: FakeMessage, index: number, userId: string) => t.slack.blockAction({ userId, actionId: `checklist_toggle:${index}`, channelId: c.id, messageTs: m.ts });
const unix = (d: Date) => Math.floor(d.getTime() / 1000);

describe('playbooks', () => {
  it('posts the matching playbook at declaration as an interactive checklist, with role owners', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Leaked API key', kind: 'security' });
    const m = await eventually(() => checklist(c, 'Playbook: Security: first hour'));
    expect(itemLines(m)).toEqual([
      ':white_large_square: *1.* Preserve evidence _(Security lead: unassigned)_',
      ':white_large_square: *2.* Rotate exposed credentials',
      ':white_large_square: *3.* Brief legal _(Communications lead: unassigned)_',
    ]);
    expect(m.blocks!.filter((b: any) => b.accessory).map((b: any) => [b.accessory.action_id, b.accessory.text.text])).toEqual([
      ['checklist_toggle:0', 'Done'],
      ['checklist_toggle:1', 'Done'],
      ['checklist_toggle:2', 'Done'],
    ]);
    const posted = (await timeline(c)).find((r) => r.kind === 'checklist_posted')!;
    expect(posted.payload).toMatchObject({ source: 'playbook', name: 'security-first-hour', checklist: 'Security: first hour', items: 3 });
    expect(checklist(c, 'Database outage')).toBeUndefined();
  });

  it('ticking records who and when on the timeline and updates the message; unticking too', async () => {
    clock.set('2026-11-26T10:00:00Z');
    const c = await declareIncident(t, { userId: 'UANA', title: 'Phishing wave', kind: 'security' });
    const m = await eventually(() => checklist(c, 'Security: first hour'));
    clock.set('2026-11-26T10:07:00Z');
    await tick(c, m, 1, 'UBEN');
    await t.settle();
    expect(m.edited).toBe(true);
    expect(itemLines(m)[1]).toBe(`:white_check_mark: ~Rotate exposed credentials~\n_done by <@UBEN> <!date^${unix(clock.now())}^{time}|2026-11-26 10:07 UTC>_`);
    expect(m.blocks!.find((b: any) => b.block_id === 'item_1').accessory.text.text).toBe('Undo');
    expect(messageText({ blocks: [m.blocks!.at(-1)] })).toContain('1 of 3 done');
    let rows = (await timeline(c)).filter((r) => r.kind.startsWith('checklist_'));
    expect(rows.at(-1)).toMatchObject({ kind: 'checklist_ticked', actor_id: 'UBEN', at: new Date('2026-11-26T10:07:00Z'), payload: { checklist: 'Security: first hour', item: 2, of: 3, text: 'Rotate exposed credentials' } });

    clock.set('2026-11-26T10:09:00Z');
    await tick(c, m, 1, 'UCAT');
    await t.settle();
    expect(itemLines(m)[1]).toBe(':white_large_square: *2.* Rotate exposed credentials');
    rows = (await timeline(c)).filter((r) => r.kind.startsWith('checklist_'));
    expect(rows.at(-1)).toMatchObject({ kind: 'checklist_unticked', actor_id: 'UCAT', at: new Date('2026-11-26T10:09:00Z') });
    const ticks = await t.app.db.selectFrom('checklist_ticks').selectAll().execute();
    expect(ticks.filter((x) => x.item_index === 1)).toEqual([]);
  });

  it('ticks pressed at the same moment all count', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Credential stuffing', kind: 'security' });
    const m = await eventually(() => checklist(c, 'Security: first hour'));
    await Promise.all([tick(c, m, 0, 'UANA'), tick(c, m, 1, 'UBEN'), tick(c, m, 2, 'UCAT')]);
    await t.settle();
    await eventually(() => itemLines(m).every((l) => l.startsWith(':white_check_mark:')));
    expect(messageText({ blocks: [m.blocks!.at(-1)] })).toContain(':tada: all done');
    expect((await timeline(c)).filter((r) => r.kind === 'checklist_ticked').map((r) => r.actor_id).sort()).toEqual(['UANA', 'UBEN', 'UCAT']);
  });

  it('posts a playbook once when triage sets a matching category, showing the current role holder', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Orders DB down' });
    await t.slack.command({ text: 'role ops <@UCAT|cat>', userId: 'UANA', channelId: c.id });
    for (let i = 0; i < 2; i++) {
      await t.slack.command({ text: 'triage', userId: 'UANA', channelId: c.id });
      await submitModal(t, 'UANA', 'incident_triage', triageValues({ impact: 'significant', urgency: 'high', category: 'database', services: 'orders-db' }));
    }
    const m = await eventually(() => checklist(c, 'Playbook: Database outage'));
    expect(itemLines(m)[1]).toBe(':white_large_square: *2.* Fail over _(Operations lead: <@UCAT>)_');
    expect(c.messages.filter((x) => x.blocks?.[0]?.text?.text === ':clipboard: Playbook: Database outage')).toHaveLength(1);
    expect((await timeline(c)).filter((r) => r.kind === 'checklist_posted')).toHaveLength(1);
  });

  it('/incident playbook lists, posts by hand once, and links to the one already posted', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Status page needed' });
    const list = await lastResponse(t, (await t.slack.command({ text: 'playbook', userId: 'UANA', channelId: c.id })).responseUrl);
    expect(list.text).toContain('• `comms-kit` — Customer comms kit (2 items)');
    const posted = await lastResponse(t, (await t.slack.command({ text: 'playbook comms-kit', userId: 'UBEN', channelId: c.id })).responseUrl);
    expect(posted.text).toBe(':clipboard: Posting the *Customer comms kit* playbook in this channel.');
    await t.settle();
    const m = await eventually(() => checklist(c, 'Playbook: Customer comms kit'));
    expect((await timeline(c)).find((r) => r.kind === 'checklist_posted')!.actor_id).toBe('UBEN');
    const again = await lastResponse(t, (await t.slack.command({ text: 'playbook comms', userId: 'UANA', channelId: c.id })).responseUrl);
    expect(again.text).toMatch(new RegExp(`already in this channel: <https://fake\\.slack\\.test/archives/${c.id}/p${m.ts.replace('.', '')}\\|open it>`));
    const unknown = await lastResponse(t, (await t.slack.command({ text: 'playbook nonsense', userId: 'UANA', channelId: c.id })).responseUrl);
    expect(unknown.text).toBe('No playbook called "nonsense". Playbooks: security-first-hour, database-outage, comms-kit.');
  });

  it('a closed incident keeps its checklist as it was', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Old breach', kind: 'security' });
    const m = await eventually(() => checklist(c, 'Security: first hour'));
    const id = await incidentId(c);
    await t.app.db.updateTable('incidents').set({ resolved_at: clock.now(), closed_at: clock.now(), status: 'resolved' }).where('id', '=', id).execute();
    const res = await tick(c, m, 0, 'UBEN');
    const refusal = await lastResponse(t, res.responseUrl!);
    expect(refusal.text).toBe('This incident is closed; its checklists are final.');
    expect(await t.app.db.selectFrom('checklist_ticks').selectAll().where('run_id', 'in', t.app.db.selectFrom('checklist_runs').select('id').where('incident_id', '=', id)).execute()).toEqual([]);
  });
});
