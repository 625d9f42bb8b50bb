import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { appendTimeline } from '../timeline/timeline.js';
import type { Incident } from './incident.js';
import * as repo from './repository.js';

/**
 * Records the Slack resources made for an incident, one step at a time, so a retried provisioning
 * run skips what is already done.
 */
export class ProvisioningStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async channelCreated(incident: Incident, channelId: string, channelName: string): Promise<Incident> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await repo.updateIncident(trx, incident.id, { channel_id: channelId, channel_name: channelName });
      await appendTimeline(trx, { incidentId: incident.id, actorId: null, kind: 'channel_created', payload: { channel_id: channelId, name: channelName }, at: this.clock.now() });
      return updated;
    });
  }

  /** Records the first failure to create the channel; returns true only the first time (so one DM is sent). */
  async channelFailed(incident: Incident, error: string): Promise<boolean> {
    const row = await appendTimeline(this.db, {
      incidentId: incident.id,
      actorId: null,
      kind: 'channel_failed',
      payload: { error },
      dedupeKey: `channel_failed:${incident.id}`,
      at: this.clock.now(),
    });
    return row !== undefined;
  }

  cardPosted(incident: Incident, ts: string): Promise<Incident> {
    return repo.updateIncident(this.db, incident.id, { card_ts: ts });
  }

  bookmarked(incident: Incident, bookmarkId: string): Promise<Incident> {
    return repo.updateIncident(this.db, incident.id, { bookmark_id: bookmarkId });
  }

  announced(incident: Incident, channelId: string, ts: string): Promise<Incident> {
    return repo.updateIncident(this.db, incident.id, { announce_channel_id: channelId, announce_ts: ts });
  }

  provisioned(incident: Incident): Promise<Incident> {
    return repo.updateIncident(this.db, incident.id, { provisioned_at: this.clock.now() });
  }
}
