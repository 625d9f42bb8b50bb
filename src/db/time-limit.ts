import { AsyncLocalStorage } from 'node:async_hooks';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';

/** A query that was not answered within its time limit (or not started: its work had run out of time). */
export class QueryTimeLimit extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryTimeLimit';
  }
}

/**
 * A moment by which some work must be done with the database, e.g. answering Slack within 3 s. Every
 * query made inside `run` gets at most the time left; once it is past, queries fail at once. Lifting
 * it (the answer was sent) gives later queries of the same work the ordinary limit again.
 */
export class Deadline {
  private at: number | undefined;

  constructor(ms: number) {
    this.at = Date.now() + ms;
  }

  /** Milliseconds left, or undefined once lifted. */
  left(): number | undefined {
    return this.at === undefined ? undefined : this.at - Date.now();
  }

  lift(): void {
    this.at = undefined;
  }

  run<T>(fn: () => T): T {
    return deadlines.run(this, fn);
  }
}

const deadlines = new AsyncLocalStorage<Deadline | null>();

/** Runs `fn` (and what it starts) free of the caller's deadline, e.g. background work kicked by a request. */
export function outsideDeadline<T>(fn: () => T): T {
  return deadlines.run(null, fn);
}

/** Runs `fn` without any time limit on its queries (migrations). */
export function withoutTimeLimit<T>(fn: () => T): T {
  return unlimited.run(true, fn);
}
const unlimited = new AsyncLocalStorage<boolean>();

/** The time limit for a query starting now: the pool's, or less when a deadline is near; undefined for none. */
function limitNow(defaultMs: number): number | undefined {
  if (unlimited.getStore()) return undefined;
  const left = deadlines.getStore()?.left();
  if (left === undefined) return defaultMs;
  if (left <= 0) throw new QueryTimeLimit('no time left for database work before the deadline');
  return Math.min(defaultMs, left);
}

const PG_READ_TIMEOUT = 'Query read timeout';

/**
 * The pool as Kysely sees it, with a time limit on every query (`limitMs`, shortened by a deadline).
 * A connection whose query ran out of time is discarded rather than reused: its query may still be
 * running, or the server may have stopped answering on it.
 */
export function timeLimitedPool(pool: pg.Pool, limitMs: number): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const ms = limitNow(limitMs);
      const client = await checkout(pool, ms);
      let broken: Error | undefined;
      return {
        query: ((text: unknown, values?: readonly unknown[]) => {
          if (typeof text !== 'string') return client.query(text as never); // a cursor: streamed, paced by its reader
          let timeout: number | undefined;
          try {
            timeout = limitNow(limitMs);
          } catch (err) {
            return Promise.reject(err);
          }
          return client.query({ text, values: values as unknown[], query_timeout: timeout } as pg.QueryConfig).catch((err: Error) => {
            if (err?.message !== PG_READ_TIMEOUT) throw err;
            broken = err;
            throw new QueryTimeLimit(`the database did not answer within ${timeout} ms`);
          });
        }) as PostgresPoolClient['query'],
        release: () => client.release(broken),
      };
    },
    end: () => pool.end(),
    // What Kysely needs to open a control connection (to cancel a query) with the pool's settings.
    Client: pg.Client,
    options: pool.options,
  };
}

/** A pooled connection within `ms` (the pool's own connection timeout applies too); one that arrives too late goes back. */
async function checkout(pool: pg.Pool, ms: number | undefined): Promise<pg.PoolClient> {
  const pending = pool.connect();
  if (ms === undefined) return pending;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryTimeLimit(`no database connection within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([pending, late]);
  } catch (err) {
    pending.then((c) => c.release(), () => {});
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
