import type { Button, KnownBlock } from '@slack/types';
import { isClosed, isPrivate, isResolved, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { Action } from '../ids.js';
import { duration, esc, incidentRef, mrkdwn, plain, slackDate, statusEmoji, truncate, user } from './format.js';

export function statusLabel(incident: Incident): string {
  return isClosed(incident) ? 'closed' : incident.status;
}

/** What other features add to the card: blocks above its buttons, and buttons after its own. */
export interface CardExtras {
  blocks?: KnownBlock[];
  buttons?: Button[];
}

/** The pinned incident card: the facts at a glance and the next steps as buttons. */
export function incidentCard(policy: Policy, incident: Incident, extras: CardExtras = {}): { text: string; blocks: KnownBlock[] } {
  const ref = incidentRef(policy.number_prefix, incident);
  const fields = [
    mrkdwn(`*Severity*\n${incident.severity}`),
    mrkdwn(`*Status*\n${statusEmoji(incident.status)} ${statusLabel(incident)}`),
    mrkdwn(`*Commander*\n${user(incident.commanderId)}`),
    mrkdwn(`*Reporter*\n${user(incident.reporterId)}`),
    mrkdwn(`*Started*\n${slackDate(incident.declaredAt)}`),
    mrkdwn(`*Kind*\n${incident.kind === 'security' ? ':lock: security' : 'service'}`),
  ];
  if (incident.services.length) fields.push(mrkdwn(`*Services*\n${truncate(esc(incident.services.join(', ')), 1900)}`));
  if (incident.resolvedAt) fields.push(mrkdwn(`*Resolved*\n${slackDate(incident.resolvedAt)} (after ${duration(incident.resolvedAt.getTime() - incident.declaredAt.getTime())})`));
  else if (incident.nextUpdateAt) fields.push(mrkdwn(`*Next update*\n${slackDate(incident.nextUpdateAt)}`));

  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`${ref}: ${incident.title}`, 150) },
    { type: 'section', fields: fields.slice(0, 10) },
  ];
  if (incident.description) blocks.push({ type: 'section', text: mrkdwn(esc(incident.description)) });
  if (incident.resolutionSummary) blocks.push({ type: 'section', text: mrkdwn(`*Resolution*\n${esc(incident.resolutionSummary)}`) });

  blocks.push(...(extras.blocks ?? []));
  const own = isResolved(incident)
    ? isClosed(incident)
      ? []
      : [{ type: 'button' as const, action_id: Action.close, text: plain('Close incident'), value: incident.id }]
    : [
        { type: 'button' as const, action_id: Action.openUpdate, text: plain('Post update'), value: incident.id, style: 'primary' as const },
        { type: 'button' as const, action_id: Action.openNote, text: plain('Add note'), value: incident.id },
        { type: 'button' as const, action_id: Action.openResolve, text: plain('Resolve'), value: incident.id },
      ];
  const buttons: Button[] = [...own, ...(extras.buttons ?? [])];
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'card_actions', elements: buttons });
  blocks.push({ type: 'context', elements: [mrkdwn(`${ref} · declared ${slackDate(incident.declaredAt)} · \`/incident help\` for commands`)] });
  return { text: `${ref}: ${incident.title} (${incident.severity}, ${statusLabel(incident)})`, blocks };
}

/** The channel topic: `SEV1 · investigating · IC @name`. */
export function channelTopic(policy: Policy, incident: Incident): string {
  const ref = incidentRef(policy.number_prefix, incident);
  return truncate(`${ref} · ${incident.severity} · ${statusLabel(incident)} · IC ${user(incident.commanderId)}`, 250);
}

/**
 * The announcement in the shared channel. A security incident's announcement names only that one
 * is open and who leads it: no title, severity, services or channel link.
 */
export function announcement(policy: Policy, incident: Incident): { text: string; blocks: KnownBlock[] } {
  const ref = incidentRef(policy.number_prefix, incident);
  const state = isClosed(incident) ? 'closed' : isResolved(incident) ? 'resolved' : 'open';
  if (isPrivate(incident)) {
    const text = `:lock: A security incident (${ref}) is ${state}, led by ${user(incident.commanderId)}. Details are restricted; ask the commander if you need to be involved.`;
    return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const icon = state === 'open' ? ':rotating_light:' : ':white_check_mark:';
  const text = `${icon} *${ref}: ${esc(incident.title)}*\n${incident.severity} · ${statusLabel(incident)} · IC ${user(incident.commanderId)} · join <#${incident.channelId}>`;
  return {
    text: `${ref}: ${incident.title} (${incident.severity}, ${statusLabel(incident)})`,
    blocks: [
      { type: 'section', text: mrkdwn(truncate(text, 3000)) },
      { type: 'context', elements: [mrkdwn(`Declared ${slackDate(incident.declaredAt)} by ${user(incident.reporterId)}`)] },
    ],
  };
}
