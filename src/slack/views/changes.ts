import type { KnownBlock, View } from '@slack/types';
import { CHANGE_IMPACTS, CHANGE_LIKELIHOODS, changeRef, isChangeImpact, isChangeLikelihood, needsCab, riskFor, type Change, type ChangeStatus } from '../../changes/change.js';
import { CHANGE_TITLE_MAX } from '../../changes/service.js';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { MAINTENANCE_BODY_MAX } from '../../status/maintenance.js';
import { Action, Block, Callback, StatusBlock } from '../ids.js';
import { servicesInput } from './catalog.js';
import { fitting, listBlocks, roomLeft, SECTION_CHUNK } from './fit.js';
import { esc, escCut, fitLines, mrkdwn, plain, slackDate, truncate, user } from './format.js';
import { checkboxInput, dateTimeInput, modal, option, selectInput, textInput, userInput } from './kit.js';

const STATUS: Record<ChangeStatus, string> = {
  scheduled: ':calendar: scheduled',
  pending_approval: ':hourglass_flowing_sand: awaiting CAB',
  approved: ':white_check_mark: approved',
  rejected: ':no_entry: rejected',
  deployed: ':rocket: deployed',
};

export const statusText = (s: ChangeStatus) => STATUS[s];
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** When: the window of a planned change, or the moment of a deployment. */
export function windowText(c: Change): string {
  if (c.startsAt.getTime() === c.endsAt.getTime()) return `${c.source === 'webhook' ? 'deployed ' : ''}${slackDate(c.startsAt)}`;
  return `${slackDate(c.startsAt)} – ${slackDate(c.endsAt, c.endsAt.getTime() - c.startsAt.getTime() < 86_400_000 ? '{time}' : '{date_short_pretty} {time}')}`;
}

function who(c: Change): string {
  if (c.implementerId) return user(c.implementerId);
  return c.implementerName ? esc(c.implementerName) : 'CI/CD';
}

function riskText(c: Change): string {
  return c.risk ? `risk *${c.risk}*${c.impact ? ` (${c.impact} impact × ${c.likelihood} likelihood)` : ''}` : 'no risk assessed';
}

/** One change as a line. */
export function changeLine(c: Change): string {
  const link = c.url ? ` · <${c.url}|details>` : '';
  return `*${changeRef(c)}* ${esc(truncate(c.title, 100))} · ${esc(c.services.join(', '))} · ${windowText(c)} · ${who(c)} · ${c.risk ? `risk ${c.risk}` : 'deployment'} · ${statusText(c.status)}${link}`;
}

/** The line under impact and likelihood that shows the risk, and whether the CAB must approve. */
export function riskPreview(policy: Policy, impact?: string, likelihood?: string) {
  let text = '*Risk:* choose impact and likelihood to see it';
  if (isChangeImpact(impact) && isChangeLikelihood(likelihood)) {
    const risk = riskFor(policy, impact, likelihood);
    const cab = needsCab(policy, risk)
      ? `needs CAB approval${policy.changes.cab_channel ? ` (posted to ${policy.changes.cab_channel.startsWith('#') ? esc(policy.changes.cab_channel) : `<#${policy.changes.cab_channel}>`})` : ''}`
      : policy.changes.approvers.length
        ? `no approval needed (the CAB decides from ${policy.changes.cab_threshold})`
        : 'no approval step is configured';
    text = `*Risk: ${risk}* — ${cab} _(${impact} impact × ${likelihood} likelihood)_`;
  }
  return { type: 'section' as const, block_id: Block.riskPreview, text: mrkdwn(text) };
}

