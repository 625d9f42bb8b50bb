import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { declareIncident, lastModal, lastResponse } from './support/flows.js';
import { input } from './support/slack-requests.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { eventually } from './support/wait.js';

let db: TestDatabase;
let proxy: TcpProxy;
let t: TestApp;
beforeAll(async () => {
  db = await createTestDatabase();
  const u = new URL(db.url);
  proxy = await TcpProxy.start({ host: u.hostname, port: Number(u.port || 5432) });
  u.host = `127.0.0.1:${proxy.port}`;
  // The app reaches PostgreSQL only through the proxy; the test cuts it to take the database away.
  t = await startTestApp({
    database: { ...db, url: u.toString() },
    env: { WEBHOOK_SECRET_SIEM: 'generic-secret-123456', DATABASE_QUERY_TIMEOUT_MS: '3000' },
    policy: policySchema.parse({ signals: { sources: { siem: { type: 'generic' } } } }),
  });
  t.fake.addUser({ id: 'UANA', name: 'ana' });
});
afterAll(async () => {
  await t?.stop();
  await proxy?.close();
  await db?.drop();
});

describe('a database outage', () => {
  it('fails requests cleanly while the database is away, then recovers without a restart', async () => {
    const before = await declareIncident(t, { userId: 'UANA', title: 'Before the outage' });
    proxy.cut();
    try {
      const ready = await fetch(`${t.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);

      const res = await t.slack.command({ text: 'list', userId: 'UANA', channelId: 'CGENERAL' });
      expect(res.status).toBe(200);
      const reply = await lastResponse(t, res.responseUrl);
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).toMatch(/^Something went wrong on our side \(ref E-[0-9A-F]{6}\)/);

      const note = await t.slack.command({ text: 'note lost?', userId: 'UANA', channelId: before.id });
      expect((await lastResponse(t, note.responseUrl)).text).toMatch(/ref E-/);

      const hook = await fetch(`${t.url}/webhooks/siem`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer generic-secret-123456' },
        body: JSON.stringify({ source: 'siem', dedup_key: 'k1', title: 'Brute force', severity: 'high', status: 'firing' }),
      });
      expect(hook.status).toBe(503);
    } finally {
      proxy.restore();
    }
    await eventually(async () => (await fetch(`${t.url}/readyz`)).status === 200, 15_000, 'ready again');
    const after = await declareIncident(t, { userId: 'UANA', title: 'After the outage' });
    expect(after.id).not.toBe(before.id);
    const res = await t.slack.command({ text: 'list', userId: 'UANA', channelId: 'CGENERAL' });
    expect((await lastResponse(t, res.responseUrl)).text).toMatch(/Open incidents: 2/);
  }, 60_000);

  it('answers every Slack request within 3 s while the database stalls, tells the person why, and records nothing it did not confirm', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Stalled database' });
    const incident = await t.app.db.selectFrom('incidents').select(['id']).where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    await t.slack.command({ text: 'update', userId: 'UANA', channelId: channel.id });
    const form = await eventually(() => lastModal(t, 'UANA', 'incident_update'));
    const failed = async (responseUrl: string | undefined) =>
      (await eventually(() => t.fake.responses.filter((r) => r.url === responseUrl).at(-1), 30_000, 'reply')).body.text as string;
    const apology = /^Something went wrong on our side \(ref E-[0-9A-F]{6}\)/;

    // PostgreSQL stops answering; its connections stay open.
    proxy.pause();
    try {
      const list = await t.slack.command({ text: 'list', userId: 'UANA', channelId: 'CGENERAL' });
      const note = await t.slack.command({ text: 'note written while the database stalled', userId: 'UANA', channelId: channel.id });
      const button = await t.slack.blockAction({ userId: 'UANA', actionId: 'incident_open_note', channelId: channel.id, messageTs: channel.pins[0] });
      const submit = await t.slack.viewSubmission({
        userId: 'UANA',
        view: form,
        values: { status: { status: input.select('identified') }, message: { message: input.text('Posted while the database stalled') }, next_update: { next_update: input.select('none') } },
      });
      for (const res of [list, note, button, submit]) {
        expect(res.status).toBe(200);
        expect(res.elapsedMs).toBeLessThan(3_000);
      }
      // The form stays open with what was typed, the reason on it.
      expect(submit.body.response_action).toBe('errors');
      expect(Object.values(submit.body.errors).join(' ')).toMatch(/ref E-[0-9A-F]{6}/);
      expect(submit.viewErrors).toEqual([]);
      expect(t.fake.views.get(form.id)!.closed).toBeFalsy();
      // Everyone else hears why, in an ephemeral reply.
      for (const res of [list, note, button]) expect(await failed(res.responseUrl)).toMatch(apology);

      const started = Date.now();
      const ready = await fetch(`${t.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      proxy.resume();
    }
    await eventually(async () => (await fetch(`${t.url}/readyz`)).status === 200, 15_000, 'ready again');

    // What the person was told failed was not done behind their back.
    const timeline = await t.app.db.selectFrom('timeline_events').select(['kind', 'payload']).where('incident_id', '=', incident.id).execute();
    expect(JSON.stringify(timeline)).not.toContain('while the database stalled');
    // And it works again without a restart.
    const again = await t.slack.command({ text: 'note written after the stall', userId: 'UANA', channelId: channel.id });
    expect(await lastResponse(t, again.responseUrl)).toBeTruthy();
    const notes = await t.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', incident.id).where('kind', '=', 'note').execute();
    expect(JSON.stringify(notes)).toContain('written after the stall');
  }, 90_000);
});
