import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { declareIncident, lastResponse } from './support/flows.js';
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
    env: { WEBHOOK_SECRET_SIEM: 'generic-secret-123456' },
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
});