/** The `/change new` form; the window defaults to the next quarter hour, for an hour. */
export function changeModal(policy: Policy, opts: { requesterId: string; now: Date; channelId?: string }): View {
  const quarter = 15 * 60_000;
  const start = Math.ceil(opts.now.getTime() / quarter) * quarter;
  const picker = (blockId: string, label: string, at: number) => dateTimeInput(blockId, label, { initial: new Date(at) });
  const dispatch = <T extends object>(block: T) => ({ ...block, dispatch_action: true });
  return modal({
    callbackId: Callback.changeModal,
    title: 'New change',
    submit: 'Record change',
    metadata: { channelId: opts.channelId },
    blocks: [
      textInput(Block.title, 'What changes?', { max: CHANGE_TITLE_MAX, placeholder: 'Upgrade orders-db to PostgreSQL 17' }),
      textInput(Block.description, 'Details', { optional: true, multiline: true, max: 3000 }),
      servicesInput(policy, { optional: false, label: 'Services it touches' }),
      picker(Block.windowStart, 'Window starts', start),
      picker(Block.windowEnd, 'Window ends', start + 4 * quarter),
      dispatch(selectInput(Block.changeImpact, 'Impact if it goes wrong', CHANGE_IMPACTS.map((i) => option(i, cap(i))), { placeholder: 'How bad could it be?' })),
      dispatch(selectInput(Block.likelihood, 'Likelihood it goes wrong', CHANGE_LIKELIHOODS.map((l) => option(l, cap(l))), { placeholder: 'How likely?' })),
      riskPreview(policy),
      textInput(Block.rollback, 'Rollback plan', { multiline: true, max: 2000, placeholder: 'How to undo it, and how long that takes' }),
      userInput(Block.implementer, 'Implementer', { initial: opts.requesterId }),
      ...(policy.status_page
        ? [
            checkboxInput(StatusBlock.publishMaintenance, 'Status page', 'Publish as maintenance on the status page', { description: 'On the components behind the services above, shown ahead of time' }),
            textInput(StatusBlock.maintenanceText, 'Public maintenance text', { optional: true, multiline: true, max: MAINTENANCE_BODY_MAX, placeholder: 'What customers may notice during the window' }),
          ]
        : []),
    ],
  });
}

/** The full record of a change (for the CAB request and `/change show`): the facts, then each long text in its own section. */
function changeFacts(c: Change): KnownBlock[] {
  const facts = [
    `*${changeRef(c)}: ${esc(c.title)}*`,
    `*Services* ${esc(c.services.join(', '))} · *When* ${windowText(c)}`,
    `*Risk* ${riskText(c)} · *Implementer* ${who(c)}${c.source === 'slack' ? ` · *Requested by* ${user(c.requestedBy)}` : ''}`,
    ...(c.url ? [`<${c.url}|Pipeline / details>`] : []),
  ];
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(facts.join('\n')) }];
  if (c.description) blocks.push({ type: 'section', text: mrkdwn(`*Details*\n${escCut(c.description, 1200)}`) });
  if (c.rollbackPlan) blocks.push({ type: 'section', text: mrkdwn(`*Rollback*\n${escCut(c.rollbackPlan, 1000)}`) });
  return blocks;
}

function decisionLine(c: Change): string | undefined {
  if (!c.decidedBy || !c.decidedAt) return undefined;
  const verb = c.status === 'approved' ? ':white_check_mark: *Approved*' : ':no_entry: *Rejected*';
  return `${verb} by ${user(c.decidedBy)} ${slackDate(c.decidedAt)}${c.decisionNote ? `: ${escCut(c.decisionNote, 1000)}` : ''}`;
}

