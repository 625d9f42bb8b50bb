import { inject } from 'vitest';
import { createDatabaseOn, type TestDatabase } from './pg.js';

export type { TestDatabase };

/** A fresh, empty database on the test server; `drop()` removes it (closing any leftover sessions). */
export function createTestDatabase(): Promise<TestDatabase> {
  return createDatabaseOn(inject('adminDatabaseUrl'));
}
