import type { Db } from '../db/database.js';

/** Remembers Slack event ids so a retried delivery is handled once. */
export class EventReceipts {
  constructor(private readonly db: Db) {}

  /** True the first time an id is seen. */
  async firstTime(eventId: string): Promise<boolean> {
    const row = await this.db
      .insertInto('slack_event_receipts')
      .values({ event_id: eventId })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .executeTakeFirst();
    return row !== undefined;
  }
}
