import type { View } from '@slack/types';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { TIME_LABELS, type KeyTime, type TimeKey } from '../../timestamps/keys.js';
import { TimestampIds } from '../ids.js';
import { mrkdwn, slackDate } from './format.js';
import { dateTimeInput, modal, textInput } from './kit.js';

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One key as a line: its time as it counts, and the recorded one when corrected. */
function timeLine(k: KeyTime): string {
  const at = k.effective ? slackDate(k.effective, '{date_short} {time}') : '–';
  const was = k.corrected ? ` _(corrected; recorded ${k.recorded ? slackDate(k.recorded, '{date_short} {time}') : 'not set'})_` : '';
  return `*${cap(TIME_LABELS[k.key])}* ${at}${was}`;
}

/** The key timestamps as an ephemeral message (for those who may not correct them, with who may). */
export function timestampsText(policy: Policy, incident: Incident, times: KeyTime[], note?: string): string {
  return [`*${incidentRef(policy.number_prefix, incident)} key timestamps*`, ...times.map(timeLine), ...(note ? [`_${note}_`] : [])].join('\n');
}

/** The correction modal: one date-and-time input per key that can be set now, and the reason. */
export function timestampsModal(policy: Policy, incident: Incident, times: KeyTime[], settable: TimeKey[]): View {
  const corrected = times.filter((k) => k.corrected);
  const inputs = times
    .filter((k) => settable.includes(k.key))
    .map((k) =>
      dateTimeInput(TimestampIds.key(k.key), cap(TIME_LABELS[k.key]), {
        optional: true,
        initial: k.effective,
        hint: k.corrected ? `Corrected; recorded ${k.recorded ? `${k.recorded.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not set'}` : undefined,
      }),
    );
  return modal({
    callbackId: TimestampIds.modal,
    title: 'Key timestamps',
    submit: 'Save corrections',
    metadata: { incidentId: incident.id },
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `Correct ${incidentRef(policy.number_prefix, incident)}'s key timestamps; they must run impact started ≤ detected ≤ declared ≤ acknowledged ≤ mitigated ≤ resolved ≤ closed, none in the future. ` +
            'Each correction is added to the timeline; what was recorded stays.',
        ),
      },
      ...(corrected.length ? [{ type: 'context', elements: [mrkdwn(`Corrected so far: ${corrected.map((k) => TIME_LABELS[k.key]).join(', ')}`)] }] : []),
      ...inputs,
      textInput(TimestampIds.reason, 'Reason', { multiline: true, max: 1000, placeholder: 'e.g. dashboards show errors from 13:25' }),
    ],
  });
}
