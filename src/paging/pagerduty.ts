import { PermanentFailure, RetryLater, type TaskHandler } from '../jobs/task-runner.js';
import { incidentRef } from '../incidents/incident.js';
import type { Logger } from '../logger.js';
import type { Policy } from '../policy/schema.js';
import { pagerdutyDedupKey, type PagingService } from './service.js';

/** PagerDuty Events API v2: one event, as documented for POST /v2/enqueue. */
export interface PagerdutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  client?: string;
}

/**
 * Sends one event. 202 is success; 400 can never succeed (PermanentFailure); 429 waits the 30 s
 * PagerDuty advises; 5xx and network errors are retried by the outbox with backoff.
 */
export async function sendPagerdutyEvent(url: string, event: PagerdutyEvent, timeoutMs = 10_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`PagerDuty unreachable: ${(err as Error).message}`);
  }
  const text = await res.text().catch(() => '');
  if (res.status === 202 || res.status === 200) return;
  if (res.status === 429) throw new RetryLater('PagerDuty rate limit (429)', 30_000);
  if (res.status >= 400 && res.status < 500) throw new PermanentFailure(`PagerDuty refused the event (${res.status}): ${text.slice(0, 300)}`);
  throw new Error(`PagerDuty answered ${res.status}`);
}

const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/** The outbox handler for PagerDuty events: builds the event from the stored incident and sends it. */
export function pagerdutyHandler(deps: { paging: PagingService; policy: Policy; routingKey: string; eventsUrl: string; logger: Logger }): TaskHandler<'paging.pagerduty'> {
  return async (task) => {
    const { incidentId, action } = task.payload;
    const ctx = await deps.paging.pagerdutyContext(incidentId);
    if (!ctx) throw new PermanentFailure(`incident ${incidentId} has no PagerDuty alert`);
    const { incident } = ctx;
    const event: PagerdutyEvent = { routing_key: deps.routingKey, event_action: action, dedup_key: pagerdutyDedupKey(incident.id), client: 'Incident Officer' };
    if (action === 'trigger') {
      const ref = incidentRef(deps.policy.number_prefix, incident);
      const rank = Math.max(0, deps.policy.severities.findIndex((s) => s.id === incident.severity));
      // A security incident's details stay in its private channel; PagerDuty gets the reference only.
      event.payload = {
        summary: (ctx.private ? `Security incident ${ref} (${incident.severity}): details restricted` : `${ref}: ${incident.title} (${incident.severity})`).slice(0, 1024),
        source: 'incident-officer',
        severity: PD_SEVERITIES[Math.min(rank, PD_SEVERITIES.length - 1)],
        timestamp: incident.declaredAt.toISOString(),
        class: incident.kind,
        ...(ctx.private || !incident.services.length ? {} : { group: incident.services.join(',').slice(0, 255) }),
        custom_details: { incident: ref, severity: incident.severity, priority: incident.priority, commander: incident.commanderId, ...(ctx.private ? {} : { services: incident.services }) },
      };
    } else if (!ctx.alert.trigger_sent_at) {
      // Acknowledge and resolve must follow the trigger.
      throw new RetryLater('PagerDuty trigger not sent yet', 5_000);
    }
    await sendPagerdutyEvent(deps.eventsUrl, event);
    if (action === 'trigger') await deps.paging.pagerdutyTriggerSent(incident.id);
    deps.logger.info({ incident: incident.id, action }, 'PagerDuty event sent');
  };
}
