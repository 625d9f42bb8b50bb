import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migrate.js';
import { migrations } from '../db/migrations/index.js';
import { createTestDatabase } from './support/database.js';
import { FakeSlack } from './support/fake-slack.js';
import { eventually } from './support/wait.js';

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out: string[] = [];
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => out.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = () => {
    const line = out.join('').split('\n').find((l) => l.includes('Incident Officer is listening'));
    return line ? (JSON.parse(line).port as number) : undefined;
  };
  return { child, out, exited, port };
}

describe('the process', () => {
  it('starts on the embedded database with only the two Slack secrets, and stops cleanly on SIGTERM', async () => {
    const fake = await FakeSlack.start();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'io-embedded-'));
    const p = startProcess({ SLACK_BOT_TOKEN: 'xoxb-embedded-1', SLACK_SIGNING_SECRET: 'embedded-secret-1', DATA_DIR: dataDir, PORT: '0', SLACK_API_URL: fake.apiUrl });
    try {
      const port = await eventually(p.port, 60_000, 'listening line');
      expect(p.out.join('')).toContain('using the embedded PostgreSQL under DATA_DIR');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.out.join('')).toContain('"msg":"stopped"');
    } finally {
      await fake.close();
    }
  }, 90_000);
});

describe('a bad configuration', () => {
  const startWith = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 20_000 });

  it('a bad start-up prints one line per problem and exits with code 2, without a stack trace', () => {
    const run = startWith({ SLACK_BOT_TOKEN: 'nope', PORT: 'abc' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('SLACK_BOT_TOKEN: must be a bot token starting with xoxb-');
    expect(run.stderr).toContain('PORT: must be a port number such as 3000');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad policy stops start-up: exit code 2, one line per problem, no stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'io-prep-'));
    writeFileSync(path.join(dir, 'policy.yml'), 'services:\n  - { name: a, depends_on: [b] }\n  - { name: a }\nplaybooks:\n  - { name: p, title: P, items: [{ text: x, role: wizard }] }\n');
    const run = startWith({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret-abcdef', INCIDENT_CONFIG: path.join(dir, 'policy.yml') });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('the configuration has 3 problems');
    expect(run.stderr).toMatch(/policy\.yml services\[1\]\.name: duplicate service name "a"\n/);
    expect(run.stderr).toMatch(/policy\.yml services\[0\]\.depends_on: service "a" depends on unknown service "b"\n/);
    expect(run.stderr).toMatch(/policy\.yml playbooks\[0\]\.items\[0\]\.role: unknown role "wizard"/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('migrations', () => {
  it('are applied once when two processes start at the same time', async () => {
    const database = await createTestDatabase();
    const open = () => new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }) });
    const [a, b] = [open(), open()];
    try {
      const [ra, rb] = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
      const all = Object.keys(migrations).sort();
      expect(all.length).toBeGreaterThan(0);
      expect([...ra, ...rb].sort()).toEqual(all);
      const rows = await a.selectFrom('kysely_migration').select('name').orderBy('name').execute();
      expect(rows.map((r) => r.name)).toEqual(all);
    } finally {
      await a.destroy();
      await b.destroy();
      await database.drop();
    }
  });
});
