import type { View } from '@slack/types';
import type { Policy } from '../../policy/schema.js';
import { TITLE_MAX } from '../../incidents/service.js';
import { Block, Callback } from '../ids.js';
import { plain, truncate } from './format.js';

export interface DeclareMetadata {
  /** Where the person asked, to tell them the outcome there. */
  channelId?: string;
}

function option(value: string, text: string, description?: string) {
  return { value, text: plain(text, 75), ...(description ? { description: plain(description, 75) } : {}) };
}

function textInput(blockId: string, label: string, opts: { multiline?: boolean; initial?: string; placeholder?: string; optional?: boolean; max?: number; hint?: string } = {}) {
  return {
    type: 'input' as const,
    block_id: blockId,
    optional: opts.optional ?? false,
    label: plain(label, 2000),
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
    element: {
      type: 'plain_text_input' as const,
      action_id: blockId,
      multiline: opts.multiline ?? false,
      ...(opts.max ? { max_length: opts.max } : {}),
      ...(opts.initial ? { initial_value: opts.initial } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder, 150) } : {}),
    },
  };
}

/** The declare modal; the title is prefilled from `/incident declare <title>`. */
export function declareModal(policy: Policy, opts: { title?: string; reporterId: string; metadata: DeclareMetadata }): View {
  const severities = policy.severities.map((s) => option(s.id, s.label ? `${s.id} · ${s.label}` : s.id, s.description));
  return {
    type: 'modal',
    callback_id: Callback.declareModal,
    title: plain('Declare an incident', 24),
    submit: plain('Declare', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(opts.metadata),
    blocks: [
      textInput(Block.title, 'Title', { initial: opts.title ? truncate(opts.title.trim(), TITLE_MAX) : undefined, placeholder: 'Checkout returns 500s for EU customers', max: TITLE_MAX }),
      textInput(Block.description, 'What is happening?', { multiline: true, optional: true, placeholder: 'What you see, since when, who is affected', max: 3000 }),
      {
        type: 'input',
        block_id: Block.severity,
        label: plain('Severity'),
        element: { type: 'static_select', action_id: Block.severity, options: severities, placeholder: plain('Choose a severity') },
      },
      {
        type: 'input',
        block_id: Block.kind,
        label: plain('Kind'),
        element: {
          type: 'radio_buttons',
          action_id: Block.kind,
          initial_option: option('service', 'Service incident', 'Outage or degradation'),
          options: [option('service', 'Service incident', 'Outage or degradation'), option('security', 'Security incident', 'Private channel; no details announced')],
        },
      },
      textInput(Block.services, 'Affected service(s)', { optional: true, placeholder: 'checkout, payments-api', hint: 'Comma-separated', max: 500 }),
      {
        type: 'input',
        block_id: Block.commander,
        label: plain('Incident commander'),
        element: { type: 'users_select', action_id: Block.commander, initial_user: opts.reporterId },
      },
    ],
  } as View;
}

export interface IncidentMetadata {
  incidentId: string;
}

const NEXT_UPDATE_CHOICES: [string, string][] = [
  ['15', 'In 15 minutes'],
  ['30', 'In 30 minutes'],
  ['60', 'In 1 hour'],
  ['120', 'In 2 hours'],
  ['240', 'In 4 hours'],
  ['none', 'No further update planned'],
];

/** The status update modal. */
export function updateModal(policy: Policy, opts: { incidentRef: string; currentStatus: string; metadata: IncidentMetadata }): View {
  const statuses = policy.statuses.map((s) => option(s.id, s.label ?? s.id, s.description));
  const initial = statuses.find((o) => o.value === opts.currentStatus);
  return {
    type: 'modal',
    callback_id: Callback.updateModal,
    title: plain(`Update ${opts.incidentRef}`, 24),
    submit: plain('Post update', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(opts.metadata),
    blocks: [
      {
        type: 'input',
        block_id: Block.status,
        label: plain('Status'),
        element: { type: 'static_select', action_id: Block.status, options: statuses, ...(initial ? { initial_option: initial } : {}) },
      },
      textInput(Block.message, 'What changed?', { multiline: true, max: 2500, placeholder: 'Rolled back the 14:02 deploy; error rate falling.' }),
      {
        type: 'input',
        block_id: Block.nextUpdate,
        label: plain('Next update'),
        optional: true,
        element: {
          type: 'static_select',
          action_id: Block.nextUpdate,
          options: NEXT_UPDATE_CHOICES.map(([v, t]) => option(v, t)),
          initial_option: option('30', 'In 30 minutes'),
        },
      },
    ],
  } as View;
}

/** The resolve modal: the resolution summary is required. */
export function resolveModal(opts: { incidentRef: string; metadata: IncidentMetadata }): View {
  return {
    type: 'modal',
    callback_id: Callback.resolveModal,
    title: plain(`Resolve ${opts.incidentRef}`, 24),
    submit: plain('Resolve', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(opts.metadata),
    blocks: [textInput(Block.summary, 'How was it resolved?', { multiline: true, max: 2500, placeholder: 'Root cause in one line, the fix, and anything still being watched.' })],
  } as View;
}

/** The add-note modal (from the card's button). */
export function noteModal(opts: { incidentRef: string; metadata: IncidentMetadata }): View {
  return {
    type: 'modal',
    callback_id: Callback.noteModal,
    title: plain(`Note on ${opts.incidentRef}`, 24),
    submit: plain('Add note', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(opts.metadata),
    blocks: [textInput(Block.note, 'Note for the timeline', { multiline: true, max: 2500 })],
  } as View;
}