/** The CAB request with Approve / Reject while it waits, and the decision once made. */
export function cabMessage(c: Change): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Change approval: ${changeRef(c)}`, 150) },
    ...changeFacts(c),
  ];
  const decision = decisionLine(c);
  if (decision) blocks.push({ type: 'section', text: mrkdwn(decision) });
  if (c.status === 'pending_approval') {
    blocks.push({
      type: 'actions',
      block_id: 'cab_decision',
      elements: [
        {
          type: 'button',
          action_id: Action.changeApprove,
          value: c.id,
          style: 'primary',
          text: plain('Approve'),
          confirm: { title: plain(`Approve ${changeRef(c)}?`, 100), text: mrkdwn(`${escCut(c.title, 280)} · risk ${c.risk}`, 300), confirm: plain('Approve', 30), deny: plain('Cancel', 30) },
        },
        { type: 'button', action_id: Action.changeReject, value: c.id, style: 'danger', text: plain('Reject…') },
      ],
    });
  }
  blocks.push({ type: 'context', elements: [mrkdwn(`${statusText(c.status)} · only CAB approvers can decide`)] });
  return { text: `Change approval ${changeRef(c)}: ${c.title} (${statusText(c.status)})`, blocks };
}

/** Asks the approver why the change is rejected. */
export function rejectModal(c: Change): View {
  return modal({
    callbackId: Callback.changeRejectModal,
    title: `Reject ${changeRef(c)}`,
    submit: 'Reject',
    metadata: { changeId: c.id },
    blocks: [{ type: 'section', text: mrkdwn(`*${esc(c.title)}*`) }, textInput(Block.reason, 'Why is it rejected?', { multiline: true, max: 1000 })],
  });
}

/** The DM a requester gets once the change is recorded, and again once the CAB decided. */
export function changeReceipt(policy: Policy, c: Change): string {
  const ref = changeRef(c);
  switch (c.status) {
    case 'pending_approval':
      return `:memo: ${ref} is recorded (risk *${c.risk}*). It needs CAB approval: the request is in ${policy.changes.cab_channel?.startsWith('#') ? esc(policy.changes.cab_channel) : `<#${policy.changes.cab_channel}>`}.\n${changeLine(c)}`;
    case 'approved':
    case 'rejected':
      return `${decisionLine(c)}\n${changeLine(c)}`;
    default:
      return `:memo: ${ref} is recorded (risk *${c.risk ?? 'n/a'}*; no approval needed).\n${changeLine(c)}`;
  }
}

/** `/change list`. */
export function changeList(changes: Change[], opts: { all: boolean; total: number }): { text: string; blocks: KnownBlock[] } {
  const heading = opts.all ? 'All changes' : 'Changes: last 7 days, upcoming and awaiting the CAB';
  if (!changes.length) {
    const text = opts.all ? 'No changes recorded yet. `/change new` records one.' : 'No recent or upcoming changes. `/change list all` shows older ones.';
    return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const { blocks } = listBlocks({
    head: [{ type: 'header', text: plain(`${heading} (${opts.total})`, 150) }],
    lines: changes.map(changeLine),
    footer: (shown) => (shown < opts.total ? `Showing the newest ${shown} of ${opts.total}.` : undefined),
  });
  return { text: `${heading}: ${opts.total}`, blocks };
}

/** `/change show <id>`: the record, its decision and the incidents it caused. */
export function changeDetail(policy: Policy, c: Change, caused: { number: number; title: string; kind: 'service' | 'security'; channelId: string | null }[]): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = changeFacts(c);
  const decision = decisionLine(c);
  blocks.push({ type: 'context', elements: [mrkdwn(decision ?? statusText(c.status))] });
  if (caused.length) {
    const lines = caused.map((i) => `• *${incidentRef(policy.number_prefix, i)}* ${i.kind === 'security' ? ':lock: _security incident_' : esc(truncate(i.title, 80))}${i.channelId ? ` · <#${i.channelId}>` : ''}`);
    blocks.push({ type: 'section', text: mrkdwn(`*Incidents caused by this change*\n${fitLines(lines, SECTION_CHUNK).text}`) });
  }
  return { text: `${changeRef(c)}: ${c.title}`, blocks };
}

const SHOWN_MAX = 10;

/** "What changed?" in an incident channel, each change with a button to mark it as the cause. */
export function recentChangesMessage(policy: Policy, incident: Incident, changes: Change[], reason: string): { text: string; blocks: KnownBlock[] } {
  const services = esc(incident.services.join(', '));
  const intro =
    reason === 'deployment'
      ? `:rocket: *New deployment* on ${services} while ${incidentRef(policy.number_prefix, incident)} is open:`
      : `:mag: *What changed?* Changes on ${services} in the last ${policy.changes.lookback_hours} h:`;
  const head: KnownBlock[] = [{ type: 'section', text: mrkdwn(intro) }];
  const rows: KnownBlock[][] = changes.slice(0, SHOWN_MAX).map((c) => [
    {
      type: 'section',
      block_id: `change_${c.id}`,
      text: mrkdwn(`*${changeRef(c)}* ${esc(c.title)}\n${windowText(c)} · ${who(c)} · ${c.risk ? `risk ${c.risk}` : 'deployment'} · ${statusText(c.status)}${c.url ? ` · <${c.url}|details>` : ''}`, SECTION_CHUNK),
      accessory: { type: 'button', action_id: `${Action.markCause}:${c.id}`, value: `${incident.id}:${c.id}`, text: plain('Mark as cause') },
    },
  ]);
  const footer = (shown: number) => {
    const more = changes.length > shown ? `${changes.length - shown} more: \`/change list\` · ` : '';
    return { type: 'context' as const, elements: [mrkdwn(`${more}\`/incident cause CHG-<n>\` links the change that caused this incident`)] };
  };
  const shown = fitting(rows, roomLeft('message', head, [footer(0)]));
  const blocks = [...head, ...rows.slice(0, shown).flat(), footer(shown)];
  return { text: `${reason === 'deployment' ? 'New deployment' : 'What changed?'}: ${changes.map(changeRef).join(', ')}`, blocks };
}
