/**
 * `npm run bench`: runs every benchmark module in this folder (each `bench/<name>.ts` exporting
 * `run()`) one after the other and prints what each measured; each measures its own floor in the
 * same run and prints a ratio against it. `npm run bench -- reminders` runs only the named ones.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a benchmark reports: labelled measurements, each ratio taken against a baseline from the same run. */
export interface BenchResult {
  name: string;
  /** One line per measurement, e.g. ['compute the run', '412 ms', '3.1× the bare SQL']. */
  rows: [label: string, value: string, note?: string][];
}

type Outcome = BenchResult | Record<string, string> | void;

function rowsOf(result: Outcome): [string, string, string?][] {
  if (!result) return [];
  if ('rows' in result && Array.isArray(result.rows)) return result.rows as [string, string, string?][];
  return Object.entries(result as Record<string, string>);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .filter((name) => !only.length || only.includes(name))
  .sort();

if (!modules.length) {
  process.stderr.write(`No benchmark matches ${only.join(', ')}.\n`);
  process.exit(2);
}

console.log(`Incident Officer benchmarks · ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version}`);
let failed = 0;
/** The rows that judge a goal of issue #19, printed again together at the end. */
const goals: string[] = [];
for (const name of modules) {
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { run?: () => Promise<Outcome> };
  if (typeof mod.run !== 'function') continue;
  const t0 = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  try {
    const rows = rowsOf(await mod.run());
    const width = Math.max(0, ...rows.map(([label]) => label.length));
    for (const [label, value, note] of rows) {
      process.stdout.write(`  ${label.padEnd(width)}  ${value}${note ? `  (${note})` : ''}\n`);
      if (/goal/.test(`${value} ${note ?? ''}`)) goals.push(`${name}: ${label}: ${value}${note ? `  (${note})` : ''}`);
    }
    process.stdout.write(`  (took ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  } catch (err) {
    failed++;
    process.stdout.write(`  failed: ${(err as Error).stack ?? String(err)}\n`);
  }
}
if (goals.length) process.stdout.write(`\n== goals (each against its floor from this run)\n${goals.map((g) => `  ${g}\n`).join('')}`);
process.exit(failed ? 1 : 0);
