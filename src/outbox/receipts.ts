import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from '../db/database.js';

/** Receipts recorded by one statement at most (a statement's parameters are limited to 65,535). */
const MAX_BATCH = 1_000;

interface Waiting {
  id: string;
  /** Runs a function in the asking request's context (its deadline: db/time-limit.ts). */
  inContext: <R>(fn: () => R) => R;
  resolve: (first: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Remembers Slack event ids and trigger_ids so a second delivery is handled once.
 *
 * Receipts asked for while one is being recorded are recorded together by the next statement, as
 * soon as the current one is done (a group commit: nobody waits for a batch to fill). Under load, a
 * request then costs a fraction of a database round trip; alone, it is the one statement it was.
 * A statement runs with the time limit of the first request of its batch, the one that has waited
 * longest (see db/time-limit.ts), and a failure reaches every request of that batch.
 */
export class EventReceipts {
  private waiting: Waiting[] = [];
  private recording = false;

  constructor(private readonly db: Db) {}

  /** True the first time an id is seen. */
  firstTime(eventId: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ id: eventId, inContext: AsyncLocalStorage.snapshot(), resolve, reject });
      if (!this.recording) void this.record();
    });
  }

  private async record(): Promise<void> {
    this.recording = true;
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, MAX_BATCH);
        try {
          const ids = [...new Set(batch.map((w) => w.id))];
          const fresh = await batch[0].inContext(() => this.insert(ids));
          // The same id twice in one batch: only its first request is the first delivery.
          for (const w of batch) w.resolve(fresh.delete(w.id));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.recording = false;
    }
  }

  /** The ids of `ids` not seen before (now recorded). */
  private async insert(ids: string[]): Promise<Set<string>> {
    const rows = await this.db
      .insertInto('slack_event_receipts')
      .values(ids.map((event_id) => ({ event_id })))
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .execute();
    return new Set(rows.map((r) => r.event_id));
  }
}
