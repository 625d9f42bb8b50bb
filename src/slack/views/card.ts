import type { Button, KnownBlock } from '@slack/types';
import { incidentRef, isClosed, isPrivate, isResolved, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { slaTargets } from '../../clocks/deadlines.js';
import type { RoleHolder } from '../../roles/repository.js';
import { effectivePriority } from '../../triage/priority.js';
import { findService } from '../../catalog/catalog.js';
import { Action } from '../ids.js';
import { BlockLimit, roomLeft } from './fit.js';
import { duration, esc, escCut, field, mrkdwn, plain, slackDate, statusEmoji, truncate, user } from './format.js';

export function statusLabel(incident: Incident): string {
  return isClosed(incident) ? 'closed' : incident.status;
}

export interface CardContext {
  roles: RoleHolder[];
  now: Date;
}

function slaLine(policy: Policy, incident: Incident, now: Date): string | undefined {
  const parts = slaTargets(policy, incident).map((t) => {
    const name = t.clock === 'response' ? 'Response' : 'Resolution';
    if (t.metAt) return `${name} ${t.metAt <= t.dueAt ? ':white_check_mark: met' : ':x: missed'}`;
    const left = t.dueAt.getTime() - now.getTime();
    return left > 0 ? `${name} due ${slackDate(t.dueAt, '{time}')} (${duration(left)} left)` : `${name} :rotating_light: *breached* ${duration(-left)} ago`;
  });
  return parts.length ? parts.join(' · ') : undefined;
}

const EXERCISE_NOTE = ':performing_arts: *EXERCISE* — this is a drill: nobody is paged for real and it is not counted in incident reports.';

/** The affected services, each linked to its runbook from the catalog. */
function servicesText(policy: Policy, incident: Incident): string {
  return incident.services
    .map((name) => {
      const runbook = findService(policy, name)?.runbook;
      return runbook ? `${esc(name)} (<${runbook}|runbook>)` : esc(name);
    })
    .join(', ');
}

/** The active DR plan, as one line. */
function drLine(policy: Policy, incident: Incident): string | undefined {
  if (!incident.drPlan) return undefined;
  const plan = policy.dr.plans.find((p) => p.name === incident.drPlan);
  const since = incident.drActivatedAt ? ` since ${slackDate(incident.drActivatedAt, '{time}')}` : '';
  return `:sos: *DR plan active*: ${esc(plan?.title ?? incident.drPlan)}${since}${plan?.document ? ` · <${plan.document}|plan>` : ''}`;
}

/** What other features add to the card: blocks above its buttons, and buttons after its own. */
export interface CardExtras {
  blocks?: KnownBlock[];
  buttons?: Button[];
}

/** A long text on the card keeps at least this much when space is short. */
const MIN_TEXT_SHARE = 300;

/** Splits `room` between texts needing `needs` characters: short ones get all they need, long ones share the rest evenly. */
function fairShares(needs: number[], room: number): number[] {
  const shares = needs.map(() => 0);
  let left = room;
  const order = needs.map((n, i) => [n, i] as const).sort((a, b) => a[0] - b[0]);
  order.forEach(([need, i], k) => {
    shares[i] = Math.min(need, Math.floor(left / (order.length - k)));
    left -= shares[i];
  });
  return shares;
}

/** The pinned incident card: the facts at a glance, the roles, the clocks and the next steps. */
export function incidentCard(policy: Policy, incident: Incident, ctx: CardContext, extras: CardExtras = {}): { text: string; blocks: KnownBlock[] } {
  const ref = incidentRef(policy.number_prefix, incident);
  const priority = incident.priority ?? `${effectivePriority(policy, incident)} _(untriaged)_`;
  const fields = [
    field(`*Priority · Severity*\n${priority} · ${incident.severity}`),
    field(`*Status*\n${statusEmoji(incident.status)} ${statusLabel(incident)}`),
    field(`*Commander*\n${user(incident.commanderId)}`),
    field(`*Reporter*\n${user(incident.reporterId)}`),
    field(`*Started*\n${slackDate(incident.declaredAt)}`),
    field(`*Kind*\n${incident.kind === 'security' ? ':lock: security' : 'service'}${incident.category ? ` · ${incident.category}` : ''}`),
  ];
  if (incident.services.length) fields.push(field(`*Services*\n${servicesText(policy, incident)}`));
  if (incident.causedByChangeId) fields.push(field(`*Caused by*\nCHG-${incident.causedByChangeId}`));
  // A link is never cut: a bridge too long for a field gets a section of its own.
  const bridge = incident.bridgeUrl ? `<${incident.bridgeUrl}|Join the call>` : undefined;
  const bridgeInField = bridge !== undefined && `*Bridge*\n${bridge}`.length <= BlockLimit.fieldText;
  if (bridge && bridgeInField) fields.push(field(`*Bridge*\n${bridge}`));
  if (incident.resolvedAt) fields.push(field(`*Resolved*\n${slackDate(incident.resolvedAt)} (after ${duration(incident.resolvedAt.getTime() - incident.declaredAt.getTime())})`));
  else if (incident.nextUpdateAt) fields.push(field(`*Next update*\n${slackDate(incident.nextUpdateAt)}`));

  const blocks: KnownBlock[] = [{ type: 'header', text: plain(`${incident.isDrill ? 'EXERCISE · ' : ''}${ref}: ${incident.title}`, 150) }];
  if (incident.isDrill) blocks.push({ type: 'context', elements: [mrkdwn(EXERCISE_NOTE)] });
  blocks.push({ type: 'section', fields: fields.slice(0, BlockLimit.fields) });
  if (bridge && !bridgeInField) blocks.push({ type: 'section', text: mrkdwn(`:telephone_receiver: *Bridge* ${bridge}`) });
  const dr = drLine(policy, incident);
  if (dr) blocks.push({ type: 'section', text: mrkdwn(dr) });
  // The long texts go here, sharing what the rest of the card leaves of the message (added once it is built).
  const texts = ([
    ['', incident.description],
    ['*Business impact*\n', incident.businessImpact ?? ''],
    ['*Resolution*\n', incident.resolutionSummary ?? ''],
  ] as const).filter(([, text]) => text);
  const textsAt = blocks.length;
  const sla = isResolved(incident) && !incident.priority ? undefined : slaLine(policy, incident, ctx.now);
  if (sla) blocks.push({ type: 'context', elements: [mrkdwn(`*SLA* ${sla}`)] });

  const held = new Map(ctx.roles.map((r) => [r.role, r.userId]));
  const roleLines = policy.roles.filter((r) => held.has(r.id)).map((r) => `${r.label}: ${user(held.get(r.id))}`);
  if (roleLines.length) blocks.push({ type: 'section', text: mrkdwn(`*Roles*\n${roleLines.join('\n')}`) });

  blocks.push(...(extras.blocks ?? []));
  const own = isResolved(incident)
    ? isClosed(incident)
      ? []
      : [{ type: 'button' as const, action_id: Action.close, text: plain('Close incident'), value: incident.id }]
    : [
        { type: 'button' as const, action_id: Action.openUpdate, text: plain('Post update'), value: incident.id, style: 'primary' as const },
        { type: 'button' as const, action_id: Action.openTriage, text: plain('Triage'), value: incident.id },
        { type: 'button' as const, action_id: Action.openNote, text: plain('Add note'), value: incident.id },
        { type: 'button' as const, action_id: Action.openResolve, text: plain('Resolve'), value: incident.id },
      ];
  const buttons: Button[] = [...own, ...(extras.buttons ?? [])];
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'card_actions', elements: buttons });
  if (!isResolved(incident)) {
    const open = policy.roles.filter((r) => !held.has(r.id));
    if (open.length) {
      blocks.push({
        type: 'actions',
        block_id: 'card_claim',
        elements: open.slice(0, 25).map((r) => ({ type: 'button' as const, action_id: `${Action.claimRole}:${r.id}`, text: plain(`Claim ${r.label}`), value: incident.id })),
      });
    }
  }
  blocks.push({ type: 'context', elements: [mrkdwn(`${ref} · declared ${slackDate(incident.declaredAt)} · \`/incident help\` for commands`)] });
  const room = roomLeft('message', blocks).chars - texts.reduce((n, [label]) => n + label.length, 0);
  const shares = fairShares(
    texts.map(([label, text]) => Math.min(esc(text).length, BlockLimit.sectionText - label.length)),
    Math.max(room, texts.length * MIN_TEXT_SHARE),
  );
  blocks.splice(textsAt, 0, ...texts.map(([label, text], i): KnownBlock => ({ type: 'section', text: mrkdwn(`${label}${escCut(text, shares[i])}`) })));
  return { text: `${incident.isDrill ? 'EXERCISE · ' : ''}${ref}: ${esc(incident.title)} (${incident.priority ?? incident.severity}, ${statusLabel(incident)})`, blocks };
}

