import type { App } from '@slack/bolt';
import { DomainError } from '../../incidents/errors.js';
import { settableKeys } from '../../timestamps/service.js';
import { TIME_KEYS, type TimeKey } from '../../timestamps/keys.js';
import type { SlackDeps } from '../deps.js';
import { TimestampIds } from '../ids.js';
import { timestampsModal, timestampsText } from '../views/timestamps.js';
import type { Subcommand } from './commands.js';
import { registerForm, type Values } from './forms.js';
import { incidentMetadata, textValue } from './payloads.js';

/** `/incident timestamps`: the correction modal for those who may correct them, the list for everyone else. */
export const timestampCommands: Subcommand[] = [
  {
    name: 'timestamps',
    aliases: ['times'],
    usage: 'timestamps',
    help: 'show the key timestamps (impact started … closed); the commander or deputy can correct them, with a reason',
    incident: 'required',
    async run(ctx) {
      const { incident, deps } = ctx;
      const times = await deps.timestamps.times(incident.id);
      try {
        await deps.authorize('timestamps', ctx.userId, incident);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'forbidden') return ctx.reply(timestampsText(deps.policy, incident, times, err.message));
        throw err;
      }
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: timestampsModal(deps.policy, incident, times, settableKeys(incident)) });
    },
  },
];

/** A datetime input's value (Slack sends Unix seconds), or null when empty or absent. */
function dateTimeValue(values: Values, block: string): Date | null {
  const seconds = values[block]?.[block]?.selected_date_time;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : null;
}

/** The correction form; a time out of order or in the future is shown under its input. */
export function registerTimestamps(app: App, deps: SlackDeps): void {
  registerForm(app, deps, {
    callbackId: TimestampIds.modal,
    metadata: incidentMetadata,
    fields: { reason: TimestampIds.reason, ...Object.fromEntries(TIME_KEYS.map((k) => [k, TimestampIds.key(k)])) },
    fallback: TimestampIds.reason,
    async submit({ meta, userId, values }) {
      const incident = await deps.incidents.findById(meta.incidentId);
      if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
      await deps.authorize('timestamps', userId, incident);
      const times = Object.fromEntries(TIME_KEYS.map((k) => [k, dateTimeValue(values, TimestampIds.key(k))])) as Record<TimeKey, Date | null>;
      await deps.timestamps.correct({ incidentId: incident.id, actorId: userId, values: times, reason: textValue(values, TimestampIds.reason) });
    },
  });
}
