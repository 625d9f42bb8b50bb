import { ConfigError } from '../config.js';
import { startEmbeddedPostgres } from './embedded.js';
import { openDatabase } from './database.js';
import { migrateToLatest } from './migrate.js';
import path from 'node:path';

// `npm run migrate`: applies migrations to DATABASE_URL, or to the embedded database under DATA_DIR.
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL?.trim();
  const embedded = url ? undefined : await startEmbeddedPostgres(path.resolve(process.env.DATA_DIR?.trim() || './data'));
  const handle = openDatabase(url || embedded!.url, { embedded: !url });
  try {
    const applied = await migrateToLatest(handle.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await handle.close();
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `migrate failed: ${(err as Error).message}`);
  process.exit(1);
});
