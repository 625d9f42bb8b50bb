import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { timeLimitedPool } from './time-limit.js';

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

/** The default time limit of a query (DATABASE_QUERY_TIMEOUT_MS). */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

export interface DatabaseOptions {
  embedded?: boolean;
  max?: number;
  /** Time limit of each query, in ms: a query not answered by then fails (and its connection is dropped). */
  queryTimeoutMs?: number;
}

/**
 * Opens a Kysely instance over a pg pool. The embedded database is one backend session, so it gets a
 * pool of one: a transaction then waits for the connection instead of interleaving with another.
 * Every query has a time limit, so a database that stops answering fails requests instead of
 * holding them; the server enforces the same limit on its side (statement_timeout).
 */
export function openDatabase(url: string, opts: DatabaseOptions = {}): DatabaseHandle {
  const limit = opts.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.embedded ? 1 : (opts.max ?? 10),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: limit,
  });
  // A dropped connection (the server restarting, a network cut) must not crash the process: idle
  // clients report to the pool, checked-out ones to their own listener; queries on them fail and the
  // pool opens fresh connections once the server is back.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: timeLimitedPool(pool, limit) }) });
  return {
    db,
    pool,
    close: () => db.destroy(),
  };
}
