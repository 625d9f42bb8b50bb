import type { View } from '@slack/types';
import type { Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { IMPACTS, URGENCIES, isImpact, isUrgency, priorityFor, priorityPolicy } from '../../triage/priority.js';
import { Block, Callback } from '../ids.js';
import { servicesInput } from './catalog.js';
import { mrkdwn } from './format.js';
import { modal, option, selectInput, textInput } from './kit.js';

export interface TriageMetadata {
  incidentId: string;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The line that shows the priority the matrix gives, updated as impact and urgency are chosen. */
export function priorityPreview(policy: Policy, impact?: string, urgency?: string) {
  const text =
    isImpact(impact) && isUrgency(urgency)
      ? (() => {
          const p = priorityFor(policy, impact, urgency);
          return `*Priority: ${p}* — ${priorityPolicy(policy, p)?.description ?? ''} _(${impact} impact × ${urgency} urgency)_`;
        })()
      : '*Priority:* choose impact and urgency to see it';
  return { type: 'section' as const, block_id: Block.priorityPreview, text: mrkdwn(text) };
}

/** The triage modal; impact and urgency dispatch actions so the priority is shown before submit. */
export function triageModal(policy: Policy, incident: Incident, chosen: { impact?: string; urgency?: string } = {}): View {
  const impact = chosen.impact ?? incident.impact ?? undefined;
  const urgency = chosen.urgency ?? incident.urgency ?? undefined;
  const dispatch = (block: ReturnType<typeof selectInput>) => ({ ...block, dispatch_action: true });
  return modal({
    callbackId: Callback.triageModal,
    title: 'Triage',
    submit: 'Save triage',
    metadata: { incidentId: incident.id } satisfies TriageMetadata,
    blocks: [
      selectInput(Block.category, 'Category', policy.categories.map((c) => option(c, c)), { initial: incident.category ?? undefined, placeholder: 'Choose a category' }),
      dispatch(selectInput(Block.impact, 'Impact', IMPACTS.map((i) => option(i, cap(i))), { initial: impact, placeholder: 'How widely does it hurt?' })),
      dispatch(selectInput(Block.urgency, 'Urgency', URGENCIES.map((u) => option(u, cap(u))), { initial: urgency, placeholder: 'How fast must it be fixed?' })),
      priorityPreview(policy, impact, urgency),
      selectInput(Block.severity, 'Severity', policy.severities.map((s) => option(s.id, s.label ? `${s.id} · ${s.label}` : s.id, s.description)), { initial: incident.severity }),
      servicesInput(policy, { initial: incident.services }),
      textInput(Block.businessImpact, 'Business impact', { optional: true, multiline: true, initial: incident.businessImpact ?? undefined, placeholder: 'Who cannot do what, and what it costs', max: 1000 }),
      selectInput(
        Block.classification,
        'Classification',
        [option('incident', 'Incident', 'Needs a response'), option('security_event', 'Security event, no incident', 'Recorded and closed with a reason')],
        { radio: true, initial: 'incident' },
      ),
      textInput(Block.reason, 'Reason (for a security event)', { optional: true, multiline: true, max: 1000 }),
    ],
  });
}
