import type { View } from '@slack/types';
import type { Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { priorityRank, effectivePriority } from '../../triage/priority.js';
import { Block, Callback } from '../ids.js';
import { BlockLimit } from './fit.js';
import { plain } from './format.js';
import { keepOptions, modal, option, selectInput, textInput } from './kit.js';

export interface EscalateMetadata {
  incidentId: string;
}

/** The escalate modal: raise priority and/or page teams (policy groups preselected). */
export function escalateModal(policy: Policy, incident: Incident, suggestedGroups: string[]): View {
  const current = effectivePriority(policy, incident);
  const higher = policy.priorities.filter((p) => priorityRank(policy, p.id) <= priorityRank(policy, current));
  const groups = [...new Set([...policy.escalation.flatMap((r) => r.usergroups), ...suggestedGroups])];
  const blocks: unknown[] = [
    selectInput(Block.priority, `Priority (now ${current})`, higher.map((p) => option(p.id, p.id, p.description)), { initial: current }),
  ];
  if (groups.length) {
    const preselected = suggestedGroups.slice(0, BlockLimit.options);
    const options = keepOptions(groups.map((g) => option(g, g)), preselected, BlockLimit.options);
    blocks.push({
      type: 'input',
      block_id: Block.usergroups,
      optional: true,
      label: plain('Teams to page', 2000),
      ...(options.length < groups.length ? { hint: plain(`${options.length} of ${groups.length} groups are listed; name any other under "Other user groups".`, 2000) } : {}),
      element: {
        type: 'multi_static_select',
        action_id: Block.usergroups,
        options,
        ...(preselected.length ? { initial_options: preselected.map((g) => option(g, g)) } : {}),
      },
    });
  }
  blocks.push(textInput(Block.extraGroups, 'Other user groups', { optional: true, placeholder: 'dba-oncall, S0123ABCD', hint: 'Handles or ids, comma-separated', max: 500 }));
  blocks.push(textInput(Block.note, 'Why', { optional: true, multiline: true, max: 1000 }));
  return modal({ callbackId: Callback.escalateModal, title: 'Escalate', submit: 'Escalate', metadata: { incidentId: incident.id } satisfies EscalateMetadata, blocks });
}
