import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError } from '../incidents/errors.js';
import { findIncidentById } from '../incidents/repository.js';
import { enqueueTask, type TaskKind } from '../outbox/tasks.js';
import type { Policy } from '../policy/schema.js';
import type { AppendedRow, TimelinePublisher } from '../timeline/publisher.js';
import { integrationEventsOf } from './mapping.js';
import { laneOf, type SubscriberRegistry } from './registry.js';

export { NO_SUBSCRIBERS, type TimelinePublisher } from '../timeline/publisher.js';

/** The outbox task that hands one event to one subscriber. */
export const IntegrationTask = { deliver: 'integration.deliver' } as const satisfies Record<string, TaskKind>;

/**
 * Queues one delivery per (event, subscriber) in the subscriber's lane, keyed by
 * `<event id>:<subscriber>`. Rows no subscriber wants cost nothing: not even a query.
 */
export class IntegrationEvents implements TimelinePublisher {
  constructor(
    private readonly registry: SubscriberRegistry,
    private readonly policy: Pick<Policy, 'number_prefix' | 'reports'>,
  ) {}

  async publish(trx: Kysely<Database>, row: AppendedRow): Promise<void> {
    if (!row || !this.registry.wantsKind(row.kind)) return;
    const incident = await findIncidentById(trx, row.incidentId);
    if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
    const events = integrationEventsOf(row, { incident, numberPrefix: this.policy.number_prefix, baseUrl: this.policy.reports.base_url });
    for (const event of events) {
      for (const subscriber of this.registry.subscribersOf(event)) {
        await enqueueTask(trx, {
          kind: IntegrationTask.deliver,
          incidentId: row.incidentId,
          lane: laneOf(subscriber),
          idempotencyKey: `${event.id}:${subscriber.name}`,
          payload: { subscriber: subscriber.name, event },
        });
      }
    }
  }
}
