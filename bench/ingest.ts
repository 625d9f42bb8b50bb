/**
 * Alert intake throughput: alerts per second accepted through POST /webhooks/alertmanager (auth,
 * validation, grouping, de-duplication, routing, post scheduling) with 90 % duplicates, against a
 * plain `INSERT … ON CONFLICT DO UPDATE` of the same rows in the same batches, measured in the same run.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { policySchema } from '../src/policy/schema.js';
import { startIncidentOfficer } from '../src/server.js';
import { FakeSlack } from '../test/support/fake-slack.js';

const GROUPS = 10;
const ALERTS_PER_GROUP = 100;
const REPEATS = 10; // each alert delivered 10 times: 90 % of deliveries are duplicates
const CONCURRENCY = 4;
const TOKEN = 'bench-token-0123456789abcdef';

function delivery(group: number): Record<string, any> {
  return {
    receiver: 'bench',
    status: 'firing',
    version: '4',
    groupKey: `{}:{alertname="Bench${group}"}`,
    truncatedAlerts: 0,
    groupLabels: { alertname: `Bench${group}` },
    commonLabels: { alertname: `Bench${group}`, severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.org:9093',
    alerts: Array.from({ length: ALERTS_PER_GROUP }, (_, i) => ({
      status: 'firing',
      labels: { alertname: `Bench${group}`, instance: `node-${i}:9100`, severity: 'warning' },
      annotations: { summary: `Bench${group} on node-${i}` },
      startsAt: '2026-11-26T09:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.org:9090/graph',
      fingerprint: `${String(group).padStart(4, '0')}${String(i).padStart(12, '0')}`,
    })),
  };
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const admin = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `io_bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database "${name}"`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    const d = new pg.Client({ connectionString: admin });
    await d.connect();
    await d.query(`drop database if exists "${name}" with (force)`);
    await d.end();
  }
}

export async function run(): Promise<void> {
  await withDatabase(async (url) => {
    const bodies: string[] = [];
    for (let r = 0; r < REPEATS; r++) for (let g = 0; g < GROUPS; g++) bodies.push(JSON.stringify(delivery(g)));
    const total = GROUPS * ALERTS_PER_GROUP * REPEATS;

    // Bolt checks its token at start-up; a local fake answers (no alert is posted: no triage channel).
    const slack = await FakeSlack.start();
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-bench-0000', SLACK_SIGNING_SECRET: 'bench-signing-secret', SLACK_API_URL: slack.apiUrl, DATABASE_URL: url, PORT: '0', WEBHOOK_SECRET_ALERTMANAGER: TOKEN }, process.cwd());
    config.policy = policySchema.parse({ signals: { sources: { alertmanager: { type: 'alertmanager' } } } });
    const app = await startIncidentOfficer(config, { logger: createLogger({ level: 'silent' }), scheduler: false });
    let webhookMs: number;
    try {
      const endpoint = `http://127.0.0.1:${app.port}/webhooks/alertmanager`;
      const send = async (body: string) => {
        const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body });
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      };
      await send(JSON.stringify(delivery(999))); // warm-up (connections, JIT)
      const started = performance.now();
      await pool(bodies, CONCURRENCY, send);
      webhookMs = performance.now() - started;
      const { rows } = await sql<{ n: string; c: string }>`select count(*) as n, sum(count) as c from signals where source = 'alertmanager' and title like 'Bench%' and title not like 'Bench999%'`.execute(app.db);
      if (Number(rows[0].n) !== GROUPS * ALERTS_PER_GROUP || Number(rows[0].c) !== total) throw new Error(`webhook stored ${rows[0].n} signals / ${rows[0].c} deliveries`);
    } finally {
      await app.stop();
      await slack.close();
    }

    // Baseline: the same rows, the same batches and concurrency, straight into a table with one upsert each.
    const { db, close } = openDatabase(url);
    let baselineMs: number;
    try {
      await sql`create table bench_alerts (source text not null, dedup_key text not null, title text not null, labels jsonb not null, status text not null, count int not null default 1, last_seen_at timestamptz not null, primary key (source, dedup_key))`.execute(db);
      const batches: { fingerprint: string; status: string; labels: Record<string, string>; annotations: { summary: string } }[][] = bodies.map((b) => JSON.parse(b).alerts);
      const started = performance.now();
      await pool(batches, CONCURRENCY, async (alerts) => {
        await sql`insert into bench_alerts (source, dedup_key, title, labels, status, last_seen_at)
          select 'alertmanager', t.k, t.title, t.labels::jsonb, t.status, now()
          from unnest(${alerts.map((a) => a.fingerprint)}::text[], ${alerts.map((a) => a.annotations.summary)}::text[], ${alerts.map((a) => JSON.stringify(a.labels))}::text[], ${alerts.map((a) => a.status)}::text[]) as t(k, title, labels, status)
          on conflict (source, dedup_key) do update set count = bench_alerts.count + 1, last_seen_at = excluded.last_seen_at, status = excluded.status`.execute(db);
      });
      baselineMs = performance.now() - started;
    } finally {
      await close();
    }

    const webhookRate = total / (webhookMs / 1000);
    const baselineRate = total / (baselineMs / 1000);
    console.log(`${total} alerts in ${bodies.length} Alertmanager deliveries of ${ALERTS_PER_GROUP} (${GROUPS} groups, 90 % duplicates), ${CONCURRENCY} at a time`);
    console.log(`  webhook intake:              ${Math.round(webhookRate).toLocaleString('en')} alerts/s (${webhookMs.toFixed(0)} ms)`);
    console.log(`  plain INSERT … ON CONFLICT:  ${Math.round(baselineRate).toLocaleString('en')} alerts/s (${baselineMs.toFixed(0)} ms)`);
    console.log(`  ratio webhook / baseline:    ${(webhookRate / baselineRate).toFixed(2)}`);
  });
}
