import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FakeSlack } from '../test/support/fake-slack.js';
import { withDatabase } from './support.js';

const RUNS = 5;
const IDLE_MS = 5_000;

/** Resident memory of a process, in MiB (0 once it is gone). */
function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** `pid` and every process below it, with their command lines. */
function tree(pid: number): { pid: number; cmd: string }[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      return;
    }
    out.push({ pid: p, cmd });
    for (const child of parents.get(p) ?? []) walk(child);
  };
  walk(pid);
  return out;
}

interface Sample {
  readyMs: number;
  /** The process serving the app: the last node process in the tree running main. */
  appMiB: number;
  totalMiB: number;
  processes: number;
}

/** Starts `command`, times it to /readyz 200, waits idle, and measures resident memory. */
async function sample(command: string[], env: NodeJS.ProcessEnv, port: number): Promise<Sample> {
  const t0 = performance.now();
  const child = spawn(command[0], command.slice(1), { env, stdio: 'ignore', detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (performance.now() - t0 > 60_000) throw new Error(`${command.join(' ')}: not ready after 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const processes = tree(child.pid!);
    const app = processes.filter((p) => /\bnode\b/.test(p.cmd.split(' ')[0]) && /main\.[jt]s/.test(p.cmd)).at(-1);
    if (!app) throw new Error(`no app process under ${command.join(' ')}: ${processes.map((p) => p.cmd).join(' | ')}`);
    return { readyMs, appMiB: rssMiB(app.pid), totalMiB: processes.reduce((sum, p) => sum + rssMiB(p.pid), 0), processes: processes.length };
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Start-up of the production process: time from spawn to /readyz answering 200 and resident memory
 * after 5 s idle, for the compiled build (the image's CMD and `npm start`) against the former
 * `npm start`, which compiled TypeScript with tsx at every start. PostgreSQL already migrated; Slack is
 * the fake. Medians of 5 starts each, taken in turns.
 */
export async function run(): Promise<Record<string, string>> {
  const build = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const fake = await FakeSlack.start();
  try {
    return await withDatabase(async (url) => {
      const port = 38_000 + Math.floor(Math.random() * 2_000);
      const env = { ...process.env, SLACK_BOT_TOKEN: 'xoxb-bench-1', SLACK_SIGNING_SECRET: 'bench-signing-secret-123', SLACK_API_URL: fake.apiUrl, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'warn' };
      const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
      const variants: [string, string[]][] = [
        ['node dist/src/main.js (the image CMD)', [process.execPath, 'dist/src/main.js']],
        ['npm start (compiled, dist/ up to date)', [...npm, 'start']],
        ['tsx src/main.ts (the former npm start)', ['node_modules/.bin/tsx', 'src/main.ts']],
      ];
      await sample(variants[0][1], env, port); // applies the migrations, warms the disk cache
      // Round after round of every variant, so that a busy moment of the machine falls on all of them.
      const samples: Sample[][] = variants.map(() => []);
      for (let i = 0; i < RUNS; i++) for (const [v, [, command]] of variants.entries()) samples[v].push(await sample(command, env, port));
      const rows: Record<string, string> = {};
      for (const [v, [label]] of variants.entries()) {
        rows[label] =
          `ready in ${(median(samples[v].map((s) => s.readyMs)) / 1000).toFixed(2)} s · app process ${median(samples[v].map((s) => s.appMiB)).toFixed(0)} MiB · ` +
          `${median(samples[v].map((s) => s.totalMiB)).toFixed(0)} MiB across ${samples[v][0].processes} processes`;
      }
      rows.node = process.version;
      return rows;
    });
  } finally {
    await fake.close();
  }
}
