import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { lastModal, lastResponse, messageText, submitModal, triageValues } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

const policy = policySchema.parse({
  services: [{ name: 'checkout', owner: 'checkout-team', tier: 1 }],
  escalation: [{ priorities: ['P1'], usergroups: ['S0CRISIS'] }],
  comms: { business: { channel: 'C0BIZ' }, executive: { users: ['UCEO'] } },
  drills: {
    scenarios: [
      {
        name: 'checkout-outage',
        title: 'Checkout returns 5xx',
        description: 'A bad deploy takes checkout down at peak time.',
        severity: 'SEV1',
        services: ['checkout'],
        injects: [
          { at_minutes: 0, text: 'Monitoring shows 40 % 5xx on checkout' },
          { at_minutes: 10, text: 'Support: customers cannot pay' },
          { at_minutes: 30, text: 'The CEO asks for an update' },
        ],
        expected: { commander_named: 5, triaged: 10, first_update: 15, resolved: 60 },
      },
    ],
  },
});

const clock = new FakeClock('2026-11-26T09:00:00Z');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ policy, clock });
  for (const [id, name] of [['UFAC', 'facilitator'], ['UANA', 'ana'], ['UBEN', 'ben'], ['UOWN', 'owner'], ['UDAN', 'dan']]) t.fake.addUser({ id, name });
  t.fake.addUser({ id: 'UCEO', name: 'ceo' });
  t.fake.addChannel({ id: 'C0BIZ', name: 'business-updates' });
  t.fake.addUsergroup({ id: 'S0CHK', handle: 'checkout-team', users: ['UOWN'] });
  t.fake.addUsergroup({ id: 'S0CRISIS', handle: 'crisis-team', users: ['UDAN'] });
});
afterAll(() => t?.stop());

const reply = async (channelId: string, text: string, userId = 'UFAC') => lastResponse(t, (await t.slack.command({ text, userId, channelId })).responseUrl);
const stored = (c: FakeChannel) => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();
const timeline = async (c: FakeChannel) => t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', (await stored(c)).id).orderBy('id').execute();
const injects = (c: FakeChannel) => c.messages.filter((m) => messageText(m).includes('*EXERCISE* inject')).map((m) => messageText(m));
const tick = async () => {
  await t.app.scheduler.runNow('drill-injects');
  await t.settle();
};

/** Starts a drill and returns its channel once the card is pinned. */
async function startDrill(): Promise<FakeChannel> {
  const before = new Set(t.fake.channels.keys());
  const r = await reply('CGENERAL', 'drill checkout-outage');
  expect(r.text).toMatch(/^:performing_arts: Exercise \*INC-\d+\* \("Checkout returns 5xx"\) is starting/);
  await t.settle();
  return eventually(() => [...t.fake.channels.values()].find((c) => !before.has(c.id) && !c.is_im && c.pins.length > 0), 10_000, 'drill channel');
}

