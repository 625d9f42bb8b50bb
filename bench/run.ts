/**
 * `npm run bench`: runs every benchmark module in this folder (each `bench/<name>.ts` exporting
 * `run(): Promise<BenchResult>`) one after the other and prints what each measured.
 * `npm run bench -- reminders` runs only the named ones.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a benchmark reports: labelled measurements, each ratio taken against a baseline from the same run. */
export interface BenchResult {
  name: string;
  /** One line per measurement, e.g. ['compute the run', '412 ms', '3.1× the bare SQL']. */
  rows: [label: string, value: string, note?: string][];
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

let failed = 0;
for (const name of modules) {
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { run?: () => Promise<BenchResult> };
  if (typeof mod.run !== 'function') continue;
  process.stdout.write(`\n== ${name}\n`);
  try {
    const result = await mod.run();
    const width = Math.max(...result.rows.map(([label]) => label.length));
    for (const [label, value, note] of result.rows) process.stdout.write(`  ${label.padEnd(width)}  ${value}${note ? `  (${note})` : ''}\n`);
  } catch (err) {
    failed++;
    process.stdout.write(`  failed: ${(err as Error).stack ?? String(err)}\n`);
  }
}
process.exit(failed ? 1 : 0);
