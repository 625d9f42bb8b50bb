import type { Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import type { TimelinePublisher } from '../../timeline/publisher.js';
import { assertLeaseHeld, type Claim } from '../../outbox/tasks.js';
import { appendTimeline } from '../../timeline/timeline.js';
import type { Incident } from '../../incidents/incident.js';
import * as repo from '../../incidents/repository.js';

/**
 * Records the Slack resources made for an incident, one step at a time, so a retried provisioning
 * run skips what is already done. Given the claim of the task doing the work, a step is recorded
 * only while that claim still holds the task (see assertLeaseHeld).
 */
export class ProvisioningStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Queues the integration events of the rows it appends (the channel's creation). */
    private readonly events: TimelinePublisher,
    private readonly claim?: Claim,
  ) {}

  /** A store that records under this task claim. */
  fencedBy(claim: Claim): ProvisioningStore {
    return new ProvisioningStore(this.db, this.clock, this.events, claim);
  }

  /** The last recording queued: one run's steps record one at a time (see record). */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Records one step. The steps of one run call Slack in parallel but record in turn: each would
   * otherwise hold a pool connection while waiting for the task row the others have locked.
   */
  private record<T>(write: (trx: Db) => Promise<T>): Promise<T> {
    const run = () =>
      this.db.transaction().execute(async (trx) => {
        if (this.claim) await assertLeaseHeld(trx, this.claim);
        return write(trx);
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  async channelCreated(incident: Incident, channelId: string, channelName: string): Promise<Incident> {
    return this.record(async (trx) => {
      const updated = await repo.updateIncident(trx, incident.id, { channel_id: channelId, channel_name: channelName });
      const row = await appendTimeline(trx, { incidentId: incident.id, actorId: null, kind: 'channel_created', payload: { channel_id: channelId, name: channelName }, at: this.clock.now() });
      await this.events.publish(trx, row);
      return updated;
    });
  }

  /** Records the first failure to create the channel; returns true only the first time (so one DM is sent). */
  async channelFailed(incident: Incident, error: string): Promise<boolean> {
    const row = await this.record((trx) =>
      appendTimeline(trx, {
        incidentId: incident.id,
        actorId: null,
        kind: 'channel_failed',
        payload: { error },
        dedupeKey: `channel_failed:${incident.id}`,
        at: this.clock.now(),
      }),
    );
    return row !== undefined;
  }

  cardPosted(incident: Incident, ts: string): Promise<Incident> {
    return this.record((trx) => repo.updateIncident(trx, incident.id, { card_ts: ts }));
  }

  bookmarked(incident: Incident, bookmarkId: string): Promise<Incident> {
    return this.record((trx) => repo.updateIncident(trx, incident.id, { bookmark_id: bookmarkId }));
  }

  announced(incident: Incident, channelId: string, ts: string): Promise<Incident> {
    return this.record((trx) => repo.updateIncident(trx, incident.id, { announce_channel_id: channelId, announce_ts: ts }));
  }

  provisioned(incident: Incident): Promise<Incident> {
    return this.record((trx) => repo.updateIncident(trx, incident.id, { provisioned_at: this.clock.now() }));
  }
}
