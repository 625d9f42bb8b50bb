import { performance } from 'node:perf_hooks';
import type { RespondFn } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { Metrics } from '../http/metrics.js';
import { DuplicateDelivery } from './delivery.js';
import { describeFailure } from './errors.js';

type Ack = (...args: any[]) => Promise<void>;

/**
 * Wraps a listener: measures time to ack, counts outcomes, and makes sure a failing listener still
 * acks (so Slack shows no timeout) and tells the person, where it can, that their request failed
 * (with a reference that is also logged), instead of crashing.
 */
export function instrument<A extends { ack: Ack; respond?: RespondFn }>(name: string, metrics: Metrics, logger: Logger, fn: (args: A) => Promise<void>) {
  return async (args: A): Promise<void> => {
    const started = performance.now();
    let acked = false;
    const ack: Ack = async (...a) => {
      if (acked) return;
      acked = true;
      metrics.acked(name, (performance.now() - started) / 1000);
      await args.ack(...a);
    };
    try {
      await fn({ ...args, ack });
      metrics.request(name, 'ok');
    } catch (err) {
      if (err instanceof DuplicateDelivery) {
        logger.info({ key: err.key, handler: name }, 'duplicate Slack delivery ignored');
        return;
      }
      metrics.request(name, 'error');
      if (!acked) await ack().catch(() => {});
      const text = describeFailure(err, logger, { handler: name });
      await args.respond?.({ response_type: 'ephemeral', replace_original: false, text }).catch(() => {});
    }
  };
}
