import type { Db } from '../db/database.js';
import type { ServiceNowClient } from './client.js';

/**
 * Who the connector is in ServiceNow, to tell its own journal entries and state changes from other
 * people's: the basic-auth user, or with OAuth the user its writes were recorded under, learned by the
 * client from the records it wrote and kept in `servicenow_identity` for other replicas and restarts.
 * Null while nothing was ever written: then nobody counts as the connector, and its own entries are
 * still told apart by their reference line and its own values by their hashes.
 */
export class ServiceNowIdentity {
  private stored: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly instanceUrl: string,
    private readonly client: ServiceNowClient,
  ) {}

  async current(): Promise<string | null> {
    const learned = this.client.identity();
    if (learned && learned !== this.stored) {
      await this.db
        .insertInto('servicenow_identity')
        .values({ instance_url: this.instanceUrl, user_name: learned })
        .onConflict((oc) => oc.column('instance_url').doUpdateSet({ user_name: learned, learned_at: new Date() }))
        .execute();
      this.stored = learned;
    }
    if (learned) return learned;
    this.stored ??= (await this.db.selectFrom('servicenow_identity').select('user_name').where('instance_url', '=', this.instanceUrl).executeTakeFirst())?.user_name ?? null;
    return this.stored;
  }
}
