import { sql, type Kysely } from 'kysely';
import { Migrator, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';
import { migrations } from '../../db/migrations/index.js';
import type { Database } from './schema.js';
import { withoutTimeLimit } from './time-limit.js';

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Applies pending migrations. Kysely's Postgres adapter holds an advisory lock while it migrates, so
 * two processes starting at once apply each migration once. Migrations run without the query time
 * limit (building an index on a large table may take a while).
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return unlimited(db, async (conn) => applied(await new Migrator({ db: conn, provider }).migrateToLatest()).up);
}

/** Runs `work` on one connection with neither the client's nor the server's query time limit. */
function unlimited<T>(db: Kysely<Database>, work: (conn: Kysely<Database>) => Promise<T>): Promise<T> {
  return withoutTimeLimit(() =>
    db.connection().execute(async (conn) => {
      await sql`set statement_timeout = 0`.execute(conn);
      try {
        return await work(conn);
      } finally {
        await sql`reset statement_timeout`.execute(conn);
      }
    }),
  );
}

/**
 * Applies or reverts (with their `down`) migrations until `name` is the last one applied: how the
 * schema of a newer version is taken back before an older version is deployed again.
 */
export async function migrateTo(db: Kysely<Database>, name: string): Promise<{ up: string[]; down: string[] }> {
  if (!(name in migrations)) throw new Error(`there is no migration ${name}; this version has: ${Object.keys(migrations).join(', ')}`);
  return unlimited(db, async (conn) => applied(await new Migrator({ db: conn, provider }).migrateTo(name)));
}

/** True when every known migration has been applied. */
export async function migrationsApplied(db: Kysely<Database>): Promise<boolean> {
  const migrator = new Migrator({ db, provider });
  const list = await migrator.getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}

function applied({ error, results }: MigrationResultSet): { up: string[]; down: string[] } {
  if (error) {
    const message = (error as Error).message ?? String(error);
    const unknown = /previously executed migration (\S+) is missing/.exec(message);
    if (unknown) {
      throw new Error(
        `the database has migration ${unknown[1]}, which this version does not have: a newer version of Incident Officer migrated it. ` +
          `Run that version, or take its migrations back first (with that version: npm run migrate -- --to <the last migration this version has>), or restore the backup taken before the upgrade.`,
        { cause: error },
      );
    }
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${message}`, { cause: error });
  }
  const done = (results ?? []).filter((r) => r.status === 'Success');
  return { up: done.filter((r) => r.direction === 'Up').map((r) => r.migrationName), down: done.filter((r) => r.direction === 'Down').map((r) => r.migrationName) };
}
