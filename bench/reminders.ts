/**
 * Reminder run at scale: 50,000 open follow-up actions across 2,000 owners (in eight timezones, all in
 * their send window) must give exactly one digest DM per owner.
 *
 * Measured in one process, against a fresh database on the local PostgreSQL and the fake Slack:
 * - baseline: the bare SQL that selects the same open actions (with their incidents);
 * - compute: a whole run (plan, claim, load, render) with delivery replaced by a no-op, as a ratio to
 *   the baseline;
 * - end to end: a run with a cold profile cache posting to the fake Slack, with the Slack calls it made.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pino from 'pino';
import { WebClient } from '@slack/web-api';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { defaultPolicy } from '../src/policy/schema.js';
import { planDigests, planEscalations } from '../src/reminders/planner.js';
import { ProfileCache } from '../src/reminders/profiles.js';
import { ReminderRunner, type ReminderDelivery } from '../src/reminders/runner.js';
import { renderReminder, SlackProfileSource, SlackReminderDelivery } from '../src/slack/effects/reminders.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import { createDatabaseOn } from '../test/support/pg.js';
import type { BenchResult } from './run.js';

const OWNERS = 2_000;
const ACTIONS = 50_000;
const INCIDENTS = 500;
const COMMANDERS = 50;
// At 15:05 UTC on a Wednesday it is past 09:00 on that Wednesday in every one of these zones.
const ZONES: [string, number][] = [['UTC', 0], ['Europe/London', 0], ['Europe/Berlin', 3600], ['Europe/Helsinki', 7200], ['America/New_York', -18000], ['America/Chicago', -21600], ['Asia/Kolkata', 19800], ['Asia/Dubai', 14400]];
const DAY1 = new Date('2026-11-25T15:05:00Z');
const DAY2 = new Date('2026-11-26T15:05:00Z');
/** Five working days after DAY2 (Friday to Thursday), for timing the planning alone. */
const PLAN_DAYS = ['2026-11-27', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03'].map((d) => new Date(`${d}T15:05:00Z`));

const owner = (i: number) => `UOWN${String(i).padStart(5, '0')}`;
const commander = (i: number) => `UCMD${String(i).padStart(4, '0')}`;

function ms(t: number): string {
  return `${t.toFixed(0)} ms`;
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export async function run(): Promise<BenchResult> {
  const admin = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = await createDatabaseOn(admin, 'io_bench');
  const handle = openDatabase(database.url);
  const fake = await FakeSlack.start();
  try {
    const { db } = handle;
    await migrateToLatest(db);
    for (let i = 0; i < OWNERS; i++) {
      const [tz, offset] = ZONES[i % ZONES.length];
      fake.addUser({ id: owner(i), name: `owner${i}`, tz, tz_offset: offset });
    }
    for (let i = 0; i < COMMANDERS; i++) fake.addUser({ id: commander(i), name: `commander${i}` });

    await sql`
      insert into incidents (team_id, number, title, severity, kind, status, commander_id, reporter_id, channel_id, declared_at, resolved_at)
      select 'T0TEST001', g, 'Incident ' || g, 'SEV3', case when g % 50 = 0 then 'security' else 'service' end, 'resolved',
        'UCMD' || lpad((g % ${COMMANDERS})::text, 4, '0'), 'UCMD0000', 'CINC' || g, ${DAY1}::timestamptz - interval '20 days', ${DAY1}::timestamptz - interval '19 days'
      from generate_series(1, ${INCIDENTS}) g`.execute(db);
    // Owner k gets actions k, k + 2000, …: due from 2 days ago (not yet escalated) to three weeks ahead.
    await sql`
      insert into follow_up_actions (incident_id, title, owner_id, due_date, priority, created_by, created_at, updated_at)
      select i.id, 'Follow-up ' || g || ': add an alert on queue age and document the failover for the service', 'UOWN' || lpad(((g - 1) % ${OWNERS})::text, 5, '0'),
        '2026-11-25'::date + ((g - 1) / ${OWNERS})::int - 2, (array['high', 'medium', 'low'])[1 + g % 3], 'UCMD0000', ${DAY1}::timestamptz - interval '19 days', ${DAY1}::timestamptz - interval '19 days'
      from generate_series(1, ${ACTIONS}) g
      join incidents i on i.number = 1 + (g % ${INCIDENTS})`.execute(db);
    await sql`analyze`.execute(db);

    // Baseline: the bare SQL that reads the same open actions and their incidents.
    const samples: number[] = [];
    let baselineRows = 0;
    for (let i = 0; i < 5; i++) {
      const r = await time(() => sql`select a.*, i.number, i.title as incident_title, i.kind, i.channel_id, i.team_id from follow_up_actions a join incidents i on i.id = a.incident_id where a.status = 'open' order by a.owner_id, a.due_date`.execute(db));
      samples.push(r.ms);
      baselineRows = r.value.rows.length;
    }
    const baseline = samples.sort((x, y) => x - y)[2];

    const policy = defaultPolicy();
    const logger = pino({ level: 'silent' });
    const client = new WebClient('xoxb-bench-token', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 50 } });
    const clock = { now: () => current };
    let current = DAY1;
    const profiles = new ProfileCache(db, clock, new SlackProfileSource({ client, logger }), policy.reminders.profile_refresh_hours);

    // End to end on day 1: cold profile cache, posting to the fake Slack.
    const slack = new ReminderRunner({ db, policy, clock, logger, profiles, delivery: new SlackReminderDelivery({ client, policy }) }, { concurrency: 8 });
    fake.calls = [];
    const full = await time(() => slack.run(current));
    const calls = new Map<string, number>();
    for (const c of fake.calls) calls.set(c.method, (calls.get(c.method) ?? 0) + 1);
    const dmsPerOwner = Array.from({ length: OWNERS }, (_, i) => fake.dmWith(owner(i))?.messages.length ?? 0);
    const oneEach = dmsPerOwner.every((n) => n === 1);
    const totalCalls = fake.calls.length;

    // Compute only on day 2: the same run with delivery reduced to rendering the message.
    current = DAY2;
    let rendered = 0;
    const noSlack: ReminderDelivery = {
      async deliver(send, content) {
        const msg = renderReminder(policy, content);
        rendered++;
        return { channelId: `D${send.recipient}`, ts: `${rendered}.000000`, payload: msg.payload };
      },
    };
    const computeRunner = new ReminderRunner({ db, policy, clock, logger, profiles, delivery: noSlack }, { concurrency: 8 });
    const compute = await time(() => computeRunner.run(current));

    // Planning alone (what is due, for whom: the SQL statements that insert a day's sends), on five
    // later working days, each in turn with the bare SQL so that a busy moment falls on both.
    const planSamples: number[] = [];
    const floorSamples: number[] = [];
    let planned = 0;
    for (const day of PLAN_DAYS) {
      floorSamples.push((await time(() => sql`select a.*, i.number, i.title as incident_title, i.kind, i.channel_id, i.team_id from follow_up_actions a join incidents i on i.id = a.incident_id where a.status = 'open' order by a.owner_id, a.due_date`.execute(db))).ms);
      const r = await time(async () => (await planEscalations(db, policy, day)) + (await planDigests(db, policy, day)));
      planSamples.push(r.ms);
      planned = r.value;
    }
    const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
    const plan = { ms: median(planSamples), floor: median(floorSamples) };

    return {
      name: 'reminders',
      rows: [
        ['data', `${ACTIONS.toLocaleString('en')} open actions, ${OWNERS.toLocaleString('en')} owners, ${INCIDENTS} incidents`],
        ['baseline: bare SQL of the open actions', ms(baseline), `${baselineRows.toLocaleString('en')} rows, median of 5`],
        ['planning the run in SQL (escalations and digests)', ms(plan.ms), `${(plan.ms / plan.floor).toFixed(1)}× the bare SQL timed in turns with it, ${ms(plan.floor)} (goal ≤ 2×: ${plan.ms / plan.floor <= 2 ? 'met' : 'not met'}); medians of 5 days, ${planned} sends planned on the last`],
        ['compute the run (plan, claim, load, render, record each send)', ms(compute.ms), `${(compute.ms / baseline).toFixed(1)}× the baseline (goal ≤ 2×: ${compute.ms / baseline <= 2 ? 'met' : 'not met'}; each send claimed, rendered and recorded as sent on its own, for exactly-once); ${compute.value.planned.digests} digests + ${compute.value.planned.escalations} escalation DMs (day 2)`],
        ['end to end, cold profiles, fake Slack', ms(full.ms), `${(full.ms / baseline).toFixed(1)}× the baseline; ${full.value.planned.digests} digests, ${full.value.sent} sent (day 1)`],
        ['Slack calls made', String(totalCalls), [...calls].map(([m, n]) => `${m} ${n}`).join(', ')],
        ['Slack calls per owner', (totalCalls / OWNERS).toFixed(3), 'a users.info per owner would make it 2.000'],
        ['one DM per owner', oneEach ? 'yes' : `NO: ${dmsPerOwner.filter((n) => n !== 1).length} owners got ${[...new Set(dmsPerOwner.filter((n) => n !== 1))].join('/')} DMs`],
      ],
    };
  } finally {
    await handle.close();
    await fake.close();
    await database.drop();
  }
}
