/**
 * The processes a benchmark drives, each on its own: the app as production starts it (`node
 * dist/src/main.js`), the fake Slack, the bare Bolt floor and the load generator. What is measured
 * about a process is read from outside it: /proc (resident memory, CPU time) and, for database round
 * trips, a counting proxy in front of PostgreSQL (see pg-count.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_SECRET = 'bench-signing-secret-123';
export const ALERT_TOKEN = 'bench-alertmanager-secret-0123456789';
const TSX = path.join(root, 'node_modules/tsx/dist/esm/index.mjs');

/** A child process that prints one JSON line when it is ready (its address) and answers JSON lines on stdin. */
export class Proc {
  private readonly lines: string[] = [];
  private waiting?: (line: string) => void;
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess, readonly label: string) {
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.lines.push(line);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The next JSON line the process prints. */
  async next<T = any>(timeoutMs = 600_000): Promise<T> {
    const line = this.lines.shift() ?? (await Promise.race([
      new Promise<string>((resolve) => (this.waiting = resolve)),
      this.exited.then((code) => { throw new Error(`${this.label} exited (${code})`); }),
      sleep(timeoutMs).then(() => { throw new Error(`${this.label}: no answer in ${timeoutMs} ms`); }),
    ]));
    return JSON.parse(line) as T;
  }

  /** Sends one JSON request on stdin and waits for its answer. */
  async ask<T = any>(request: unknown, timeoutMs?: number): Promise<T> {
    this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    const answer = await this.next<T & { error?: string }>(timeoutMs);
    if (answer && typeof answer === 'object' && 'error' in answer && answer.error) throw new Error(`${this.label}: ${answer.error}`);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const code = await Promise.race([this.exited, sleep(30_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') this.child.kill('SIGKILL');
  }
}

/** A TypeScript helper process (fake Slack, load generator) run with tsx; it is never the app. */
export function startHelper(script: string, args: string[] = []): Proc {
  const child = spawn(process.execPath, ['--import', TSX, path.join(root, 'bench/procs', script), ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Proc(child, script);
}

/** A plain JavaScript process (the bare Bolt floor). */
export function startScript(script: string, env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [path.join(root, 'bench/procs', script)], { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Proc(child, script);
}

/** Compiles dist/ when it is older than the sources (what `npm start` does first). */
export function buildApp(): void {
  const res = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('build failed');
}

export interface AppOptions {
  databaseUrl: string;
  slackApiUrl: string;
  announceChannel: string;
  /** Policy file contents (YAML). */
  policy?: string;
  env?: Record<string, string>;
}

/** The app as the image runs it: `node dist/src/main.js`, logging at info to /dev/null. Resolves once /readyz answers 200. */
export async function startApp(o: AppOptions): Promise<{ proc: Proc; url: string; port: number }> {
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    SLACK_BOT_TOKEN: 'xoxb-bench-1',
    SLACK_SIGNING_SECRET: BENCH_SECRET,
    SLACK_API_URL: o.slackApiUrl,
    DATABASE_URL: o.databaseUrl,
    PORT: String(port),
    INCIDENT_ANNOUNCE_CHANNEL: o.announceChannel,
    WEBHOOK_SECRET_ALERTMANAGER: ALERT_TOKEN,
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    ...o.env,
  };
  if (o.policy) {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'io-bench-')), 'incident-officer.yml');
    writeFileSync(file, o.policy);
    env.INCIDENT_CONFIG = file;
  }
  // BENCH_PROFILE_DIR=<dir>: the app writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, path.join(root, 'dist/src/main.js')], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const proc = new Proc(child, 'app');
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    if (await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false)) break;
    if (Date.now() - t0 > 120_000) throw new Error('the app was not ready after 120 s');
    await sleep(20);
  }
  return { proc, url, port };
}

/** Resident memory now and at its peak (VmHWM), in MiB. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Waits until the processes stop using CPU (work after the ack has finished), at most `maxMs`. */
export async function settle(pids: number[], maxMs = 30_000): Promise<void> {
  const t0 = Date.now();
  let last = pids.map(cpuMs);
  let quiet = 0;
  while (Date.now() - t0 < maxMs) {
    await sleep(200);
    const now = pids.map(cpuMs);
    quiet = now.every((v, i) => v - last[i] <= 20) ? quiet + 1 : 0;
    if (quiet >= 2) return;
    last = now;
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The machine's load average, to print next to figures taken while other work shares the cores. */
export const loadAverage = () => os.loadavg().map((v) => v.toFixed(1)).join(' ');

/** The processes around one benchmark: the fake Slack, and the load generator when asked for. */
export interface BenchRig {
  fake: Proc;
  load: Proc;
  apiUrl: string;
  announce: string;
  /** Started by the benchmark itself; stopped with the rest, the last started first. */
  procs: Proc[];
}

/** Builds the app, starts the fake Slack (and the load generator) in processes of their own, runs `work`, and stops them all. */
export async function withRig<T>(opts: { load?: boolean }, work: (rig: BenchRig) => Promise<T>): Promise<T> {
  buildApp();
  const fake = startHelper('fake-slack.ts');
  const procs: Proc[] = [fake];
  const load = opts.load ? startScript('load.mjs') : undefined;
  if (load) procs.push(load);
  try {
    const { apiUrl, announce } = await fake.next<{ apiUrl: string; announce: string }>();
    if (load) await load.next();
    return await work({ fake, load: load!, apiUrl, announce, procs });
  } finally {
    for (const p of [...procs].reverse()) await p.stop();
  }
}
