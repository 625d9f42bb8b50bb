/**
 * Reads the Dockerfile and lays out each stage's /app in a directory, as `docker build` would, for
 * machines without a Docker engine: what the stage COPYs is copied, and its `npm` steps are run.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export interface Copy {
  /** The stage to copy from (`COPY --from=…`), else the build context. */
  from?: string;
  sources: string[];
  dest: string;
}
export type Step = { kind: 'copy'; copy: Copy } | { kind: 'run'; command: string };
export interface Stage {
  image: string;
  name?: string;
  workdir: string;
  env: Record<string, string>;
  steps: Step[];
  cmd?: string[];
  /** The HEALTHCHECK's CMD, a shell command. */
  healthcheck?: string;
}

/** The stages of a Dockerfile, with the instructions this project's Dockerfile uses. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const stage = stages.at(-1);
    if (op === 'FROM') {
      const [image, , name] = rest.split(/\s+/);
      stages.push({ image, name, workdir: '/', env: {}, steps: [] });
    } else if (!stage) {
      throw new Error(`Dockerfile: ${op} before FROM`);
    } else if (op === 'WORKDIR') {
      stage.workdir = rest;
    } else if (op === 'ENV') {
      for (const pair of rest.split(/\s+/)) {
        const [k, v] = pair.split('=');
        stage.env[k] = v;
      }
    } else if (op === 'COPY') {
      const words = rest.split(/\s+/);
      const from = words[0].startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
      stage.steps.push({ kind: 'copy', copy: { from, sources: words.slice(0, -1), dest: words.at(-1)! } });
    } else if (op === 'RUN') {
      stage.steps.push({ kind: 'run', command: rest });
    } else if (op === 'CMD') {
      stage.cmd = JSON.parse(rest) as string[];
    } else if (op === 'HEALTHCHECK') {
      stage.healthcheck = /\bCMD\s+(.*)$/.exec(rest)?.[1];
    } else if (!['USER', 'EXPOSE', 'VOLUME'].includes(op)) {
      throw new Error(`Dockerfile: ${op} is not understood by this layout: teach test/support/dockerfile.ts what it does`);
    }
  }
  return stages;
}

export function readDockerfile(root: string): Stage[] {
  return parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
}

/**
 * Lays out `stage`'s WORKDIR in `dir`. `context` is the build context (the checkout); `earlier` are
 * the stages already laid out, by name. Each `npm …` step of a RUN is handed to `npm`; anything
 * else in a RUN must be in `skip` (steps that only matter in a real container, such as chown).
 */
export function layOut(stage: Stage, dir: string, opts: { context: string; earlier?: Record<string, { stage: Stage; dir: string }>; npm: (args: string[], cwd: string) => void; skip?: RegExp[] }): void {
  mkdirSync(dir, { recursive: true });
  // A path in a stage's filesystem, as a path in the directory standing for that stage's WORKDIR.
  const local = (p: string, s: Stage, base: string) => path.join(base, path.isAbsolute(p) ? path.relative(s.workdir, p) : p);
  for (const step of stage.steps) {
    if (step.kind === 'copy') {
      const { from, sources, dest } = step.copy;
      const source = from ? opts.earlier?.[from] : undefined;
      if (from && !source) throw new Error(`Dockerfile: COPY --from=${from}: no such stage laid out`);
      for (const s of sources) {
        const target = dest.endsWith('/') ? path.join(local(dest, stage, dir), path.basename(s)) : local(dest, stage, dir);
        cpSync(source ? local(s, source.stage, source.dir) : path.join(opts.context, s), target, { recursive: true });
      }
      continue;
    }
    for (const command of step.command.split('&&').map((c) => c.trim())) {
      const words = command.split(/\s+/);
      if (words[0] === 'npm') opts.npm(words.slice(1), dir);
      else if (!opts.skip?.some((re) => re.test(command))) throw new Error(`Dockerfile: RUN ${command} is not understood by this layout`);
    }
  }
}

/** Points `dir/node_modules` at the checkout's own, in place of a stage's `npm ci` with dev dependencies. */
export function linkNodeModules(context: string, dir: string): void {
  symlinkSync(path.join(context, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

/** The command line running npm: the npm that started this test run, else the one on PATH. */
export function npmCommand(args: string[]): [string, string[]] {
  const cli = process.env.npm_execpath;
  return cli ? [process.execPath, [cli, ...args]] : ['npm', args];
}

/** Runs npm in `cwd`; throws with its output if it fails. */
export function runNpm(args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const [cmd, argv] = npmCommand(args);
  return execFileSync(cmd, argv, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}
