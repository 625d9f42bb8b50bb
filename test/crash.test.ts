import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { FakeSlack } from './support/fake-slack.js';
import { declareValues, lastModal, messageText } from './support/flows.js';
import { SlackDriver } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

const SECRET = 'crash-test-signing-secret';
let fake: FakeSlack;
let database: TestDatabase;
let db: DatabaseHandle;
const children: ChildProcess[] = [];

function start(): Promise<{ child: ChildProcess; port: number }> {
  const announce = fake.channelByName('incidents')!;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH!, SLACK_BOT_TOKEN: 'xoxb-crash-1', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'info', INCIDENT_ANNOUNCE_CHANNEL: announce.id },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return eventually(
    () => {
      const line = out.split('\n').find((l) => l.includes('Incident Officer is listening'));
      return line ? { child, port: JSON.parse(line).port as number } : undefined;
    },
    60_000,
    'process listening',
  );
}

beforeAll(async () => {
  fake = await FakeSlack.start();
  fake.addChannel({ name: 'incidents' });
  fake.addUser({ id: 'UANA', name: 'ana' });
  database = await createTestDatabase();
  db = openDatabase(database.url);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await db?.close();
  await database?.drop();
  await fake?.close();
});

describe('a crash half way through a declaration', () => {
  it('is completed exactly once by the next process (SIGKILL between storing the incident and finishing its channel)', async () => {
    const first = await start();
    const slack = new SlackDriver({ appUrl: `http://127.0.0.1:${first.port}`, signingSecret: SECRET, fake });
    await slack.command({ text: 'declare Crash in flight', userId: 'UANA', channelId: 'CGENERAL' });
    const view = await eventually(() => lastModal({ fake } as never, 'UANA', 'incident_declare'));
    // Slack now answers slowly: the channel is being created when the process dies.
    const creating = fake.hold('conversations.create');
    const res = await slack.viewSubmission({ userId: 'UANA', view, values: declareValues({ userId: 'UANA', title: 'Crash in flight' }) });
    expect(res.status).toBe(200);
    const stored = await eventually(() => db.db.selectFrom('incidents').selectAll().where('title', '=', 'Crash in flight').executeTakeFirst(), 10_000);
    await eventually(() => creating.received, 10_000, 'channel creation in flight');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect((await db.db.selectFrom('incidents').select('provisioned_at').where('id', '=', stored.id).executeTakeFirstOrThrow()).provisioned_at).toBeNull();
    // The dead process's lease on its task runs out soon enough for a takeover within 30 s (one 2 s poll after expiry).
    const task = await db.db
      .selectFrom('slack_tasks')
      .select(['id', 'attempts', sql<number>`extract(epoch from locked_until - now())::float8`.as('leaseLeft')])
      .where('kind', '=', 'incident.provision')
      .where('incident_id', '=', stored.id)
      .executeTakeFirstOrThrow();
    expect(task.attempts).toBe(1);
    expect(task.leaseLeft).toBeGreaterThan(0);
    expect(task.leaseLeft + 2).toBeLessThanOrEqual(30);
    // Slack carries out the dead process's call: the channel exists, unrecorded.
    creating.release();
    await eventually(() => fake.channelByName(`inc-${stored.number}-crash-in-flight`), 10_000, 'channel made for the dead process');

    const second = await start();
    try {
      // Once the lease has run out, the new process takes the task over and finishes the work.
      const after = await eventually(() => db.db.selectFrom('slack_tasks').select(['attempts', 'failed']).where('id', '=', task.id).where('done_at', 'is not', null).executeTakeFirst(), 45_000, 'task done');
      expect(after).toEqual({ attempts: 2, failed: false });
      expect((await db.db.selectFrom('incidents').select('provisioned_at').where('id', '=', stored.id).executeTakeFirstOrThrow()).provisioned_at).not.toBeNull();
      const channels = [...fake.channels.values()].filter((c) => c.name.startsWith(`inc-${stored.number}-`));
      expect(channels.map((c) => c.name)).toEqual([`inc-${stored.number}-crash-in-flight`]);
      const ch = channels[0];
      expect(ch.pins).toHaveLength(1);
      expect(ch.messages.filter((m) => messageText(m).includes(`INC-${stored.number}: Crash in flight`))).toHaveLength(1);
      expect(ch.bookmarks).toHaveLength(1);
      expect(fake.channelByName('incidents')!.messages.filter((m) => messageText(m).includes(`INC-${stored.number}`))).toHaveLength(1);
      const created = await db.db.selectFrom('timeline_events').select('kind').where('incident_id', '=', stored.id).where('kind', '=', 'channel_created').execute();
      expect(created).toHaveLength(1);
    } finally {
      second.child.kill('SIGTERM');
    }
  }, 120_000);
});
