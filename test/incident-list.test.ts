import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { listIncidents } from '../src/incidents/repository.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let database: TestDatabase;
let h: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  h = openDatabase(database.url);
  await migrateToLatest(h.db);
  // Five incidents of T1 a day apart (number 3 closed), two declared at the same moment; one of T2.
  await sql`
    insert into incidents (team_id, number, title, description, severity, kind, status, services, commander_id, reporter_id, declared_at, closed_at)
    select 'T1', g, 'incident ' || g, '', 'SEV2', 'service', 'investigating', '{}', 'U1', 'U1',
      timestamptz '2026-11-01T00:00:00Z' + make_interval(days => least(g, 4)), case when g = 3 then timestamptz '2026-11-20T00:00:00Z' end
    from generate_series(1, 5) g`.execute(h.db);
  await sql`
    insert into incidents (team_id, number, title, description, severity, kind, status, services, commander_id, reporter_id, declared_at)
    values ('T2', 1, 'elsewhere', '', 'SEV2', 'service', 'investigating', '{}', 'U1', 'U1', now())`.execute(h.db);
});
afterAll(async () => {
  await h.close();
  await database.drop();
});

describe('listing incidents (a page and the total in one statement)', () => {
  it('gives a page newest first (ties by number) and the total of all that match', async () => {
    const open = await listIncidents(h.db, { teamId: 'T1', includeClosed: false, limit: 2 });
    expect(open.incidents.map((i) => i.number)).toEqual([5, 4]);
    expect(open.total).toBe(4);
    const all = await listIncidents(h.db, { teamId: 'T1', includeClosed: true, limit: 10, offset: 1 });
    expect(all.incidents.map((i) => i.number)).toEqual([4, 3, 2, 1]);
    expect(all.total).toBe(5);
  });

  it('still counts them on a page past the end, and says 0 when there are none', async () => {
    expect(await listIncidents(h.db, { teamId: 'T1', includeClosed: true, limit: 10, offset: 10 })).toEqual({ incidents: [], total: 5 });
    expect(await listIncidents(h.db, { teamId: 'T9', includeClosed: true, limit: 10 })).toEqual({ incidents: [], total: 0 });
  });
});
