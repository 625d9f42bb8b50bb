import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import { migrations } from '../../db/migrations/index.js';
import type { Database } from './schema.js';
import { withoutTimeLimit } from './time-limit.js';

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Applies pending migrations. Kysely's Postgres adapter takes a transaction-scoped advisory lock,
 * so two processes starting at once apply each migration once. Migrations run without the query
 * time limit (building an index on a large table may take a while).
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return withoutTimeLimit(() =>
    db.connection().execute(async (conn) => {
      await sql`set statement_timeout = 0`.execute(conn);
      try {
        return await migrate(conn);
      } finally {
        await sql`reset statement_timeout`.execute(conn);
      }
    }),
  );
}

async function migrate(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has been applied. */
export async function migrationsApplied(db: Kysely<Database>): Promise<boolean> {
  const migrator = new Migrator({ db, provider });
  const list = await migrator.getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}