/** The channel topic: `SEV1 · investigating · IC @name`. */
export function channelTopic(policy: Policy, incident: Incident): string {
  const ref = incidentRef(policy.number_prefix, incident);
  const priority = incident.priority ? `${incident.priority} · ` : '';
  return truncate(`${incident.isDrill ? 'EXERCISE · ' : ''}${ref} · ${priority}${incident.severity} · ${statusLabel(incident)} · IC ${user(incident.commanderId)}`, 250);
}

/**
 * The announcement in the shared channel. A security incident's announcement names only that one
 * is open and who leads it: no title, severity, services or channel link.
 */
export function announcement(policy: Policy, incident: Incident): { text: string; blocks: KnownBlock[] } {
  const ref = incidentRef(policy.number_prefix, incident);
  const state = isClosed(incident) ? 'closed' : isResolved(incident) ? 'resolved' : 'open';
  const exercise = incident.isDrill ? ':performing_arts: *EXERCISE* · ' : '';
  if (isPrivate(incident)) {
    const dr = incident.drPlan ? ' A disaster-recovery plan is active.' : '';
    const text = `${exercise}:lock: A security incident (${ref}) is ${state}, led by ${user(incident.commanderId)}.${dr} Details are restricted; ask the commander if you need to be involved.`;
    return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const icon = state === 'open' ? ':rotating_light:' : ':white_check_mark:';
  const bridge = incident.bridgeUrl ? ` · <${incident.bridgeUrl}|bridge>` : '';
  const priority = incident.priority ? `${incident.priority} · ` : '';
  const dr = drLine(policy, incident);
  const text = `${exercise}${icon} *${ref}: ${esc(incident.title)}*\n${priority}${incident.severity} · ${statusLabel(incident)} · IC ${user(incident.commanderId)} · join <#${incident.channelId}>${bridge}${dr ? `\n${dr}` : ''}`;
  return {
    text: `${incident.isDrill ? 'EXERCISE · ' : ''}${ref}: ${esc(incident.title)} (${incident.severity}, ${statusLabel(incident)})`,
    blocks: [
      { type: 'section', text: mrkdwn(truncate(text, 3000)) },
      { type: 'context', elements: [mrkdwn(`Declared ${slackDate(incident.declaredAt)} by ${user(incident.reporterId)}`)] },
    ],
  };
}
