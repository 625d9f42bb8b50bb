import os from 'node:os';

// `npm run bench`: each benchmark measures its own floor in the same run and prints a ratio.
const benches = [() => import('./stats.js')];

async function main(): Promise<void> {
  console.log(`Incident Officer benchmarks · ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · Node ${process.version}`);
  for (const load of benches) {
    const bench = await load();
    const t0 = Date.now();
    process.stdout.write(`\n## ${bench.name}\n`);
    const result = await bench.run();
    for (const [k, v] of Object.entries(result)) console.log(`  ${k}: ${v}`);
    console.log(`  (took ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