describe('drills', () => {
  it('lists the scenarios, and refuses an unknown one', async () => {
    expect((await reply('CGENERAL', 'drill')).text).toContain('• `checkout-outage` — Checkout returns 5xx (3 injects, checkout)');
    expect((await reply('CGENERAL', 'drill fire-drill')).text).toBe('No drill scenario called "fire-drill". Scenarios: `checkout-outage`.');
  });

  it('starts an exercise incident marked EXERCISE everywhere, in a drill- channel, paging nobody', async () => {
    clock.set('2026-11-26T09:00:00Z');
    const c = await startDrill();
    const row = await stored(c);
    expect(row).toMatchObject({ is_drill: true, title: 'Checkout returns 5xx', severity: 'SEV1', services: ['checkout'], commander_id: null, reporter_id: 'UFAC' });
    expect(c.name).toBe(`drill-${row.number}-checkout-returns-5xx`);
    expect(c.members.has('UFAC')).toBe(true);
    const card = c.messages.find((m) => m.ts === c.pins[0])!;
    expect(card.blocks![0].text.text).toBe(`EXERCISE · INC-${row.number}: Checkout returns 5xx`);
    expect(messageText(card)).toContain(':performing_arts: *EXERCISE* — this is a drill');
    expect(c.topic).toMatch(/^EXERCISE · INC-\d+ · SEV1/);
    const announcement = t.fake.channelByName('incidents')!.messages.find((m) => messageText(m).includes(`INC-${row.number}`))!;
    expect(messageText(announcement)).toMatch(/^EXERCISE · INC-\d+: Checkout returns 5xx/);
    expect(announcement.blocks![0].text.text.startsWith(':performing_arts: *EXERCISE* · ')).toBe(true);
    // The T+0 inject goes out with the start.
    expect(injects(c)).toEqual([expect.stringContaining('inject · T+0m\n>Monitoring shows 40 % 5xx on checkout')]);
    // P1 on a catalog service would page its owners: in a drill nobody is paged, and the channel says who would be.
    await eventually(() => c.messages.some((m) => messageText(m).includes('EXERCISE: @checkout-team (1 person) would be paged now')));
    expect(c.members.has('UOWN')).toBe(false);
    const kinds = (await timeline(c)).map((r) => r.kind);
    expect(kinds).toContain('drill_inject');
    expect(kinds).not.toContain('paged');
    expect((await timeline(c))[0].payload).toMatchObject({ drill: true });
    const list = await reply('CGENERAL', 'list');
    expect(messageText(list)).toMatch(/:performing_arts: EXERCISE · \*INC-\d+\* Checkout returns 5xx/);
  });

  it('posts each inject once at its minute, whatever the replicas and restarts', async () => {
    clock.set('2026-11-26T11:00:00Z');
    const c = await startDrill();
    clock.advanceMinutes(9);
    await tick();
    expect(injects(c)).toHaveLength(1);
    clock.advanceMinutes(1);
    await Promise.all([t.app.scheduler.runNow('drill-injects'), t.app.scheduler.runNow('drill-injects')]);
    await tick();
    expect(injects(c)).toHaveLength(2);
    expect(injects(c)[1]).toContain('inject · T+10m\n>Support: customers cannot pay');
    await t.restart();
    await tick();
    expect(injects(c)).toHaveLength(2);
    // Down for a while: the T+30 inject goes out once when the job next runs.
    clock.advanceMinutes(45);
    await tick();
    await tick();
    expect(injects(c)).toHaveLength(3);
    const rows = (await timeline(c)).filter((r) => r.kind === 'drill_inject').map((r) => r.payload.at_minutes);
    expect(rows).toEqual([0, 10, 30]);
  });

  it('an escalation in a drill pages nobody and no page is announced', async () => {
    clock.set('2026-11-26T13:00:00Z');
    const c = await startDrill();
    await t.slack.command({ text: 'escalate', userId: 'UFAC', channelId: c.id });
    await submitModal(t, 'UFAC', 'incident_escalate', { priority: { priority: input.select('P1') }, usergroups: { usergroups: input.multiSelect(['S0CRISIS']) }, extra_groups: { extra_groups: input.text(null) }, note: { note: input.text('Practice') } });
    await eventually(() => c.messages.some((m) => messageText(m).includes('EXERCISE: @crisis-team (1 person) would be paged now')));
    expect(c.members.has('UDAN')).toBe(false);
    expect(c.messages.some((m) => messageText(m).includes('<!subteam^'))).toBe(false);
    // Only the exercise's own announcement thread hears of it; no page is announced.
    const announce = t.fake.channelByName('incidents')!.messages;
    expect(announce.some((m) => !m.thread_ts && messageText(m).includes('escalated'))).toBe(false);
    expect(announce.some((m) => messageText(m).includes('paging @crisis-team'))).toBe(false);
  });

  it('keeps audience updates in the exercise channel and marks role DMs', async () => {
    clock.set('2026-11-26T14:00:00Z');
    const c = await startDrill();
    await t.slack.command({ text: 'role commander <@UANA|ana>', userId: 'UFAC', channelId: c.id });
    await t.settle();
    expect(messageText(t.fake.dmWith('UANA')!.messages.at(-1))).toMatch(/^:performing_arts: EXERCISE: You are now the \*Incident commander\* for INC-\d+/);
    await t.slack.command({ text: 'update', userId: 'UANA', channelId: c.id });
    await submitModal(t, 'UANA', 'incident_update', {
      status: { status: input.select('identified') },
      message: { message: input.text('Bad deploy found') },
      next_update: { next_update: input.select('30') },
      audiences: { audiences: input.checkboxes(['business', 'executive']) },
    });
    await t.slack.viewSubmission({ userId: 'UANA', view: await eventually(() => lastModal(t, 'UANA', 'incident_update_preview')), values: {} });
    await t.settle();
    expect(c.messages.filter((m) => messageText(m).startsWith(':performing_arts: EXERCISE: the business update would now go to <#C0BIZ>:'))).toHaveLength(1);
    expect(c.messages.filter((m) => messageText(m).startsWith(':performing_arts: EXERCISE: the executive update would now go to <@UCEO>:'))).toHaveLength(1);
    expect(t.fake.channels.get('C0BIZ')!.messages).toEqual([]);
    expect(t.fake.dmWith('UCEO')).toBeUndefined();
  });

  it('scores the milestones against the scenario when the drill is resolved', async () => {
    clock.set('2026-11-26T15:00:00Z');
    const c = await startDrill();
    clock.set('2026-11-26T15:04:00Z');
    await t.slack.blockAction({ userId: 'UANA', actionId: 'incident_claim_role:commander', channelId: c.id, messageTs: c.pins[0] });
    await t.settle();
    clock.set('2026-11-26T15:11:00Z');
    await tick();
    clock.set('2026-11-26T15:12:00Z');
    await t.slack.command({ text: 'triage', userId: 'UANA', channelId: c.id });
    await submitModal(t, 'UANA', 'incident_triage', triageValues({ impact: 'extensive', urgency: 'critical', category: 'application', severity: 'SEV1', services: ['checkout'] }));
    clock.set('2026-11-26T15:14:30Z');
    await t.slack.command({ text: 'update', userId: 'UANA', channelId: c.id });
    await submitModal(t, 'UANA', 'incident_update', { status: { status: input.select('identified') }, message: { message: input.text('Rolled back') }, next_update: { next_update: input.select('30') } });
    clock.set('2026-11-26T15:31:00Z');
    await tick();
    clock.set('2026-11-26T15:50:00Z');
    await t.slack.command({ text: 'resolve', userId: 'UANA', channelId: c.id });
    await submitModal(t, 'UANA', 'incident_resolve', { summary: { summary: input.text('Rollback held') } });

    const card = await eventually(() => c.messages.find((m) => m.blocks?.[0]?.text?.text === 'Exercise scorecard: Checkout returns 5xx'));
    const text = messageText(card);
    expect(text).toContain(':white_check_mark: *Commander named*: 4m (expected within 5m)');
    expect(text).toContain(':alarm_clock: *Triaged*: 12m (expected within 10m, 2m late)');
    expect(text).toContain(':white_check_mark: *First status update*: 15m (expected within 15m)');
    expect(text).toContain(':white_check_mark: *Resolved*: 50m (expected within 1h 0m)');
    expect(text).toContain('*3 of 4* milestones on time · 3 of 3 injects sent');
    const drill = await t.app.db.selectFrom('drills').selectAll().where('incident_id', '=', (await stored(c)).id).executeTakeFirstOrThrow();
    expect(drill.scorecard).toMatchObject({ met: 3, timed: 4, injectsSent: 3 });
    expect((drill.scorecard as any).rows.map((r: any) => [r.milestone, r.actualMinutes, r.outcome])).toEqual([
      ['commander_named', 4, 'met'],
      ['triaged', 12, 'late'],
      ['first_update', 14.5, 'met'],
      ['resolved', 50, 'met'],
    ]);
    expect((await timeline(c)).find((r) => r.kind === 'drill_scored')!.payload).toMatchObject({ met: 3, timed: 4 });
  });

  it('a drill reaching no milestone scores them missed; nothing more is injected once resolved', async () => {
    clock.set('2026-11-26T18:00:00Z');
    const c = await startDrill();
    await t.app.db.updateTable('incidents').set({ resolved_at: new Date('2026-11-26T19:30:00Z') }).where('id', '=', (await stored(c)).id).execute();
    clock.set('2026-11-26T19:40:00Z');
    await tick();
    expect(injects(c)).toHaveLength(1);
    await t.app.db.updateTable('incidents').set({ resolved_at: null }).where('id', '=', (await stored(c)).id).execute();
    await t.slack.command({ text: 'resolve', userId: 'UFAC', channelId: c.id });
    await submitModal(t, 'UFAC', 'incident_resolve', { summary: { summary: input.text('Ran out of time') } });
    const card = await eventually(() => c.messages.find((m) => m.blocks?.[0]?.text?.text === 'Exercise scorecard: Checkout returns 5xx'));
    expect(messageText(card)).toContain(':x: *Commander named*: not reached (expected within 5m)');
    expect(messageText(card)).toContain(':alarm_clock: *Resolved*: 1h 40m (expected within 1h 0m, 40m late)');
    expect(messageText(card)).toContain('*0 of 4* milestones on time · 1 of 3 injects sent');
  });

  it('keeps real change records out of drills', async () => {
    clock.set('2026-11-26T20:00:00Z');
    const change = await t.app.db
      .insertInto('changes')
      .values({ title: 'Deploy checkout v9', services: ['checkout'], starts_at: new Date('2026-11-26T19:30:00Z'), ends_at: new Date('2026-11-26T19:30:00Z'), requested_by: 'webhook', source: 'webhook', status: 'deployed', created_at: new Date('2026-11-26T19:30:00Z') } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const c = await startDrill();
    await t.settle();
    expect(c.messages.some((m) => messageText(m).includes('What changed?'))).toBe(false);
    const r = await reply(c.id, `cause CHG-${change.id}`);
    expect(r.text).toBe('This is an exercise: it cannot be linked to a real change.');
    expect((await stored(c)).caused_by_change_id).toBeNull();
  });
});
