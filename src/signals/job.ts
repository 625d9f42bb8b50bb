import type { ScheduledJob } from '../jobs/scheduler.js';
import type { SignalService } from './service.js';

/** Daily: forgets rejected webhook deliveries older than the policy keeps them. */
export function signalsHousekeepingJob(signals: SignalService): ScheduledJob {
  return {
    name: 'signals.housekeeping',
    cron: '41 3 * * *',
    run: (now) => signals.prune(now),
  };
}
