/**
 * `npm run bench`: runs each benchmark module's exported `run()` in turn. Each prints its own
 * measurement against a baseline taken in the same run, so numbers compare across machines.
 */
const modules: { name: string; load: () => Promise<{ run: () => Promise<void> }> }[] = [{ name: 'ingest', load: () => import('./ingest.js') }];

for (const m of modules) {
  process.stdout.write(`\n== ${m.name}\n`);
  await (await m.load()).run();
}
