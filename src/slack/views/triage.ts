import type { View } from '@slack/types';
import type { Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { IMPACTS, URGENCIES, isImpact, isUrgency, priorityFor, priorityPolicy, priorityRank, effectivePriority } from '../../triage/priority.js';
import { Block, Callback } from '../ids.js';
import { contractMinutes, findVendor, vendorsOf, type Vendor } from '../../catalog/catalog.js';
import { servicesInput } from './catalog.js';
import { BlockLimit } from './fit.js';
import { duration, esc, mrkdwn, plain } from './format.js';
import { keepOptions, modal, option, selectInput, textInput } from './kit.js';

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

export interface VendorMetadata {
  incidentId: string;
  /** Bumped each time a catalog vendor is chosen: new block ids make Slack show the new prefilled values. */
  rev: number;
}

/** The block id of a prefilled vendor field at a revision of the form. */
export function vendorFieldId(block: string, rev: number): string {
  return rev ? `${block}~${rev}` : block;
}

function contractLine(vendor: Vendor, priority: string): string {
  const contacts = vendor.contacts.length ? ` · ${vendor.contacts.map(esc).join(', ')}` : '';
  return `*${esc(vendor.name)}*: contractual response ${duration(contractMinutes(vendor, priority) * 60_000)} at ${priority}${contacts}${vendor.portal ? ` · <${vendor.portal}|portal>` : ''}`;
}

/**
 * The vendor engagement modal. Catalog vendors are offered (those behind the incident's services
 * first, preselected); the chosen one prefills the contact and the contractual response time.
 */
export function vendorModal(policy: Policy, incident: Incident, opts: { vendor?: string; rev?: number } = {}): View {
  const rev = opts.rev ?? 0;
  const priority = effectivePriority(policy, incident);
  const related = vendorsOf(policy, incident.services);
  const ordered = [...related, ...policy.vendors.filter((v) => !related.includes(v))];
  const chosen = opts.vendor === undefined ? related[0] : findVendor(policy, opts.vendor);
  const blocks: unknown[] = [];
  if (ordered.length) {
    blocks.push({
      ...selectInput(Block.catalogVendor, 'Vendor', ordered.map((v) => option(v.name, v.name, `${duration(contractMinutes(v, priority) * 60_000)} response at ${priority}${related.includes(v) ? ' · behind this incident' : ''}`)), {
        optional: true,
        initial: chosen?.name,
        placeholder: 'Choose a vendor from the catalog',
      }),
      dispatch_action: true,
    });
    blocks.push({ type: 'context', block_id: 'vendor_contract', elements: [mrkdwn(chosen ? contractLine(chosen, priority) : 'Choose a catalog vendor to fill in its contacts and contractual response time, or name another one below.')] });
    blocks.push(textInput(Block.vendor, 'Other vendor (not in the catalog)', { optional: true, placeholder: 'Acme Cloud', max: 100 }));
  } else {
    blocks.push(textInput(Block.vendor, 'Vendor', { placeholder: 'Acme Cloud', max: 100 }));
  }
  blocks.push(textInput(Block.ticketRef, 'Their ticket reference', { optional: true, max: 100 }));
  blocks.push(textInput(vendorFieldId(Block.contact, rev), 'Contact', { optional: true, initial: chosen?.contacts.join(', ').slice(0, 200) || undefined, placeholder: 'support@acme.example, +1 555 0100', max: 200 }));
  blocks.push(textInput(vendorFieldId(Block.responseMinutes, rev), 'Contractual response time (minutes)', { initial: String(chosen ? contractMinutes(chosen, priority) : 60), max: 6 }));
  return modal({ callbackId: Callback.vendorModal, title: 'Engage a vendor', submit: 'Start the clock', metadata: { incidentId: incident.id, rev } satisfies VendorMetadata, blocks });
}
