import type { ClockAlert } from '../../clocks/deadlines.js';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import { duration, esc, slackDate, user } from '../views/format.js';
import { requireChannel } from './provision.js';
import { ClockTask } from '../../clocks/job.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import { EXERCISE, loadIncident, type IncidentEffectDeps } from './context.js';

/** Tells the channel (and the person concerned, by DM) about a nag or an SLA warning. */
export async function announceClockAlert(deps: IncidentEffectDeps, incidentId: string | null, alert: ClockAlert): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const channelId = requireChannel(incident);
  const ref = incidentRef(deps.policy.number_prefix, incident);
  let text: string;
  let dm: string | null = null;
  switch (alert.kind) {
    case 'no_commander':
      text = `:warning: ${ref} has had no incident commander for ${duration(alert.minutes * 60_000)}. Use the *Claim Incident commander* button on the card, or \`/incident role commander @someone\`.`;
      break;
    case 'update_overdue':
      text = `:hourglass: ${alert.notify ? `${user(alert.notify)} ` : ''}an update for ${ref} was due ${slackDate(new Date(alert.dueAt), '{time}')}${alert.everyMinutes ? ` (every ${duration(alert.everyMinutes * 60_000)} at this priority)` : ''}. Post one with \`/incident update\`.`;
      break;
    case 'sla_warning':
    case 'sla_breach': {
      const what = `${ref} ${alert.clock} SLA (${alert.priority}, ${duration(alert.targetMinutes * 60_000)})`;
      text = alert.kind === 'sla_warning' ? `:warning: ${what}: 75 % used, due ${slackDate(new Date(alert.dueAt), '{time}')}.` : `:rotating_light: ${what} *breached* at ${slackDate(new Date(alert.dueAt), '{time}')}.`;
      dm = alert.notify;
      break;
    }
    case 'vendor_overdue':
      text = `:hourglass: ${esc(alert.vendor)}${alert.ticketRef ? ` (ticket ${esc(alert.ticketRef)})` : ''} has not responded within the contractual ${duration(alert.responseMinutes * 60_000)}. Chase them, then \`/incident vendor responded ${esc(alert.vendor)}\`.`;
      break;
  }
  if (incident.isDrill) text = `${EXERCISE} ${text}`;
  await deps.client.chat.postMessage({ channel: channelId, text });
  if (dm) await deps.client.chat.postMessage({ channel: dm, text: `${text} (<#${channelId}>)` });
}

/** The outbox handlers of nags and SLA clocks. */
export function clockEffects(deps: IncidentEffectDeps) {
  return {
    [ClockTask.alert]: (task) => announceClockAlert(deps, task.incidentId, task.payload),
  } satisfies SomeTaskHandlers;
}
