import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimSends } from '../src/reminders/sends.js';
import { loadContents } from '../src/reminders/content.js';
import { SlackReminderDelivery } from '../src/slack/effects/reminders.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { FakeSlack, type FakeMessage } from './support/fake-slack.js';
import { declareIncident } from './support/flows.js';
import { ask } from './support/follow-up.js';
import { eventually } from './support/wait.js';

// Two app processes on one database and one Slack workspace, as with two replicas behind a load balancer.
let fake: FakeSlack;
let database: TestDatabase;
let a: TestApp;
let b: TestApp;
const clockA = new FakeClock('2026-11-20T10:00:00Z');
const clockB = new FakeClock('2026-11-20T10:00:00Z');
const OWNERS = ['UOW1', 'UOW2', 'UOW3', 'UOW4', 'UOW5', 'UOW6'];

const setClocks = (iso: string) => {
  clockA.set(iso);
  clockB.set(iso);
};
/** Digest DMs an owner received for a given local day (named at the end of the digest's first line). */
const digests = (user: string, day: string): FakeMessage[] =>
  (fake.dmWith(user)?.messages ?? []).filter((m) => m.text?.startsWith('Your follow-up actions') && String(m.blocks?.[1]?.elements?.[0]?.text ?? '').endsWith(`· ${day}`));
const digestRows = (day: string) => a.app.db.selectFrom('reminder_sends').selectAll().where('kind', '=', 'digest').where('local_date', '=', day).execute();

beforeAll(async () => {
  fake = await FakeSlack.start();
  database = await createTestDatabase();
  for (const id of [...OWNERS, 'UCOM']) fake.addUser({ id, name: id.toLowerCase() });
  a = await startTestApp({ fake, database, clock: clockA });
  b = await startTestApp({ fake, database, clock: clockB });
  const channel = await declareIncident(a, { userId: 'UCOM', title: 'Cache stampede on product pages', severity: 'SEV3', commander: 'UCOM' });
  for (const [i, owner] of OWNERS.entries()) await ask(a, `action <@${owner}> Add jitter to cache TTLs, part ${i + 1} due 2026-11-27`, 'UCOM', channel.id);
  await a.settle();
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await fake?.close();
  await database?.drop();
});

