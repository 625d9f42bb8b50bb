import { spawn } from 'node:child_process';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChains } from '../src/audit/verify.js';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident, lastResponse, submitModal } from './support/flows.js';
import type { FakeChannel } from './support/fake-slack.js';
import { input } from './support/slack-requests.js';
import { BOT_TOKEN } from './support/app.js';
import { CHAIN_HEAD_EVENT } from '../src/slack/effects/audit.js';

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

const replyIn = async (channelId: string, text: string) => (await lastResponse(t, (await t.slack.command({ text, userId: 'UANA', channelId })).responseUrl)).text as string;
const reply = (text: string) => replyIn(channel.id, text);
/** `npm run verify-audit` (run asynchronously: the fake Slack it may read lives in this process). */
const verifyCli = (opts: { slack?: boolean } = {}) =>
  new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/verify-audit.ts'], {
      env: { PATH: process.env.PATH!, DATABASE_URL: t.database.url, ...(opts.slack ? { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: t.fake.apiUrl } : {}) },
      timeout: 60_000,
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout }));
  });
/** What someone with full rights on the database can do: switch the append-only triggers off for one statement. */
const asSuperuser = async (table: 'timeline_events' | 'timeline_anchors', statement: RawBuilder<unknown>) => {
  const trigger = table === 'timeline_events' ? 'timeline_append_only' : 'timeline_anchors_append_only';
  await sql`alter table ${sql.table(table)} disable trigger ${sql.raw(trigger)}`.execute(t.app.db);
  try {
    await statement.execute(t.app.db);
  } finally {
    await sql`alter table ${sql.table(table)} enable trigger ${sql.raw(trigger)}`.execute(t.app.db);
  }
};

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
    expect(await reply('timeline verify')).toMatch(new RegExp(`^:white_check_mark: The INC-\\d+ timeline is intact: ${rows.length} entries, chain head #${rows.length} \`${rows.at(-1)!.hash}\`\\. No chain head has been posted in this channel yet`));
    const cli = await verifyCli();
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/audit trail intact: \d+ timeline rows in \d+ incidents verified/);
  });

  it('names the first broken row when someone with database rights tampers with it', async () => {
    // An administrator bypasses the trigger and rewrites history.
    await asSuperuser('timeline_events', sql`update timeline_events set payload = '{"text":"nothing happened"}' where incident_id = ${incidentId} and seq = 4`);
    const report = await verifyChains(t.app.db);
    expect(report.broken).toEqual([{ incidentId, number: expect.any(Number), seq: 4, rowId: expect.any(String), reason: 'hash does not match the row' }]);
    expect(await reply('timeline verify')).toMatch(/^:x: The INC-\d+ timeline has been tampered with: entry #4 — hash does not match the row\.$/);
    const cli = await verifyCli();
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/BROKEN incident #\d+ \(id \d+\): row seq 4 \(id \d+\): hash does not match the row/);
  });

  it('detects a deleted row as a broken link', async () => {
    await asSuperuser('timeline_events', sql`delete from timeline_events where incident_id = ${incidentId} and seq = 2`);
    const [first] = (await verifyChains(t.app.db, incidentId)).broken;
    expect(first).toMatchObject({ seq: 3, reason: 'rows are missing before this one' });
  });
});

