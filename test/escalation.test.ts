import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import type { FakeChannel, FakeMessage } from './support/fake-slack.js';
import { declareIncident, lastModal, messageText, submitModal } from './support/flows.js';
import { ask, buttonIds, resolveIncident, run } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
let channel: FakeChannel;
const clock = new FakeClock('2026-11-16T10:00:00Z');
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const [id, tz, offset] of [['UFAY', 'UTC', 0], ['UGUS', 'UTC', 0], ['UHAL', 'UTC', 0], ['UCOM', 'UTC', 0], ['UREV', 'America/New_York', -18000]] as const) t.fake.addUser({ id, name: id.slice(1).toLowerCase(), tz, tz_offset: offset });
  channel = await declareIncident(t, { userId: 'UCOM', title: 'Payment webhooks delayed', severity: 'SEV2', commander: 'UCOM' });
  const add = async (key: string, owner: string, text: string, due: string) => {
    ids[key] = /A-(\d+)/.exec((await ask(t, `action <@${owner}> ${text} due ${due}`, 'UCOM', channel.id)).text)![1];
  };
  await add('fay', 'UFAY', 'Alert on webhook queue age', '2026-11-24');
  await add('gus', 'UGUS', 'Retry webhooks with backoff', '2026-11-25');
  await add('hal', 'UHAL', 'Write the webhook runbook', '2026-11-20');
  // The review of this P2 is owned by someone other than the commander: both hear about overdue actions.
  await resolveIncident(t, channel, 'UCOM', 'Webhook workers scaled up.');
  await run(t, 'review', 'UCOM', channel.id);
  await submitModal(t, 'UCOM', 'review_modal', {
    pir_summary: { pir_summary: input.text('Webhooks were delayed up to 40 minutes.') },
    pir_owner: { pir_owner: input.user('UREV') },
  });
  await t.settle();
});
afterAll(() => t?.stop());

const escalations = (user: string): FakeMessage[] => (t.fake.dmWith(user)?.messages ?? []).filter((m) => m.text?.startsWith('Overdue follow-up actions'));
const runAt = async (iso: string) => {
  clock.set(iso);
  await t.app.scheduler.runNow('reminders');
  await t.settle();
};

