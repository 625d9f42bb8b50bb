import type { Db } from '../db/database.js';
import type { ScheduledJob } from '../jobs/scheduler.js';
import type { Logger } from '../logger.js';
import type { HealthCheck } from '../policy/signals-schema.js';
import type { SignalService } from '../signals/service.js';
import type { AlertInput } from '../signals/sources.js';
import { runCheck, targetOf, type CheckResult } from './checks.js';

/** Signals raised by health checks come from this source (routing rules can match it). */
export const HEALTHCHECK_SOURCE = 'healthcheck';

function alertFor(c: HealthCheck, status: 'firing' | 'resolved', r: CheckResult): AlertInput {
  const target = targetOf(c);
  return {
    dedupKey: `check:${c.name}`,
    groupKey: `check:${c.name}`,
    status,
    title: `Health check ${c.name} failing`,
    description: status === 'firing' ? `${c.type.toUpperCase()} check of ${target}: ${r.error ?? 'failed'}` : `${c.type.toUpperCase()} check of ${target} passes again (${r.latencyMs} ms).`,
    severity: c.severity,
    service: c.service ?? null,
    labels: { check: c.name, type: c.type, target, ...(c.service ? { service: c.service } : {}) },
    link: c.type === 'http' ? c.url : null,
  };
}

/**
 * Runs the configured checks that are due, every minute. After `failures_before_alert` failures in a
 * row a check raises a signal like any alert (each further failure repeats it); a pass resolves it.
 */
export function healthcheckJob(deps: { db: Db; checks: HealthCheck[]; signals: SignalService; logger: Logger }): ScheduledJob {
  return {
    name: 'healthchecks',
    cron: '* * * * *',
    async run(now) {
      const states = new Map((await deps.db.selectFrom('healthcheck_state').selectAll().execute()).map((s) => [s.name, s]));
      // A few seconds of slack so a check every minute runs on every fire despite timer jitter.
      const due = deps.checks.filter((c) => {
        const s = states.get(c.name);
        return !s || now.getTime() - s.last_run_at.getTime() >= c.every_minutes * 60_000 - 5_000;
      });
      await Promise.all(
        due.map(async (c) => {
          const r = await runCheck(c);
          const prev = states.get(c.name);
          const failures = r.ok ? 0 : (prev?.consecutive_failures ?? 0) + 1;
          const alerting = !r.ok && failures >= c.failures_before_alert;
          if (alerting) await deps.signals.ingest(HEALTHCHECK_SOURCE, [batch(alertFor(c, 'firing', r))]);
          else if (r.ok && prev?.alerting) await deps.signals.ingest(HEALTHCHECK_SOURCE, [batch(alertFor(c, 'resolved', r))]);
          const row = { last_run_at: now, ok: r.ok, consecutive_failures: failures, alerting: alerting || (!r.ok && Boolean(prev?.alerting)), last_error: r.error ?? null, latency_ms: r.latencyMs };
          await deps.db.insertInto('healthcheck_state').values({ name: c.name, ...row }).onConflict((oc) => oc.column('name').doUpdateSet(row)).execute();
          if (!r.ok) deps.logger.warn({ check: c.name, error: r.error, failures }, 'health check failed');
        }),
      );
    },
  };
}

function batch(a: AlertInput) {
  return { groupKey: a.groupKey, title: a.title, description: a.description, labels: a.labels, link: a.link, alerts: [a] };
}
