import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDatabaseOn, type TestDatabase } from './pg.js';

export type { TestDatabase };

/** A fresh, empty database on the test server; `drop()` removes it (closing any leftover sessions). */
export function createTestDatabase(): Promise<TestDatabase> {
  return createDatabaseOn(inject('adminDatabaseUrl'));
}

/** A fresh, migrated database reached through two pools, as by two replicas of the app. */
export interface Replicas {
  database: TestDatabase;
  a: DatabaseHandle;
  b: DatabaseHandle;
  close(): Promise<void>;
}

/** Gives the enclosing suite a replica database (filled in before its tests, dropped after them). */
export function useReplicaDatabase(): Replicas {
  const replicas = {} as Replicas;
  beforeAll(async () => {
    Object.assign(replicas, await createReplicaDatabase());
  });
  afterAll(() => replicas.close?.());
  return replicas;
}

export async function createReplicaDatabase(): Promise<Replicas> {
  const database = await createTestDatabase();
  const a = openDatabase(database.url);
  const b = openDatabase(database.url);
  await migrateToLatest(a.db);
  return {
    database,
    a,
    b,
    async close() {
      await a.close().catch(() => {});
      await b.close();
      await database.drop();
    },
  };
}
