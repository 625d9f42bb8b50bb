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
});
