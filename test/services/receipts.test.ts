import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { Deadline } from '../../src/db/time-limit.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { EventReceipts } from '../../src/outbox/receipts.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let h: DatabaseHandle;
/** The receipts' own pool, whose statements are kept in `statements`. */
let counted: DatabaseHandle;
let statements: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  h = openDatabase(database.url);
  await migrateToLatest(h.db);
  counted = openDatabase(database.url);
  counted.pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const text = args[0];
      statements.push(typeof text === 'string' ? text : String((text as { text?: string })?.text ?? ''));
      return query(...args);
    }) as typeof client.query;
  });
});
afterAll(async () => {
  await counted?.close();
  await h?.close();
  await database?.drop();
});

const receiptRows = async () => (await h.db.selectFrom('slack_event_receipts').select('event_id').orderBy('event_id').execute()).map((r) => r.event_id);

describe('delivery receipts', () => {
  it('answers true once per id, whether the repeats come together or later', async () => {
    const receipts = new EventReceipts(counted.db);
    const ids = ['trigger:a', 'trigger:b', 'trigger:a', 'Ev1', 'trigger:b', 'trigger:a'];
    expect(await Promise.all(ids.map((id) => receipts.firstTime(id)))).toEqual([true, true, false, true, false, false]);
    expect(await receipts.firstTime('trigger:a')).toBe(false);
    expect(await receipts.firstTime('trigger:c')).toBe(true);
    // Another replica's receipts share the table.
    expect(await new EventReceipts(counted.db).firstTime('Ev1')).toBe(false);
    expect(await receiptRows()).toEqual(['Ev1', 'trigger:a', 'trigger:b', 'trigger:c']);
  });

  it('records the receipts asked for while one is being recorded together, in one more statement', async () => {
    const receipts = new EventReceipts(counted.db);
    statements = [];
    const asked = Array.from({ length: 40 }, (_, i) => receipts.firstTime(`trigger:batch-${i}`));
    expect(await Promise.all(asked)).toEqual(asked.map(() => true));
    // The first is recorded at once; the other 39, asked for meanwhile, by a single statement after it.
    expect(statements.filter((s) => /insert into "slack_event_receipts"/.test(s))).toHaveLength(2);
  });

  it('passes a failure to every request of the batch, and the next batch is recorded as usual', async () => {
    const receipts = new EventReceipts(counted.db);
    // A request whose time for database work has run out starts the batch: its statement is refused.
    const late = new Deadline(0);
    const failing = late.run(() => receipts.firstTime('trigger:late'));
    await expect(failing).rejects.toThrow(/no time left/);
    expect(await receipts.firstTime('trigger:after')).toBe(true);
    expect(await receiptRows()).toContain('trigger:after');
    expect(await receiptRows()).not.toContain('trigger:late');
  });
});
