import type { View } from '@slack/types';
import type { DrPlan } from '../../dr/service.js';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import type { TimelineEventOf } from '../../timeline/timeline.js';
import { Block, Callback } from '../ids.js';
import { usergroupText } from './catalog.js';
import { duration, esc, mrkdwn, user } from './format.js';
import { modal, option, selectInput, textInput } from './kit.js';

export interface DrMetadata {
  incidentId: string;
  /** The plan when only one is offered (no select in the form). */
  plan?: string;
}

/** The confirmation modal: which plan, what activating it does, and why now. */
export function drModal(policy: Policy, incident: Incident, plans: DrPlan[], chosen: DrPlan): View {
  const ref = incidentRef(policy.number_prefix, incident);
  const crisis = policy.dr.crisis_team ? usergroupText(policy.dr.crisis_team) : 'the crisis team';
  const steps = [
    `• post the plan's checklist (${chosen.checklist.length} steps) in this channel; every tick is timestamped on the timeline`,
    `• invite and page ${crisis}${incident.isDrill ? ' _(simulated: this is an exercise)_' : ''}`,
    `• announce that the DR plan is active${isPrivate(incident) ? ' (without any details: this is a security incident)' : ''}`,
  ];
  const blocks: unknown[] = [];
  if (plans.length > 1) {
    blocks.push(selectInput(Block.drPlan, 'Plan', plans.map((p) => option(p.name, p.title, p.description ?? (p.services.length ? `Covers ${p.services.join(', ')}` : undefined))), { initial: chosen.name }));
  } else {
    blocks.push({ type: 'section', text: mrkdwn(`:sos: *${esc(chosen.title)}*${chosen.description ? `\n${esc(chosen.description)}` : ''}${chosen.document ? `\n<${chosen.document}|Plan document>` : ''}`) });
  }
  blocks.push({ type: 'section', text: mrkdwn(`Activating a DR plan for *${ref}* will:\n${steps.join('\n')}`) });
  blocks.push(textInput(Block.reason, 'Why now?', { optional: true, multiline: true, max: 1000, placeholder: 'Primary region unreachable for 20 minutes; no ETA from the provider' }));
  return modal({ callbackId: Callback.drModal, title: 'Activate DR plan', submit: 'Activate', metadata: { incidentId: incident.id, ...(plans.length > 1 ? {} : { plan: chosen.name }) } satisfies DrMetadata, blocks });
}

/** The announcement-channel line for an activation or deactivation; a security incident gets no details. */
export function drAnnouncement(policy: Policy, incident: Incident, event: TimelineEventOf<'dr_activated' | 'dr_deactivated'>): string {
  const ref = incidentRef(policy.number_prefix, incident);
  const exercise = incident.isDrill ? ':performing_arts: *EXERCISE* · ' : '';
  if (event.kind === 'dr_activated') {
    const p = event.payload;
    if (isPrivate(incident)) return `${exercise}:sos: A disaster-recovery plan is now active for a security incident (${ref}). Details are restricted; the crisis team has been paged.`;
    return `${exercise}:sos: *DR plan active*: ${esc(p.title)} for *${ref}: ${esc(incident.title)}* — activated by ${user(event.actorId)}${p.reason ? `: ${esc(p.reason)}` : ''} · ${usergroupText(p.crisis_team)} paged · <#${incident.channelId}>`;
  }
  const p = event.payload;
  const after = p.active_minutes !== null ? ` after ${duration(p.active_minutes * 60_000)}` : '';
  if (isPrivate(incident)) return `${exercise}:white_check_mark: The disaster-recovery plan for the security incident ${ref} is no longer active${after}.`;
  return `${exercise}:white_check_mark: DR plan ${esc(p.title)} for *${ref}* is no longer active${after} (deactivated by ${user(event.actorId)}${p.reason ? `: ${esc(p.reason)}` : ''}).`;
}
