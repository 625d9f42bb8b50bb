import type { TestProject } from 'vitest/node';
import pg from 'pg';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

const HOW = [
  'Tests need PostgreSQL. Either:',
  '  • set TEST_DATABASE_URL (or DATABASE_URL) to a server where the user may CREATE DATABASE, e.g.',
  '      TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm test',
  '  • or run Docker, and the tests start a throwaway PostgreSQL with testcontainers.',
].join('\n');

async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Finds the PostgreSQL server the tests create their databases on. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (url) {
    const problem = await reachable(url);
    if (problem) throw new Error(`Cannot reach the test database at ${url.replace(/:[^:@/]+@/, ':***@')}: ${problem}\n\n${HOW}`);
    project.provide('adminDatabaseUrl', url);
    return async () => {};
  }
  // A local server with the usual defaults (as on a developer laptop or CI machine) is the next choice.
  const local = `postgres://${process.env.PGUSER || 'postgres'}@${process.env.PGHOST || '127.0.0.1'}:${process.env.PGPORT || '5432'}/postgres`;
  if (!(await reachable(local))) {
    project.provide('adminDatabaseUrl', local);
    return async () => {};
  }
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    project.provide('adminDatabaseUrl', container.getConnectionUri());
    return async () => {
      await container.stop();
    };
  } catch (err) {
    throw new Error(`${HOW}\n\n(Neither was available: no TEST_DATABASE_URL/DATABASE_URL, no server at 127.0.0.1:5432, and testcontainers said: ${(err as Error).message.split('\n')[0]})`);
  }
}
