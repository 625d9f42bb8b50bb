import type { ScheduledJob } from '../jobs/scheduler.js';
import type { PagingService } from './service.js';

/** Every minute: escalates pages whose current level has not acknowledged in time. */
export function pagingEscalationJob(paging: PagingService): ScheduledJob {
  return {
    name: 'paging.escalate',
    cron: '* * * * *',
    async run(now) {
      await paging.escalateDue(now);
    },
  };
}
