import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { messageText } from './support/flows.js';

let t: TestApp;
let service: http.Server;
let elsewhere: http.Server;
let status = 503;
let elsewhereHits = 0;
const clock = new FakeClock('2026-11-26T09:00:00Z');
const TRIAGE = 'CHEALTH01';

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port };
}

beforeAll(async () => {
  const other = await listen((_req, res) => {
    elsewhereHits++;
    res.writeHead(200).end('ok');
  });
  elsewhere = other.server;
  const svc = await listen((req, res) => {
    if (req.url === '/moved') return void res.writeHead(302, { location: `http://127.0.0.1:${other.port}/health` }).end();
    res.writeHead(status).end();
  });
  service = svc.server;
  const closed = await listen(() => {});
  const closedPort = closed.port;
  await new Promise<void>((resolve) => closed.server.close(() => resolve()));

  t = await startTestApp({
    clock,
    policy: policySchema.parse({
      signals: { triage_channel: TRIAGE },
      healthchecks: [
        { name: 'checkout-http', type: 'http', url: `http://127.0.0.1:${svc.port}/health`, service: 'checkout', severity: 'critical', failures_before_alert: 2 },
        { name: 'moved', type: 'http', url: `http://127.0.0.1:${svc.port}/moved`, expect_status: [200], failures_before_alert: 1 },
        { name: 'db-tcp', type: 'tcp', host: '127.0.0.1', port: closedPort, failures_before_alert: 1, timeout_ms: 2000 },
        { name: 'local-dns', type: 'dns', hostname: 'localhost' },
        { name: 'hourly', type: 'tcp', host: '127.0.0.1', port: svc.port, every_minutes: 60 },
      ],
    }),
  });
  t.fake.addChannel({ id: TRIAGE, name: 'health', members: new Set([t.fake.botUserId]) });
});
afterAll(async () => {
  await t?.stop();
  service?.close();
  elsewhere?.close();
});

const state = async () => Object.fromEntries((await t.app.db.selectFrom('healthcheck_state').selectAll().execute()).map((s) => [s.name, s]));
const groupOf = (check: string) => t.app.db.selectFrom('signal_groups').selectAll().where('source', '=', 'healthcheck').where('group_key', '=', `check:${check}`).executeTakeFirst();
async function tick() {
  await t.app.scheduler.runNow('healthchecks');
  await t.settle();
  clock.advanceMinutes(1);
}

describe('health checks', () => {
  it('raise a signal after the configured failures in a row, and resolve it when the check passes', async () => {
    await tick();
    let s = await state();
    expect(s['checkout-http']).toMatchObject({ ok: false, consecutive_failures: 1, alerting: false, last_error: expect.stringContaining('HTTP 503') });
    expect(await groupOf('checkout-http')).toBeUndefined();

    await tick();
    const g = await groupOf('checkout-http');
    expect(g).toMatchObject({ status: 'firing', severity: 'critical', service: 'checkout', title: 'Health check checkout-http failing' });
    const post = t.fake.messagesIn(TRIAGE).find((m) => messageText(m).includes('checkout-http'));
    expect(messageText(post)).toContain('HTTP 503');

    status = 200;
    await tick();
    s = await state();
    expect(s['checkout-http']).toMatchObject({ ok: true, consecutive_failures: 0, alerting: false });
    expect((await groupOf('checkout-http'))!.status).toBe('resolved');
  });

  it('never follow a redirect to another host', async () => {
    const s = await state();
    expect(s.moved).toMatchObject({ ok: false, last_error: expect.stringContaining('HTTP 302') });
    expect(elsewhereHits).toBe(0);
    expect((await groupOf('moved'))!.status).toBe('firing');
  });

  it('check TCP connects and DNS names, each on its own schedule', async () => {
    const s = await state();
    expect(s['db-tcp']).toMatchObject({ ok: false, last_error: expect.stringContaining('ECONNREFUSED') });
    expect((await groupOf('db-tcp'))!.status).toBe('firing');
    expect(s['local-dns']).toMatchObject({ ok: true });
    expect(await groupOf('local-dns')).toBeUndefined();
    // Runs once an hour: still the time of the first run after three ticks.
    expect(s.hourly.last_run_at.toISOString()).toBe('2026-11-26T09:00:00.000Z');
    expect(s['local-dns'].last_run_at.toISOString()).toBe('2026-11-26T09:02:00.000Z');
  });
});
