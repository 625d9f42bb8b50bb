import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type { Database };
export type Db = Kysely<Database>;

// int8 (bigserial ids, counts) as strings is exact; timestamps stay Dates.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);
// A `date` is a calendar day, not an instant: keep it as 'YYYY-MM-DD' rather than local midnight.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens a Kysely instance over a pg pool. The embedded database is one backend session, so it gets a
 * pool of one: a transaction then waits for the connection instead of interleaving with another.
 */
export function openDatabase(url: string, opts: { embedded?: boolean; max?: number } = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.embedded ? 1 : (opts.max ?? 10),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A dropped connection (the server restarting, a network cut) must not crash the process: idle
  // clients report to the pool, checked-out ones to their own listener; queries on them fail and the
  // pool opens fresh connections once the server is back.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    close: () => db.destroy(),
  };
}
