import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../db/migrations/index.js';
import { migrateTo } from '../src/db/migrate.js';
import { startTestApp, type TestApp } from './support/app.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident } from './support/flows.js';
import { incidentOf } from './support/follow-up.js';
import { eventually } from './support/wait.js';

const RENAMING = '20261130_0014_task_kind_names';
const names = Object.keys(migrations).sort();
/** The last migration of the version that queued tasks under their former names. */
const PREVIOUS = names[names.indexOf(RENAMING) - 1];

let t: TestApp;
let channel: FakeChannel;
let incidentId: string;

beforeAll(async () => {
  t = await startTestApp();
  t.fake.addUser({ id: 'UANA', name: 'ana' });
  channel = await declareIncident(t, { userId: 'UANA', title: 'Payments slow', severity: 'SEV2' });
  incidentId = (await incidentOf(t, channel)).id;
});
afterAll(() => t?.stop());

async function queue(task: { kind: string; incidentId?: string; payload: unknown; dedupeKey?: string; runAt?: string; done?: boolean }): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into slack_tasks (kind, incident_id, payload, dedupe_key, run_at, done_at)
    values (${task.kind}, ${task.incidentId ?? null}, ${JSON.stringify(task.payload)}::jsonb, ${task.dedupeKey ?? null},
            now() + ${task.runAt ?? '0 seconds'}::interval, ${task.done ? sql`now()` : null})
    returning id`.execute(t.app.db);
  return rows[0].id;
}

const task = (id: string) => t.app.db.selectFrom('slack_tasks').select(['kind', 'dedupe_key', 'done_at', 'failed', 'attempts', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();

describe('tasks queued by the previous version', () => {
  it('run after the upgrade under their new names, and still coalesce', async () => {
    expect(PREVIOUS).toBeDefined();
    await t.app.runner.stop();
    // The database as the previous version left it, with its tasks still pending.
    expect((await migrateTo(t.app.db, PREVIOUS)).down).toEqual(names.slice(names.indexOf(RENAMING)).reverse());
    await t.app.db.updateTable('incidents').set({ bridge_url: 'https://meet.example.com/queued-before' }).where('id', '=', incidentId).execute();
    const bridge = await queue({ kind: 'incident.bridge', incidentId, payload: { url: 'https://meet.example.com/queued-before' }, dedupeKey: `bridge:${incidentId}` });
    const declare = await queue({ kind: 'signals.declare', payload: { groupId: '999', episode: 1 }, dedupeKey: 'signals.declare:999:1', runAt: '1 day' });
    const finished = await queue({ kind: 'signals.post', payload: { groupId: '998' }, done: true });

    await t.restart();
    await t.settle();

    await eventually(() => channel.bookmarks.some((b) => b.title === 'Bridge call' && b.link === 'https://meet.example.com/queued-before'));
    expect(await task(bridge)).toMatchObject({ kind: 'escalation.bridge', failed: false, last_error: null });
    expect((await task(bridge)).done_at).not.toBeNull();
    expect(await task(declare)).toMatchObject({ kind: 'signal.declare', dedupe_key: 'signal.declare:999:1', done_at: null });
    // Finished rows keep the name they ran under.
    expect(await task(finished)).toMatchObject({ kind: 'signals.post' });
  });
});

describe('a queued task that cannot be read', () => {
  it('is given up at once, with the reason, instead of running its handler with missing fields', async () => {
    const missing = await queue({ kind: 'paging.notify', payload: {} });
    const unknown = await queue({ kind: 'report.retired', payload: { week: '2026-W48' } });
    t.app.runner.kick();
    await eventually(async () => (await task(missing)).done_at !== null && (await task(unknown)).done_at !== null);
    expect(await task(missing)).toMatchObject({ failed: true, attempts: 1 });
    expect((await task(missing)).last_error).toMatch(/^cannot read paging\.notify: .*targetId/s);
    expect(await task(unknown)).toMatchObject({ failed: true, attempts: 1, last_error: 'cannot read report.retired: unknown task kind report.retired' });
    expect(t.logs.some((l) => l.includes('task cannot be read') && l.includes('"kind":"paging.notify"'))).toBe(true);
  });
});
