import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChains } from '../src/audit/verify.js';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, lastResponse } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';

let t: TestApp;
let channel: FakeChannel;
let incidentId: string;
beforeAll(async () => {
  t = await startTestApp();
  t.fake.addUser({ id: 'UANA', name: 'ana' });
  channel = await declareIncident(t, { userId: 'UANA', title: 'Audit trail check' });
  incidentId = (await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', channel.id).executeTakeFirstOrThrow()).id;
  for (let i = 0; i < 5; i++) await t.slack.command({ text: `note step ${i}`, userId: 'UANA', channelId: channel.id });
  await t.settle();
});
afterAll(() => t?.stop());

const reply = async (text: string) => (await lastResponse(t, (await t.slack.command({ text, userId: 'UANA', channelId: channel.id })).responseUrl)).text as string;
const verifyCli = () =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/audit/verify-cli.ts'], { env: { PATH: process.env.PATH!, DATABASE_URL: t.database.url }, encoding: 'utf8', timeout: 30_000 });

describe('the audit trail', () => {
  it('refuses to change or delete timeline rows, in the database itself', async () => {
    await expect(sql`update timeline_events set payload = '{"text":"edited"}' where incident_id = ${incidentId}`.execute(t.app.db)).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(sql`delete from timeline_events where incident_id = ${incidentId}`.execute(t.app.db)).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(sql`truncate timeline_events cascade`.execute(t.app.db)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
  });

  it('chains every row to the one before, also under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.slack.command({ text: `note parallel ${i}`, userId: 'UANA', channelId: channel.id })));
    await t.settle();
    const rows = await t.app.db.selectFrom('timeline_events').select(['seq', 'prev_hash', 'hash']).where('incident_id', '=', incidentId).orderBy('seq').execute();
    expect(rows.length).toBeGreaterThanOrEqual(27);
    rows.forEach((r, i) => {
      expect(r.seq).toBe(i + 1);
      expect(r.prev_hash).toBe(i === 0 ? '' : rows[i - 1].hash);
      expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    });
    expect((await verifyChains(t.app.db)).broken).toEqual([]);
    expect(await reply('timeline verify')).toMatch(new RegExp(`^:white_check_mark: The INC-\\d+ timeline is intact: ${rows.length} entries, chain head #${rows.length} \`${rows.at(-1)!.hash}\`\\.$`));
    const cli = verifyCli();
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/audit trail intact: \d+ timeline rows in \d+ incidents verified/);
  });

  it('names the first broken row when someone with database rights tampers with it', async () => {
    // An administrator bypasses the trigger and rewrites history.
    await sql`alter table timeline_events disable trigger timeline_append_only`.execute(t.app.db);
    await sql`update timeline_events set payload = '{"text":"nothing happened"}' where incident_id = ${incidentId} and seq = 4`.execute(t.app.db);
    await sql`alter table timeline_events enable trigger timeline_append_only`.execute(t.app.db);
    const report = await verifyChains(t.app.db);
    expect(report.broken).toEqual([{ incidentId, number: expect.any(Number), seq: 4, rowId: expect.any(String), reason: 'hash does not match the row' }]);
    expect(await reply('timeline verify')).toMatch(/^:x: The INC-\d+ timeline has been tampered with: entry #4 — hash does not match the row\.$/);
    const cli = verifyCli();
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/BROKEN incident #\d+ \(id \d+\): row seq 4 \(id \d+\): hash does not match the row/);
  });

  it('detects a deleted row as a broken link', async () => {
    await sql`alter table timeline_events disable trigger timeline_append_only`.execute(t.app.db);
    await sql`delete from timeline_events where incident_id = ${incidentId} and seq = 2`.execute(t.app.db);
    await sql`alter table timeline_events enable trigger timeline_append_only`.execute(t.app.db);
    const [first] = (await verifyChains(t.app.db, incidentId)).broken;
    expect(first).toMatchObject({ seq: 3, reason: 'rows are missing before this one' });
  });
});
