import path from 'node:path';
import { openDatabase } from '../db/database.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { migrateToLatest } from '../db/migrate.js';
import { verifyChains } from './verify.js';

// `npm run verify-audit`: checks every incident's timeline hash chain; exit 1 names the first broken row.
async function main(): Promise<number> {
  const url = process.env.DATABASE_URL?.trim();
  const embedded = url ? undefined : await startEmbeddedPostgres(path.resolve(process.env.DATA_DIR?.trim() || './data'));
  const handle = openDatabase(url || embedded!.url, { embedded: !url });
  try {
    await migrateToLatest(handle.db);
    const report = await verifyChains(handle.db);
    if (!report.broken.length) {
      console.log(`audit trail intact: ${report.rows} timeline rows in ${report.incidents} incidents verified`);
      return 0;
    }
    for (const b of report.broken) console.log(`BROKEN incident #${b.number} (id ${b.incidentId}): row seq ${b.seq} (id ${b.rowId}): ${b.reason}`);
    console.log(`${report.broken.length} of ${report.incidents} incident timelines are broken`);
    return 1;
  } finally {
    await handle.close();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`verify-audit failed: ${(err as Error).message}`);
    process.exit(2);
  },
);
