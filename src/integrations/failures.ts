/**
 * What a connector's subscriber does when a sync fails: records the failure on its link (retried or
 * given up), tells the channel once per failing spell, logs it, and hands the outbox the right
 * verdict: RetryLater (honouring the vendor's Retry-After) or PermanentFailure.
 */
import type { IntegrationEventOf, IntegrationEventType } from './events.js';
import type { DeliveryContext } from './registry.js';
import { PermanentFailure, RetryLater } from '../jobs/task-runner.js';
import { enqueueTask } from '../outbox/tasks.js';

/** A vendor client's error, as far as retrying goes. */
export interface VendorFailure { retryable: boolean; retryAfterMs: number | null }

export interface FailureHandling {
  system: string;
  /** The vendor error in `e`, or null when it is something else. */
  vendor: (e: unknown) => VendorFailure | null;
  /** Records the failure; answers whether the link was not failing before. */
  record: (ctx: DeliveryContext, incidentId: string, state: 'pending' | 'failed', message: string) => Promise<boolean>;
  failingTask: 'servicenow.failing' | 'jira.failing';
  kick: () => void;
}

export async function failSync(h: FailureHandling, ctx: DeliveryContext, incidentId: string, e: unknown): Promise<never> {
  const message = e instanceof Error ? e.message : String(e);
  const vendor = h.vendor(e);
  const permanent = e instanceof PermanentFailure || (vendor !== null && !vendor.retryable);
  // The last try of the retry window fails too: the delivery is given up, and the link says so.
  if (await h.record(ctx, incidentId, permanent || ctx.lastAttempt ? 'failed' : 'pending', message)) {
    await enqueueTask(ctx.db, { kind: h.failingTask, incidentId, payload: { error: message.slice(0, 500) } });
    h.kick();
  }
  ctx.logger.warn({ err: message, attempt: ctx.attempt }, `${h.system} sync failed`);
  if (vendor) {
    if (!vendor.retryable) throw new PermanentFailure(message);
    throw new RetryLater(message, vendor.retryAfterMs ?? undefined);
  }
  throw e;
}

/** A connector subscriber's `handle`: `sync`, with any failure recorded, told and retried by failSync. */
export function handledBy<T extends IntegrationEventType>(h: FailureHandling, sync: (event: IntegrationEventOf<T>, ctx: DeliveryContext) => Promise<void>) {
  return async (event: IntegrationEventOf<T>, ctx: DeliveryContext): Promise<void> => {
    try {
      await sync(event, ctx);
    } catch (e) {
      await failSync(h, ctx, event.incident.id, e);
    }
  };
}
