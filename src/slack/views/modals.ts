import type { View } from '@slack/types';
import type { Policy } from '../../policy/schema.js';
import type { DeclarationOrigin } from '../../incidents/incident.js';
import { TITLE_MAX } from '../../incidents/service.js';
import { Block, Callback } from '../ids.js';
import { plain, truncate } from './format.js';
import { AUDIENCE_LABELS, configuredAudiences } from './comms.js';
import { servicesInput } from './catalog.js';
import { modal, option, selectInput, textInput, userInput } from './kit.js';
import { findType, missingFields, type FieldValues } from '../../incidents/fields.js';
import { fieldInput, typeFieldInputs, typeSelect } from './fields.js';

export interface DeclareMetadata {
  /** Where the person asked, to tell them the outcome there. */
  channelId?: string;
  /** The alert group whose triage post the form was opened from: the declaration links it. */
  origin?: DeclarationOrigin;
  /** The incident type the form shows the fields of (it redraws itself when another is chosen). */
  type?: string;
}

export interface IncidentMetadata {
  incidentId: string;
}

/** Values to start the declare form with (e.g. from a monitoring signal). */
export interface DeclarePrefill {
  title?: string;
  description?: string;
  severity?: string;
  kind?: 'service' | 'security';
  services?: string[];
  /** The commander to show; the reporter when undefined, nobody when null. */
  commander?: string | null;
  /** Values of the type's custom fields (when the form is redrawn for another type). */
  fieldValues?: FieldValues;
}

/**
 * The declare modal; the title is prefilled from `/incident declare <title>`, other fields from a
 * signal. With incident types in the policy it asks for the type first, then shows that type's
 * fields (`metadata.type`); the type's privacy and severity are preselected.
 */
export function declareModal(policy: Policy, opts: DeclarePrefill & { reporterId: string; metadata: DeclareMetadata }): View {
  const type = findType(policy, opts.metadata.type);
  const commander = opts.commander === undefined ? opts.reporterId : opts.commander;
  const severities = policy.severities.map((s) => option(s.id, s.label ? `${s.id} · ${s.label}` : s.id, s.description));
  const kinds = [option('service', 'Service incident', 'Outage or degradation'), option('security', 'Security incident', 'Private channel; no details announced')];
  return modal({
    callbackId: Callback.declareModal,
    title: 'Declare an incident',
    submit: 'Declare',
    metadata: opts.metadata,
    blocks: [
      ...(policy.incident_types.length ? [typeSelect(policy, Block.incidentType, type?.name)] : []),
      textInput(Block.title, 'Title', { initial: opts.title ? truncate(opts.title.trim(), TITLE_MAX) : undefined, placeholder: 'Checkout returns 500s for EU customers', max: TITLE_MAX }),
      textInput(Block.description, 'What is happening?', { multiline: true, optional: true, initial: opts.description ? truncate(opts.description.trim(), 3000) : undefined, placeholder: 'What you see, since when, who is affected', max: 3000 }),
      selectInput(Block.severity, 'Severity', severities, { placeholder: 'Choose a severity', initial: opts.severity ?? type?.default_severity }),
      selectInput(Block.kind, 'Kind', kinds, { radio: true, initial: opts.kind ?? (type?.private ? 'security' : 'service') }),
      servicesInput(policy, { initial: opts.services }),
      userInput(Block.commander, 'Incident commander', { initial: commander ?? undefined, optional: true }),
      ...typeFieldInputs(policy, type?.name, opts.fieldValues ?? {}, 'declare'),
    ],
  });
}

/** The update form's choice that opens the public status page post after the update. */
export const PUBLIC_AUDIENCE = 'public';

const NEXT_UPDATE_CHOICES: [string, string][] = [
  ['15', 'In 15 minutes'],
  ['30', 'In 30 minutes'],
  ['60', 'In 1 hour'],
  ['120', 'In 2 hours'],
  ['240', 'In 4 hours'],
  ['none', 'No further update planned'],
];

/** The status update modal; with audiences configured it offers them, and submitting shows a preview. */
export function updateModal(policy: Policy, opts: { incidentRef: string; currentStatus: string; metadata: IncidentMetadata }): View {
  const statuses = policy.statuses.map((s) => option(s.id, s.label ?? s.id, s.description));
  // The update always goes to the incident channel; configured audiences can be added to it.
  const audiences = configuredAudiences(policy)
    .filter((a) => a !== 'technical')
    .map((a) => option(a, AUDIENCE_LABELS[a]));
  // The public status page has its own form (components, public title and text), opened next.
  if (policy.status_page) audiences.push(option(PUBLIC_AUDIENCE, 'Public status page', 'You write the public text next; it needs approval'));
  const audienceBlock = {
    type: 'input',
    block_id: Block.audiences,
    optional: true,
    label: plain('Also send to', 2000),
    hint: plain('You will see each message before it is posted.', 2000),
    element: { type: 'checkboxes', action_id: Block.audiences, options: audiences },
  };
  return modal({
    callbackId: Callback.updateModal,
    title: `Update ${opts.incidentRef}`,
    submit: 'Post update',
    metadata: opts.metadata,
    blocks: [
      selectInput(Block.status, 'Status', statuses, { initial: opts.currentStatus }),
      textInput(Block.message, 'What changed?', { multiline: true, max: 2000, placeholder: 'Rolled back the 14:02 deploy; error rate falling.' }),
      selectInput(Block.nextUpdate, 'Next update', NEXT_UPDATE_CHOICES.map(([v, t]) => option(v, t)), { optional: true, initial: '30' }),
      ...(audiences.length ? [audienceBlock] : []),
    ],
  });
}

/** The resolve modal: the resolution summary is required, and so are the incident's fields needed to resolve that are still empty. */
export function resolveModal(opts: { incidentRef: string; metadata: IncidentMetadata; policy?: Policy; incident?: { type: string | null; fields: FieldValues }; callbackId?: string }): View {
  const missing = opts.policy && opts.incident ? missingFields(opts.policy, opts.incident, 'resolve').map((f) => fieldInput(f, undefined, { required: true })) : [];
  return modal({
    callbackId: opts.callbackId ?? Callback.resolveModal,
    title: `Resolve ${opts.incidentRef}`,
    submit: 'Resolve',
    metadata: opts.metadata,
    blocks: [textInput(Block.summary, 'How was it resolved?', { multiline: true, max: 2500, placeholder: 'Root cause in one line, the fix, and anything still being watched.' }), ...missing],
  });
}

/** The add-note modal (from the card's button). */
export function noteModal(opts: { incidentRef: string; metadata: IncidentMetadata }): View {
  return modal({
    callbackId: Callback.noteModal,
    title: `Note on ${opts.incidentRef}`,
    submit: 'Add note',
    metadata: opts.metadata,
    blocks: [textInput(Block.note, 'Note for the timeline', { multiline: true, max: 2500 })],
  });
}
