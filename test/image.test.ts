/**
 * The Docker image without a Docker engine: the build stage and the final stage are laid out in
 * temporary directories exactly as the Dockerfile copies them (production dependencies installed by the
 * final stage's own `npm ci --omit=dev`), then the image's CMD, HEALTHCHECK and the scripts the README
 * gives operators are run there, on the Node.js the image is built from.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { layOut, linkNodeModules, npmCommand, readDockerfile, runNpm, type Stage } from './support/dockerfile.js';
import { FakeSlack } from './support/fake-slack.js';
import { eventually } from './support/wait.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stages = readDockerfile(root);
const final = stages.at(-1)!;
const names = Object.keys(migrations).sort();
const work = mkdtempSync(path.join(tmpdir(), 'io-image-'));
const app = path.join(work, 'final');
// The image's PATH has its Node.js and npm, and none of the checkout's dev tools (tsx, tsc).
const PATH = [path.dirname(process.execPath), ...(process.env.PATH ?? '').split(path.delimiter).filter((d) => !d.includes('node_modules'))].join(path.delimiter);

let fake: FakeSlack;
let database: TestDatabase;
const children: ChildProcess[] = [];

function imageEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH, HOME: work, ...final.env, DATA_DIR: path.join(work, 'data'), PORT: '0', ...extra };
}

function appEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return imageEnv({ SLACK_BOT_TOKEN: 'xoxb-image-1', SLACK_SIGNING_SECRET: 'image-signing-secret', SLACK_API_URL: fake.apiUrl, DATABASE_URL: database.url, ...extra });
}

/** `npm run <script>` in the image, as an operator would type it. */
function npmRun(args: string[], env = appEnv()) {
  const [cmd, argv] = npmCommand(['run', ...args]);
  return spawnSync(cmd, argv, { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
}

/** Starts `command` in the image; resolves once /readyz answers 200. */
async function startServing(command: string[], env = appEnv()) {
  // Its own process group, so that cleaning up also reaches what npm started.
  const child = spawn(command[0], command.slice(1), { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  const out: string[] = [];
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => out.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await eventually(() => {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${out.join('')}`);
    const line = out.join('').split('\n').find((l) => l.includes('Incident Officer is listening'));
    return line ? (JSON.parse(line).port as number) : undefined;
  }, 60_000, 'listening line');
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 30_000, '/readyz 200');
  return { child, out, exited, port };
}

beforeAll(async () => {
  const build = stages.find((s) => s.name === 'build')!;
  const buildDir = path.join(work, 'build');
  // The build stage's `npm ci` brings the dev dependencies: the checkout's own stand in for them.
  layOut(build, buildDir, {
    context: root,
    npm: (args, cwd) => (args.join(' ') === 'ci' ? linkNodeModules(root, cwd) : runNpm(args, cwd, { ...process.env })),
  });
  layOut(final, app, {
    context: root,
    earlier: { build: { stage: build, dir: buildDir } },
    npm: (args, cwd) => {
      if (args[0] === 'cache') return; // keeps this machine's npm cache
      expect(args).toEqual(['ci', '--omit=dev']);
      runNpm([...args, '--prefer-offline', '--no-audit', '--no-fund'], cwd, { PATH, HOME: process.env.HOME });
    },
    skip: [/^mkdir -p \/app\/data$/, /^chown node:node \/app\/data$/],
  });
  fake = await FakeSlack.start();
  database = await createTestDatabase();
}, 300_000);

afterAll(async () => {
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await fake?.close();
  await database?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('the Docker image', () => {
  it('is built on the Node.js the tests run on, and holds only production dependencies and compiled JavaScript', () => {
    const tags = stages.map((s: Stage) => s.image);
    expect(new Set(tags).size).toBe(1);
    const { devDependencies } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(tags[0]).toBe(`node:${devDependencies.node}-bookworm-slim`);
    expect(process.version).toBe(`v${devDependencies.node}`);
    expect(process.versions.node.split('.')[0]).toBe('24');

    expect(existsSync(path.join(app, 'src'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(path.join(app, 'dist', 'src', 'main.js'))).toBe(true);
    for (const name of names) expect(existsSync(path.join(app, 'dist', 'db', 'migrations', `${name}.js`))).toBe(true);
  });

  it('npm run migrate applies every migration, then finds nothing to do', () => {
    const first = npmRun(['migrate']);
    expect(first.stderr + first.stdout).not.toMatch(/Warning/);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`applied: ${names.join(', ')}`);
    const again = npmRun(['migrate']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('database is up to date');
  });

  it('npm run verify-audit checks the audit trail', () => {
    const r = npmRun(['verify-audit']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('audit trail intact');
  });

  it("the image's CMD serves /readyz, passes the HEALTHCHECK, warns about nothing and stops cleanly on SIGTERM", async () => {
    const p = await startServing(final.cmd!);
    const health = spawnSync('sh', ['-c', final.healthcheck!], { cwd: app, env: imageEnv({ PORT: String(p.port) }), timeout: 10_000 });
    expect(health.status).toBe(0);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out.join('')).not.toMatch(/Warning|\(node:\d+\)/);
  }, 90_000);

  it('npm start serves /readyz and stops on SIGTERM', async () => {
    const [cmd, argv] = npmCommand(['start']);
    const p = await startServing([cmd, ...argv]);
    expect(p.out.join('')).toContain('node dist/src/main.js');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out.join('')).toContain('"msg":"stopped"');
  }, 90_000);

  it('starts on the embedded database in DATA_DIR when DATABASE_URL is not set', async () => {
    const p = await startServing(final.cmd!, appEnv({ DATABASE_URL: '', DATA_DIR: mkdtempSync(path.join(work, 'data-')) }));
    expect(p.out.join('')).toContain('using the embedded PostgreSQL under DATA_DIR');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 120_000);

  it('npm run migrate -- --to <migration> takes the later migrations back with their down, and they apply again', async () => {
    const last = names.at(-1)!;
    const previous = names.at(-2)!;
    const back = npmRun(['migrate', '--', '--to', previous]);
    expect(back.status).toBe(0);
    expect(back.stdout).toContain(`reverted: ${last}`);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      expect((await client.query('select name from kysely_migration order by name')).rows.map((r) => r.name)).toEqual(names.slice(0, -1));
    } finally {
      await client.end();
    }
    const forward = npmRun(['migrate']);
    expect(forward.status).toBe(0);
    expect(forward.stdout).toContain(`applied: ${last}`);
    expect(npmRun(['verify-audit']).status).toBe(0);
  });

  it('refuses a database migrated by a newer version, saying so, and starts again once that migration is taken back', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(`insert into kysely_migration (name, timestamp) values ('29990101_0001_later', now())`);
      const migrate = npmRun(['migrate']);
      expect(migrate.status).toBe(1);
      expect(migrate.stderr).toContain('the database has migration 29990101_0001_later, which this version does not have: a newer version of Incident Officer migrated it');
      const start = spawnSync(final.cmd![0], final.cmd!.slice(1), { cwd: app, env: appEnv(), encoding: 'utf8', timeout: 60_000 });
      expect(start.status).toBe(1);
      expect(start.stderr).toContain('a newer version of Incident Officer migrated it');
      await client.query(`delete from kysely_migration where name = '29990101_0001_later'`);
      const p = await startServing(final.cmd!);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      await client.end();
    }
  }, 120_000);
});
