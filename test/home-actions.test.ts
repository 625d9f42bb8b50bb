import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateBlocks } from './support/block-kit-validator.js';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, messageText } from './support/flows.js';
import { eventually } from './support/wait.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  t.fake.addUser({ id: 'UANA', name: 'ana' });
});
afterAll(() => t?.stop());

const home = () => t.fake.views.get(t.fake.homeViews.get('UANA') ?? '');

describe('the Home tab', () => {
  it('lists my follow-up actions, and Done there completes the action and redraws the tab', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Backups failing' });
    await t.slack.command({ text: 'action <@UANA|ana> Add restore test to the nightly job due 2030-01-15', userId: 'UANA', channelId: c.id });
    await t.settle();
    await t.slack.event({ type: 'app_home_opened', user: 'UANA', channel: 'D0HOME', tab: 'home' });
    const first = await eventually(() => home()?.view);
    expect(validateBlocks(first.blocks, 'home')).toEqual([]);
    const text = messageText({ blocks: first.blocks });
    expect(text).toContain('My follow-up actions');
    expect(text).toContain('Add restore test to the nightly job');
    const done = first.blocks.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id && /done/.test(e.action_id) && e.text?.text === 'Done');
    const before = home()!.hash;
    await t.slack.blockAction({ userId: 'UANA', actionId: done.action_id, value: done.value, view: { ...first, id: home()!.id } });
    await t.settle();
    const row = await t.app.db.selectFrom('follow_up_actions').select(['status', 'done_by']).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'done', done_by: 'UANA' });
    await eventually(() => home()!.hash !== before);
    expect(messageText({ blocks: home()!.view.blocks })).toContain('Nothing open.');
  });

  it('a button on a Home tab that is out of date answers by DM, as there is no conversation to answer in', async () => {
    const c = await declareIncident(t, { userId: 'UANA', title: 'Disk full on db-2' });
    await t.slack.command({ text: 'action <@UANA|ana> Add disk alerts due 2030-01-15', userId: 'UANA', channelId: c.id });
    await t.settle();
    await t.slack.event({ type: 'app_home_opened', user: 'UANA', channel: 'D0HOME', tab: 'home' });
    const stale = await eventually(() => (messageText({ blocks: home()?.view.blocks }).includes('Add disk alerts') ? home()!.view : undefined));
    const buttons = stale.blocks.flatMap((b: any) => b.elements ?? []);
    const done = buttons.find((e: any) => /done/.test(e.action_id) && e.text?.text === 'Done');
    const snooze = buttons.find((e: any) => /snooze/.test(e.action_id) && e.value === done.value);
    await t.slack.blockAction({ userId: 'UANA', actionId: done.action_id, value: done.value, view: { ...stale, id: home()!.id } });
    await t.settle();
    const dmsBefore = t.fake.dmWith('UANA')?.messages.length ?? 0;
    const res = await t.slack.blockAction({ userId: 'UANA', actionId: snooze.action_id, value: snooze.value, view: { ...stale, id: home()!.id } });
    expect(res.status).toBe(200);
    await t.settle();
    const dm = await eventually(() => t.fake.dmWith('UANA')?.messages.slice(dmsBefore).find((m) => m.text === 'That action is already done.'));
    expect(dm.user).not.toBe('UANA');
  });
});