describe('chain heads kept outside the timeline', () => {
  const resolve = async (ch: FakeChannel, summary: string) => {
    await t.slack.command({ text: 'resolve', userId: 'UANA', channelId: ch.id });
    await submitModal(t, 'UANA', 'incident_resolve', { summary: { summary: input.text(summary) } });
    await t.settle();
  };
  const idOf = async (ch: FakeChannel) => (await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', ch.id).executeTakeFirstOrThrow()).id;
  const headOf = async (id: string) => t.app.db.selectFrom('timeline_events').select(['seq', 'hash']).where('incident_id', '=', id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
  const postedHeads = (ch: FakeChannel) => ch.messages.filter((m) => m.metadata?.event_type === CHAIN_HEAD_EVENT);

  it('posts the chain head to the channel and records it when the incident is resolved and closed', async () => {
    const ch = await declareIncident(t, { userId: 'UANA', title: 'Sealed on resolve', severity: 'SEV3' });
    const id = await idOf(ch);
    await t.slack.command({ text: 'note looking at the load balancer', userId: 'UANA', channelId: ch.id });
    await resolve(ch, 'Load balancer pool fixed.');
    const resolvedHead = await headOf(id);
    const [posted] = postedHeads(ch);
    expect(posted.user).toBe(t.fake.botUserId);
    expect(posted.metadata.event_payload).toEqual({ incident_id: id, seq: resolvedHead.seq, hash: resolvedHead.hash });
    expect(posted.text).toMatch(new RegExp(`^:lock: INC-\\d+ timeline sealed when resolved: entry #${resolvedHead.seq}, sha256 \`${resolvedHead.hash}\``));

    expect(await replyIn(ch.id, 'close')).toContain('is closed');
    await t.settle();
    const closedHead = await headOf(id);
    expect(closedHead.seq).toBeGreaterThan(resolvedHead.seq);
    expect(postedHeads(ch).map((m) => m.metadata.event_payload.seq)).toEqual([resolvedHead.seq, closedHead.seq]);
    const anchors = await t.app.db.selectFrom('timeline_anchors').select(['seq', 'hash', 'reason', 'channel_id', 'message_ts']).where('incident_id', '=', id).orderBy('id').execute();
    expect(anchors).toEqual([
      { seq: resolvedHead.seq, hash: resolvedHead.hash, reason: 'resolved', channel_id: ch.id, message_ts: postedHeads(ch)[0].ts },
      { seq: closedHead.seq, hash: closedHead.hash, reason: 'closed', channel_id: ch.id, message_ts: postedHeads(ch)[1].ts },
    ]);
    expect(await replyIn(ch.id, 'timeline verify')).toMatch(/is intact: .* It matches the 2 chain heads posted in this channel\.$/);
    await expect(sql`delete from timeline_anchors where incident_id = ${id}`.execute(t.app.db)).rejects.toThrow(/timeline_anchors rows are append-only \(DELETE refused\)/);
  });

  it('detects that the newest entry of a resolved incident was deleted, also when the recorded heads are deleted too', async () => {
    const ch = await declareIncident(t, { userId: 'UANA', title: 'Newest entry removed', severity: 'SEV3' });
    const id = await idOf(ch);
    await resolve(ch, 'Cache flushed.');
    const head = await headOf(id);
    expect(postedHeads(ch).at(-1)!.metadata.event_payload.seq).toBe(head.seq);

    // The newest row is the chain's end: nothing after it links to it.
    await asSuperuser('timeline_events', sql`delete from timeline_events where incident_id = ${id} and seq = ${head.seq}`);
    expect((await verifyChains(t.app.db, id)).broken).toEqual([
      { incidentId: id, number: expect.any(Number), seq: head.seq, rowId: null, reason: 'missing, though a recorded chain head names it (entries were removed from the end)', source: 'database' },
    ]);
    expect(await replyIn(ch.id, 'timeline verify')).toMatch(new RegExp(`^:x: The INC-\\d+ timeline has been tampered with: entry #${head.seq} — missing, though a recorded chain head names it \\(entries were removed from the end\\)`));
    const brokenLine = new RegExp(`BROKEN incident #\\d+ \\(id ${id}\\): row seq ${head.seq}: missing, though a recorded chain head names it`);
    const cli = await verifyCli();
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(brokenLine);

    // Someone with full rights on the database removes the recorded heads as well: the database alone
    // can no longer tell, the heads posted in Slack still can.
    await asSuperuser('timeline_anchors', sql`delete from timeline_anchors where incident_id = ${id}`);
    expect((await verifyChains(t.app.db, id)).broken).toEqual([]);
    expect((await verifyCli()).stdout).not.toMatch(new RegExp(`BROKEN incident #\\d+ \\(id ${id}\\):`));
    expect(await replyIn(ch.id, 'timeline verify')).toMatch(new RegExp(`^:x: .*entry #${head.seq} — missing, though a recorded chain head names it \\(entries were removed from the end\\) \\(chain head posted in this channel\\)\\.$`));
    const withSlack = await verifyCli({ slack: true });
    expect(withSlack.status).toBe(1);
    expect(withSlack.stdout).toMatch(new RegExp(`${brokenLine.source}.*\\[chain head posted in Slack\\]`));
  });

  it('detects a rewrite whose hashes were all recomputed, by the heads posted in Slack', async () => {
    const ch = await declareIncident(t, { userId: 'UANA', title: 'History rewritten', severity: 'SEV3' });
    const id = await idOf(ch);
    await t.slack.command({ text: 'note rolled back release 41', userId: 'UANA', channelId: ch.id });
    await resolve(ch, 'Rolled back.');
    const note = await t.app.db.selectFrom('timeline_events').select('seq').where('incident_id', '=', id).where('kind', '=', 'note').executeTakeFirstOrThrow();
    // The chain has no secret: whoever can write the table can rewrite a row and re-chain every later one.
    await asSuperuser(
      'timeline_events',
      sql`update timeline_events set payload = '{"text":"nothing was rolled back"}' where incident_id = ${id} and seq = ${note.seq}`,
    );
    await asSuperuser(
      'timeline_events',
      sql.raw(`do $$ declare r record; prev text; begin
        for r in select * from timeline_events where incident_id = ${Number(id)} and seq >= ${note.seq} order by seq loop
          select hash into prev from timeline_events where incident_id = r.incident_id and seq = r.seq - 1;
          update timeline_events set prev_hash = coalesce(prev, ''),
            hash = timeline_row_hash(coalesce(prev, ''), timeline_row_content(r.incident_id, r.seq, r.at, r.actor_id, r.kind, r.payload, r.dedupe_key))
          where id = r.id;
        end loop; end $$`),
    );
    await asSuperuser('timeline_anchors', sql`delete from timeline_anchors where incident_id = ${id}`);
    expect((await verifyChains(t.app.db, id)).broken).toEqual([]);
    const head = postedHeads(ch).at(-1)!.metadata.event_payload;
    expect(await replyIn(ch.id, 'timeline verify')).toMatch(
      new RegExp(`^:x: .*entry #${head.seq} — differs from a recorded chain head \\(entries up to it were rewritten\\) \\(chain head posted in this channel\\)\\.$`),
    );
  });
});
