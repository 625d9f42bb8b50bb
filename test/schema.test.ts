import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { readDeclaredSchema, type DeclaredSchema, type ValueKind } from './support/declared-schema.js';

/**
 * `src/db/schema.ts` is written by hand next to the migrations. This suite migrates a fresh database
 * and holds the two against each other, so a migration without its type (or a type without its
 * migration) fails here rather than as a runtime error in some query.
 */

/** Kysely's own bookkeeping, not part of the app's schema. */
const KYSELY_TABLES = ['kysely_migration', 'kysely_migration_lock'];

/** What node-postgres hands back for each PostgreSQL type, with the parsers set in src/db/database.ts. */
const PG_VALUES: Record<string, ValueKind[] | 'any'> = {
  text: ['string'],
  varchar: ['string'],
  bpchar: ['string'],
  uuid: ['string'],
  int8: ['string'], // exact, as a string (database.ts)
  numeric: ['string'],
  date: ['string'], // 'YYYY-MM-DD' (database.ts)
  int2: ['number'],
  int4: ['number'],
  float4: ['number'],
  float8: ['number'],
  bool: ['boolean'],
  timestamptz: ['Date'],
  timestamp: ['Date'],
  json: 'any',
  jsonb: 'any',
};

interface StoredColumn {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  udt_name: string;
}

let database: TestDatabase;
let h: DatabaseHandle;
let stored: StoredColumn[];
let declared: DeclaredSchema;

beforeAll(async () => {
  database = await createTestDatabase();
  h = openDatabase(database.url);
  await migrateToLatest(h.db);
  const columns = await sql<StoredColumn>`
    select c.table_name, c.column_name, c.is_nullable, c.udt_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(h.db);
  stored = columns.rows.filter((c) => !KYSELY_TABLES.includes(c.table_name));
  declared = readDeclaredSchema();
});

afterAll(async () => {
  await h?.close();
  await database?.drop();
});

const tablesIn = (columns: StoredColumn[]) => [...new Set(columns.map((c) => c.table_name))].sort();
/** Columns present on both sides, for the checks that compare them. */
const matched = () => stored.filter((c) => declared[c.table_name]?.[c.column_name]);
const name = (c: StoredColumn) => `${c.table_name}.${c.column_name}`;

describe('src/db/schema.ts against the migrated database', () => {
  it('declares every table, and no table that the migrations do not create', () => {
    const tables = tablesIn(stored);
    expect(tables.length).toBeGreaterThan(10);
    const undeclared = tables.filter((t) => !declared[t]);
    const unknown = Object.keys(declared).filter((t) => !tables.includes(t));
    expect({ 'tables missing from Database': undeclared, 'Database entries with no table': unknown }).toEqual({ 'tables missing from Database': [], 'Database entries with no table': [] });
  });

  it('declares every column of each table, and no column the table lacks', () => {
    const missing = stored.filter((c) => declared[c.table_name] && !declared[c.table_name][c.column_name]).map(name);
    const unknown = tablesIn(stored)
      .filter((t) => declared[t])
      .flatMap((t) => Object.keys(declared[t]).filter((col) => !stored.some((c) => c.table_name === t && c.column_name === col)).map((col) => `${t}.${col}`));
    expect({ 'columns missing from the types': missing, 'declared columns with no column': unknown }).toEqual({ 'columns missing from the types': [], 'declared columns with no column': [] });
  });

  it('declares a column nullable exactly when the database allows null in it', () => {
    const wrong = matched()
      .filter((c) => declared[c.table_name][c.column_name].nullable !== (c.is_nullable === 'YES'))
      .map((c) => `${name(c)}: ${c.is_nullable === 'YES' ? 'nullable in the database, not in the type' : 'NOT NULL in the database, nullable in the type'}`);
    expect(wrong).toEqual([]);
  });

  it('gives each column the TypeScript type of what node-postgres returns for its PostgreSQL type', () => {
    const wrong: string[] = [];
    for (const c of matched()) {
      const d = declared[c.table_name][c.column_name];
      const isArray = c.udt_name.startsWith('_');
      const expected = PG_VALUES[isArray ? c.udt_name.slice(1) : c.udt_name];
      if (!expected) {
        wrong.push(`${name(c)}: PostgreSQL type ${c.udt_name} has no entry in PG_VALUES (test/schema.test.ts); add what node-postgres returns for it`);
        continue;
      }
      const [kinds, allowed] = isArray ? [d.elementKinds, expected] : [d.kinds, expected];
      if (isArray && (d.kinds.length !== 1 || d.kinds[0] !== 'array')) wrong.push(`${name(c)}: ${c.udt_name} is an array, the type holds ${d.kinds.join(' | ')}`);
      else if (allowed !== 'any' && kinds.some((k) => !allowed.includes(k))) wrong.push(`${name(c)}: ${c.udt_name} comes back as ${allowed.join(' | ')}${isArray ? ' elements' : ''}, the type says ${kinds.join(' | ')}`);
    }
    expect(wrong).toEqual([]);
  });

});
