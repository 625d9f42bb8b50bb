import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicenowConfig } from '../src/config.js';
import type { TestApp } from './support/app.js';
import type { FakeServiceNow } from './support/fake-servicenow.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, messageText } from './support/flows.js';
import { recordOf as recordIn, serviceNowPolicy, startServiceNowApp, synced as syncedIn } from './support/servicenow.js';

const SECRET = 'sn-push-secret-0123456789abcdef';
let sn: FakeServiceNow;
let t: TestApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  // Read back only on a push or when a test polls.
  ({ sn, t, stop } = await startServiceNowApp({ servicenow: { poll_seconds: 3600 }, env: { SERVICENOW_WEBHOOK_SECRET: SECRET }, users: [['UANA', 'ana'], ['UBEN', 'ben']] }));
  sn.addUser({ user_name: 'pat.desk', name: 'Pat Desk' });
});
afterAll(async () => stop?.());

const synced = <T>(check: () => T | undefined | false | Promise<T | undefined | false>, label: string) => syncedIn(t, check, label);
const recordOf = (c: FakeChannel) => recordIn(t, sn, c);
const texts = (c: FakeChannel) => c.messages.map((m) => messageText(m));

async function push(body: unknown, opts: { auth?: 'bearer' | 'query' | 'none'; secret?: string; contentType?: string } = {}): Promise<{ status: number; body: any }> {
  const secret = opts.secret ?? SECRET;
  const auth = opts.auth ?? 'bearer';
  const res = await fetch(`${t.url}/webhooks/servicenow${auth === 'query' ? `?secret=${encodeURIComponent(secret)}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': opts.contentType ?? 'application/json', ...(auth === 'bearer' ? { authorization: `Bearer ${secret}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const pollRuns = async () => Number(/^incident_officer_servicenow_polls_total\{outcome="ok"\} (\d+)/m.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1] ?? 0);

describe('POST /webhooks/servicenow', () => {
  it('refuses a notice without the secret (401) and keeps a malformed one as a rejection (400)', async () => {
    const sysId = 'a'.repeat(32);
    expect((await push({ sys_id: sysId }, { auth: 'none' })).status).toBe(401);
    expect((await push({ sys_id: sysId }, { secret: 'not-the-secret-at-all' })).status).toBe(401);
    expect((await push({ sys_id: sysId }, { auth: 'query', secret: 'wrong' })).status).toBe(401);

    const notJson = await push('{"sys_id": ', { auth: 'query' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^not valid JSON/);
    const noSysId = await push({ number: 'INC0010001' });
    expect(noSysId).toMatchObject({ status: 400, body: { error: expect.stringContaining('sys_id') } });
    const rows = await t.app.db.selectFrom('webhook_rejections').select(['id', 'source', 'reason', 'body']).where('source', '=', 'servicenow').orderBy('id').execute();
    expect(rows.map((r) => [String(r.id), r.body])).toEqual([
      [notJson.body.rejection_id, '{"sys_id": '],
      [noSysId.body.rejection_id, '{"number":"INC0010001"}'],
    ]);

    // Well formed, but not a record the bot keeps: nothing to do.
    expect(await push({ sys_id: sysId, table: 'incident' })).toEqual({ status: 200, body: { status: 'ignored', reason: 'not the record of an open incident' } });
    expect(await push({ sys_id: sysId, table: 'problem' })).toMatchObject({ status: 200, body: { status: 'ignored' } });
  });

  it('reads the record back now: a work note added in ServiceNow reaches the channel without waiting for the poll', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Token refresh fails', severity: 'SEV3', commander: 'UBEN' });
    const record = await recordOf(channel);
    sn.as('pat.desk').update('incident', record.sys_id, { work_notes: 'Identity provider rotated its keys at 10:02' });
    const before = await pollRuns();
    expect(await push({ table: 'incident', sys_id: record.sys_id, number: record.number, sys_updated_on: record.sys_updated_on }, { auth: 'query' })).toEqual({ status: 202, body: { status: 'accepted', number: record.number } });
    await synced(() => texts(channel).some((m) => m.includes('Pat Desk added a work note in ServiceNow') && m.includes('Identity provider rotated its keys')), 'the note in the channel');
    expect(await pollRuns()).toBe(before + 1);
  });

  it('waits for a poll under way (another replica\'s) and then reads the record once; the scheduled poll does not read it again', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Batch jobs stuck', severity: 'SEV3', commander: 'UBEN' });
    const record = await recordOf(channel);
    // Another replica is reading ServiceNow back right now.
    await t.app.db.insertInto('servicenow_poll_leases').values({ name: 'servicenow.poll', holder: 'another-replica', locked_until: new Date(Date.now() + 60_000) }).execute();
    sn.as('pat.desk').update('incident', record.sys_id, { state: '6', close_code: 'Workaround provided', close_notes: 'Restarted the scheduler' });
    expect((await push({ sys_id: record.sys_id })).status).toBe(202);
    // A second notice while the first waits: read once all the same (below).
    expect((await push({ sys_id: record.sys_id })).status).toBe(202);
    await t.settle();
    expect((await t.app.db.selectFrom('slack_tasks').select('id').where('kind', '=', 'servicenow.poll').where('done_at', 'is', null).execute()).length).toBeGreaterThan(0);
    // A scheduled fire meanwhile leaves the reading to the poll under way.
    await t.app.scheduler.runNow('servicenow.poll');
    await t.settle();
    expect((await t.app.db.selectFrom('incidents').select('resolved_at').where('channel_id', '=', channel.id).executeTakeFirstOrThrow()).resolved_at).toBeNull();

    await t.app.db.deleteFrom('servicenow_poll_leases').execute();
    await synced(async () => (await t.app.db.selectFrom('incidents').select('resolved_at').where('channel_id', '=', channel.id).executeTakeFirstOrThrow()).resolved_at, 'the resolution carried over');
    // The push and the schedule at once: the change is carried over once, and nothing is shown as a conflict.
    await Promise.all([push({ sys_id: record.sys_id }), t.app.scheduler.runNow('servicenow.poll')]);
    await t.settle();
    await t.app.scheduler.runNow('servicenow.poll');
    await t.settle();
    expect(texts(channel).filter((m) => m.includes('Pat Desk set the state to Resolved in ServiceNow'))).toHaveLength(1);
    expect(texts(channel).filter((m) => m.includes('not carried over'))).toHaveLength(0);
  });
});

describe('SERVICENOW_WEBHOOK_SECRET', () => {
  it('must be a long token, and is optional', () => {
    const policy = serviceNowPolicy({ url: 'https://acme.service-now.com' }).servicenow;
    const creds = { SERVICENOW_USERNAME: 'io', SERVICENOW_PASSWORD: 'pw' };
    expect(servicenowConfig(policy, creds)?.webhookSecret).toBeUndefined();
    expect(servicenowConfig(policy, { ...creds, SERVICENOW_WEBHOOK_SECRET: SECRET })?.webhookSecret).toBe(SECRET);
    expect(() => servicenowConfig(policy, { ...creds, SERVICENOW_WEBHOOK_SECRET: 'short' })).toThrow(/SERVICENOW_WEBHOOK_SECRET: must be at least 16 characters/);
  });
});
