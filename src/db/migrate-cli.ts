import { ConfigError } from '../config.js';
import { startEmbeddedPostgres } from './embedded.js';
import { openDatabase } from './database.js';
import { migrateTo, migrateToLatest } from './migrate.js';
import path from 'node:path';

const USAGE = 'usage: npm run migrate [-- --to <migration>]';

// `npm run migrate`: applies migrations to DATABASE_URL, or to the embedded database under DATA_DIR.
// `npm run migrate -- --to <migration>` applies or reverts migrations until that one is the last applied.
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const target = args[0] === '--to' && args.length === 2 ? args[1] : undefined;
  if (args.length && !target) {
    console.error(USAGE);
    process.exit(2);
  }
  const url = process.env.DATABASE_URL?.trim();
  const embedded = url ? undefined : await startEmbeddedPostgres(path.resolve(process.env.DATA_DIR?.trim() || './data'));
  const handle = openDatabase(url || embedded!.url, { embedded: !url });
  try {
    if (target) {
      const { up, down } = await migrateTo(handle.db, target);
      if (down.length) console.log(`reverted: ${down.join(', ')}`);
      if (up.length) console.log(`applied: ${up.join(', ')}`);
      if (!up.length && !down.length) console.log(`${target} is already the last migration applied`);
    } else {
      const applied = await migrateToLatest(handle.db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    }
  } finally {
    await handle.close();
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `migrate failed: ${(err as Error).message}`);
  process.exit(1);
});