describe('two app processes on one database', () => {
  it('fire the reminder job at the same moment: one runs it, each digest goes out once', async () => {
    setClocks('2026-11-26T09:05:00Z'); // Thursday
    const claimed = await Promise.all([a.app.scheduler.runNow('reminders'), b.app.scheduler.runNow('reminders')]);
    expect(claimed.filter(Boolean)).toHaveLength(1);
    await Promise.all([a.settle(), b.settle()]);
    for (const o of OWNERS) expect(digests(o, 'Thu 26 Nov'), o).toHaveLength(1);
  });

  it('both running the whole job concurrently still send each digest once', async () => {
    setClocks('2026-11-27T09:05:00Z'); // Friday
    fake.delayMs = 20;
    const [sa, sb] = await Promise.all([a.app.reminders.run(clockA.now()), b.app.reminders.run(clockB.now())]);
    fake.delayMs = 0;
    expect(sa.planned.digests + sb.planned.digests).toBe(OWNERS.length);
    expect(sa.sent + sb.sent).toBe(OWNERS.length);
    for (const o of OWNERS) expect(digests(o, 'Fri 27 Nov'), o).toHaveLength(1);
    expect((await digestRows('2026-11-27')).map((r) => r.status)).toEqual(OWNERS.map(() => 'sent'));
  });

  it('a restart in the middle of a run loses and doubles nothing', async () => {
    setClocks('2026-11-30T09:05:00Z'); // Monday
    // The first digest goes out; the next ones are held in flight at Slack while the process stops.
    let digestsSeen = 0;
    const held = fake.hold('chat.postMessage', (args) => String(args.text ?? '').startsWith('Your follow-up actions') && ++digestsSeen > 1);
    const runner = a.app.reminders;
    const stop = runner.stop.bind(runner);
    let stopAsked!: () => void;
    const stopping = new Promise<void>((resolve) => (stopAsked = resolve));
    runner.stop = () => {
      const stopped = stop();
      stopAsked();
      return stopped;
    };
    const running = a.app.scheduler.runNow('reminders');
    await eventually(() => held.waiting > 0, 10_000, 'a digest in flight');
    const restarting = a.restart(); // graceful: posts in flight finish and are recorded; the rest are handed back
    await stopping;
    held.release();
    await restarting;
    await running;
    const afterStop = OWNERS.filter((o) => digests(o, 'Mon 30 Nov').length === 1);
    expect(afterStop.length).toBeGreaterThan(0);
    expect(afterStop.length).toBeLessThan(OWNERS.length);
    const pending = (await digestRows('2026-11-30')).filter((r) => r.status === 'pending');
    expect(pending.length).toBe(OWNERS.length - afterStop.length);
    expect(pending.every((r) => r.attempts === 0 && r.last_error === 'released at shutdown')).toBe(true);

    clockA.advanceMinutes(5);
    await a.app.scheduler.runNow('reminders');
    await a.settle();
    for (const o of OWNERS) expect(digests(o, 'Mon 30 Nov'), o).toHaveLength(1);
    expect((await digestRows('2026-11-30')).every((r) => r.status === 'sent')).toBe(true);
  });

  it('a process that dies between posting and recording is taken over without a second DM', async () => {
    setClocks('2026-12-01T09:05:00Z'); // Tuesday
    // Plan the day's digests without sending them, then play a process that claims them all and
    // posts one before it is killed (its claim is never recorded as sent).
    const { planDigests } = await import('../src/reminders/planner.js');
    expect(await planDigests(a.app.db, a.config.policy, clockA.now())).toBe(OWNERS.length);
    const claimed = await claimSends(a.app.db, { now: clockA.now(), limit: 100, leaseMs: 5 * 60_000, token: 'killed-process' });
    expect(claimed.filter((s) => s.kind === 'digest')).toHaveLength(OWNERS.length);
    const first = claimed.find((s) => s.recipient === 'UOW1')!;
    const contents = await loadContents(a.app.db, a.config.policy, [first], clockA.now());
    const client = new (await import('@slack/web-api')).WebClient('xoxb-test-0000-bot-token', { slackApiUrl: fake.apiUrl });
    await new SlackReminderDelivery({ client, policy: a.config.policy }).deliver(first, contents.get(first.id)!, { maybePosted: false });
    expect(digests('UOW1', 'Tue 1 Dec')).toHaveLength(1);

    // Within the dead process's lease nothing is touched.
    clockB.advanceMinutes(2);
    expect((await b.app.reminders.run(clockB.now())).sent).toBe(0);
    // After it, the other process takes over: the posted one is found and updated, the rest are sent.
    clockB.advanceMinutes(5);
    const stats = await b.app.reminders.run(clockB.now());
    expect(stats.sent).toBe(OWNERS.length);
    for (const o of OWNERS) expect(digests(o, 'Tue 1 Dec'), o).toHaveLength(1);
    expect(digests('UOW1', 'Tue 1 Dec')[0].edited).toBe(true);
    const row = (await digestRows('2026-12-01')).find((r) => r.recipient === 'UOW1')!;
    expect(row).toMatchObject({ status: 'sent', attempts: 2, message_ts: digests('UOW1', 'Tue 1 Dec')[0].ts });
  });

  it('catches up once after downtime, not once per missed run', async () => {
    await b.stop();
    // Down from Wednesday to Friday afternoon: the runs of Wednesday and Thursday never happened.
    setClocks('2026-12-04T15:00:00Z');
    await a.restart();
    // Start-up runs every job once (the catch-up), then the cron takes over.
    a.app.scheduler.start();
    await a.app.scheduler.stop();
    await a.settle();
    for (const o of OWNERS) {
      expect(digests(o, 'Wed 2 Dec'), o).toHaveLength(0);
      expect(digests(o, 'Thu 3 Dec'), o).toHaveLength(0);
      expect(digests(o, 'Fri 4 Dec'), o).toHaveLength(1);
    }
    // The missed fires, replayed late, find nothing more to send.
    const job = { name: 'reminders', cron: '*/5 * * * *', run: (now: Date) => a.app.reminders.run(now).then(() => undefined) };
    for (const missed of ['2026-12-02T09:05:00Z', '2026-12-03T09:05:00Z', '2026-12-04T09:05:00Z']) await a.app.scheduler.fire(job, new Date(missed));
    await a.settle();
    for (const o of OWNERS) expect(digests(o, 'Fri 4 Dec'), o).toHaveLength(1);
    const days = (await a.app.db.selectFrom('reminder_sends').select('local_date').where('kind', '=', 'digest').distinct().orderBy('local_date').execute()).map((r) => r.local_date);
    expect(days).toEqual(['2026-11-26', '2026-11-27', '2026-11-30', '2026-12-01', '2026-12-04']);
  });
});