describe('overdue actions', () => {
  it('snoozing one from the action list keeps it from escalating, and redraws the list', async () => {
    clock.set('2026-11-23T10:00:00Z');
    const res = await t.slack.command({ text: 'actions all', userId: 'UHAL', channelId: channel.id });
    const list = await eventually(() => t.fake.responses.find((r) => r.url === res.responseUrl)?.body);
    const value = list.blocks.find((b: any) => b.block_id === `act_${ids.hal}`).elements.find((e: any) => e.action_id === 'action_snooze').value;
    // An ephemeral message: Slack sends the click with a response_url and no stored message.
    const click = await t.slack.blockAction({ userId: 'UHAL', actionId: 'action_snooze', value, blockId: `act_${ids.hal}`, channelId: channel.id, actionType: 'button' });
    const redrawn = await eventually(() => t.fake.responses.find((r) => r.url === click.responseUrl)?.body);
    expect(redrawn.replace_original).toBe(true);
    expect(messageText(redrawn)).toMatch(/Write the webhook runbook[\s\S]*snoozed until Mon 30 Nov/);
    expect((await t.app.db.selectFrom('follow_up_actions').select('snoozed_until').where('id', '=', ids.hal).executeTakeFirstOrThrow()).snoozed_until).toBe('2026-11-30');
  });

  it('are escalated to the commander and the review owner after 3 days, each in their own 09:00, once', async () => {
    await runAt('2026-11-26T10:00:00Z'); // Thursday: Fay's action is 2 days overdue
    expect(escalations('UCOM')).toHaveLength(0);

    await runAt('2026-11-27T10:00:00Z'); // Friday: 3 days
    expect(escalations('UCOM')).toHaveLength(1);
    expect(escalations('UREV')).toHaveLength(0); // 05:00 in New York
    const text = messageText(escalations('UCOM')[0]);
    expect(text).toContain('3+ days overdue');
    expect(text).toContain('Alert on webhook queue age');
    expect(text).toContain('<@UFAY>');
    expect(text).not.toContain('Retry webhooks'); // 2 days
    expect(buttonIds(escalations('UCOM')[0])).toEqual(['action_done', 'action_snooze', 'action_reassign', 'action_open_incident']);

    await runAt('2026-11-27T14:05:00Z'); // 09:05 in New York
    expect(escalations('UREV')).toHaveLength(1);
    // The review owner's own digest chases the review, overdue since the 21st.
    const digest = (t.fake.dmWith('UREV')!.messages.filter((m) => m.text?.startsWith('Your follow-up actions')))[0];
    expect(digest.text).toBe('Your follow-up actions: 1 review due');
    expect(messageText(digest)).toMatch(/Post-incident reviews you own\*\n• \*INC-1\* review \(draft\) \*overdue\*, was due <!date\^\d+\^\{date_short_pretty\}\|2026-11-21/);
    await t.slack.blockAction({ userId: 'UREV', actionId: buttonIds(digest).find((id) => id.startsWith('review_open'))!, channelId: t.fake.dmWith('UREV')!.id, messageTs: digest.ts });
    const form = await eventually(() => lastModal(t, 'UREV', 'review_modal'));
    expect(form.blocks.find((b: any) => b.block_id === 'pir_summary').element.initial_value).toBe('Webhooks were delayed up to 40 minutes.');
    t.fake.closeView(form.id);
    expect(messageText(escalations('UREV')[0])).toContain('Alert on webhook queue age');
    expect(escalations('UCOM')).toHaveLength(1);

    await runAt('2026-11-28T10:00:00Z'); // Saturday: Gus's action reaches 3 days, but nobody is paged at weekends
    expect(escalations('UCOM')).toHaveLength(1);
    await runAt('2026-11-30T10:00:00Z'); // Monday: Gus's action, and Hal's now that its snooze is over
    expect(escalations('UCOM')).toHaveLength(2);
    expect(messageText(escalations('UCOM')[1])).toMatch(/Write the webhook runbook[\s\S]*Retry webhooks with backoff/);
    expect(messageText(escalations('UCOM')[1])).not.toContain('Alert on webhook queue age');
    await runAt('2026-11-30T16:00:00Z');
    await runAt('2026-12-01T10:00:00Z');
    expect(escalations('UCOM')).toHaveLength(2);
    expect(escalations('UREV')).toHaveLength(2);

    const events = await t.app.db.selectFrom('timeline_events').selectAll().where('kind', '=', 'action_escalated').orderBy('id').execute();
    expect(events.map((e) => `${e.payload.title} → ${e.payload.recipient}`)).toEqual([
      'Alert on webhook queue age → UCOM',
      'Alert on webhook queue age → UREV',
      'Write the webhook runbook → UCOM',
      'Retry webhooks with backoff → UCOM',
      'Write the webhook runbook → UREV',
      'Retry webhooks with backoff → UREV',
    ]);
    expect(events[0].payload.days_overdue).toBe(3);
  });

  it('Done in the escalation DM updates it and the timeline', async () => {
    const msg = escalations('UCOM')[0];
    const dm = t.fake.dmWith('UCOM')!;
    await t.slack.blockAction({ userId: 'UCOM', actionId: 'action_done', channelId: dm.id, messageTs: msg.ts, blockId: `act_${ids.fay}` });
    await t.settle();
    await eventually(() => messageText(msg).includes('done by <@UCOM>'));
    const kinds = await t.app.db.selectFrom('timeline_events').select(['kind', 'actor_id']).where('kind', '=', 'action_done').execute();
    expect(kinds).toEqual([{ kind: 'action_done', actor_id: 'UCOM' }]);
    // Fay's own digest (which listed it) was refreshed too.
    const digest = t.fake.dmWith('UFAY')!.messages.filter((m) => m.text?.startsWith('Your follow-up actions')).at(-1)!;
    await eventually(() => messageText(digest).includes('done by <@UCOM>'));
  });
});

describe('the overdue list', () => {
  it('shows what is overdue now, for this incident in its channel and for everyone elsewhere', async () => {
    const here = await ask(t, 'actions overdue', 'UCOM', channel.id);
    expect(here.text).toMatch(/^INC-1 overdue actions: 2$/);
    const text = messageText(here);
    expect(text.indexOf('Write the webhook runbook')).toBeLessThan(text.indexOf('Retry webhooks with backoff'));
    expect(text).not.toContain('Alert on webhook queue age');
    const everywhere = await ask(t, 'actions overdue', 'UCOM', 'CGENERAL');
    expect(everywhere.text).toBe('Overdue follow-up actions: 2');
    expect(messageText(everywhere)).toContain('<@UGUS>');
  });
});
