import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../src/http/metrics.js';
import { enqueueTask } from '../src/outbox/tasks.js';
import { startTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { declareIncident } from './support/flows.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { eventually } from './support/wait.js';

let db: TestDatabase;
let proxy: TcpProxy;
let t: TestApp;
beforeAll(async () => {
  db = await createTestDatabase();
  // The app reaches PostgreSQL through a proxy the test can cut.
  const front = await TcpProxy.inFrontOf(db.url);
  proxy = front.proxy;
  t = await startTestApp({ database: { ...db, url: front.url } });
  t.fake.addUser({ id: 'UANA', name: 'ana' });
});
afterAll(async () => {
  await t?.stop();
  await proxy?.close();
  await db?.drop();
});

const scrape = async () => {
  const res = await fetch(`${t.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
};
/** The value of one sample line, e.g. `name{a="b"}`; undefined when the line is absent. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('counts Web API calls by method and outcome, rate limits and errors included, and outbox task runs', async () => {
    t.fake.failNext('conversations.create', { status: 429, retryAfter: 0 });
    t.fake.failNext('conversations.setTopic', { error: 'internal_error' });
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Metrics under a rate limit' });
    await eventually(() => channel.topic.startsWith('INC-'), 10_000, 'topic set on the retry');
    await t.settle();

    const text = await scrape();
    expect(sample(text, 'incident_officer_slack_api_calls_total{method="conversations.create",outcome="rate_limited"}')).toBe(1);
    expect(sample(text, 'incident_officer_slack_api_calls_total{method="conversations.create",outcome="ok"}')).toBe(1);
    expect(sample(text, 'incident_officer_slack_api_calls_total{method="conversations.setTopic",outcome="internal_error"}')).toBe(1);
    expect(sample(text, 'incident_officer_slack_api_calls_total{method="conversations.setTopic",outcome="ok"}')).toBe(1);
    expect(sample(text, 'incident_officer_slack_api_calls_total{method="views.open",outcome="ok"}')).toBe(1);
    // Every call the fake Slack answered is counted once, under its method.
    const counted = [...text.matchAll(/^incident_officer_slack_api_calls_total\{method="([^"]+)",outcome="[^"]+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[2]), 0);
    expect(counted).toBe(t.fake.calls.length);
    // The provisioning task failed once on the topic, was retried and finished.
    expect(sample(text, 'incident_officer_slack_tasks_total{kind="incident.provision",outcome="retry"}')).toBe(1);
    expect(sample(text, 'incident_officer_slack_tasks_total{kind="incident.provision",outcome="ok"}')).toBe(1);
    expect(sample(text, 'incident_officer_database_up')).toBe(1);
    expect(sample(text, 'incident_officer_outbox_tasks_due{lane="slack"}')).toBe(0);
    expect(sample(text, 'incident_officer_outbox_oldest_due_seconds{lane="slack"}')).toBe(0);
  });

  it('shows a stuck outbox: tasks due and how long the oldest has waited', async () => {
    const incident = await t.app.db.selectFrom('incidents').select('id').executeTakeFirstOrThrow();
    await t.app.runner.stop();
    try {
      await enqueueTask(t.app.db, { kind: 'incident.sync', incidentId: incident.id, runAt: new Date(Date.now() - 90_000) });
      await enqueueTask(t.app.db, { kind: 'incident.sync', incidentId: incident.id, runAt: new Date(Date.now() + 3_600_000) });
      const text = await scrape();
      expect(sample(text, 'incident_officer_outbox_tasks_due{lane="slack"}')).toBe(1);
      const oldest = sample(text, 'incident_officer_outbox_oldest_due_seconds{lane="slack"}')!;
      expect(oldest).toBeGreaterThanOrEqual(90);
      expect(oldest).toBeLessThan(3_600);
    } finally {
      t.app.runner.start();
    }
    await eventually(async () => sample(await scrape(), 'incident_officer_outbox_tasks_due{lane="slack"}') === 0, 10_000, 'outbox drained');
  });

  it('still answers while the database is away, saying so instead of reporting a stale backlog', async () => {
    proxy.cut();
    try {
      const text = await scrape();
      expect(sample(text, 'incident_officer_database_up')).toBe(0);
      expect(sample(text, 'incident_officer_outbox_tasks_due{lane="slack"}')).toBeUndefined();
      expect(sample(text, 'incident_officer_outbox_oldest_due_seconds{lane="slack"}')).toBeUndefined();
      expect(sample(text, 'incident_officer_slack_api_calls_total{method="conversations.create",outcome="ok"}')).toBe(1);
      expect(text).toContain('incident_officer_process_cpu_user_seconds_total');
    } finally {
      proxy.restore();
    }
    await eventually(async () => sample(await scrape(), 'incident_officer_database_up') === 1, 15_000, 'database back');
  });
});

describe('the outbox backlog at scrape time', () => {
  it('gives up on a database that does not answer, and never stacks a second query on a stalled one', async () => {
    let queries = 0;
    const metrics = new Metrics({ outboxBacklog: () => (queries++, new Promise(() => {})), backlogTimeoutMs: 50 });
    for (let i = 0; i < 3; i++) {
      const text = await metrics.render();
      expect(sample(text, 'incident_officer_database_up')).toBe(0);
      expect(sample(text, 'incident_officer_outbox_tasks_due{lane="slack"}')).toBeUndefined();
    }
    expect(queries).toBe(1);
  });
});
