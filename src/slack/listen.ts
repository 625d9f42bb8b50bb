import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger.js';
import type { Metrics } from '../http/metrics.js';

type Ack = (...args: any[]) => Promise<void>;

/**
 * Wraps a listener: measures time to ack, counts outcomes, and makes sure a failing listener still
 * acks (so Slack shows no timeout) and logs the error instead of crashing.
 */
export function instrument<A extends { ack: Ack }>(name: string, metrics: Metrics, logger: Logger, fn: (args: A) => Promise<void>) {
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
      metrics.request(name, 'error');
      logger.error({ err, handler: name }, 'Slack listener failed');
      if (!acked) await ack().catch(() => {});
    }
  };
}
