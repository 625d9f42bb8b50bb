import os from 'node:os';

/**
 * `npm run bench`: runs each benchmark module's exported `run()` in turn. Each measures its own floor
 * in the same run and prints a ratio against it, so numbers compare across machines. A module either
 * prints its own lines or returns them as a record.
 */
const benches: { name: string; load: () => Promise<{ run: () => Promise<Record<string, string> | void> }> }[] = [
  { name: 'stats over 100,000 incidents and 2,000,000 timeline rows', load: () => import('./stats.js') },
  { name: 'webhook ingestion', load: () => import('./ingest.js') },
];

console.log(`Incident Officer benchmarks · ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · Node ${process.version}`);
for (const b of benches) {
  const t0 = Date.now();
  process.stdout.write(`\n## ${b.name}\n`);
  const result = await (await b.load()).run();
  if (result) for (const [k, v] of Object.entries(result)) console.log(`  ${k}: ${v}`);
  console.log(`  (took ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
