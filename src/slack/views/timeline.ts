import type { KnownBlock } from '@slack/types';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import { storedKind, type TimelineEvent, type TimelineKind, type TimelinePayloads, type UnreadableTimelineEvent } from '../../timeline/timeline.js';
import { channelUpdateText, updateFromEvent } from './comms.js';
import type { FieldType } from '../../policy/fields-schema.js';
import { valueText, type FieldValue } from '../../incidents/fields.js';
import { BlockLimit, packLines } from './fit.js';
import { TIME_LABELS } from '../../timestamps/keys.js';
import { channel, duration, esc, escCut, mrkdwn, slackDate, statusEmoji, truncate, user } from './format.js';

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function reviewState(state: string): string {
  return state === 'in_review' ? 'in review' : state;
}

function pagedWho(p: { users: string[]; rotation: string | null }): string {
  const users = p.users.map((u) => user(u)).join(', ');
  return p.rotation ? `${users} (${esc(p.rotation)} on-call)` : users;
}

/** A custom field value in a timeline line. */
function storedValue(type: FieldType, value: FieldValue): string {
  if (type === 'user' && typeof value === 'string') return user(value);
  return esc(truncate(valueText(value), 300));
}

/** How one kind of row reads, in mrkdwn; `who` is its actor. */
type Line<K extends TimelineKind> = (p: TimelinePayloads[K], who: string) => string;

/** A line for every kind of row: a kind added without one fails the type check. */
const ITSM_NAMES = { servicenow: 'ServiceNow', jira: 'Jira' } as const;

const LINES: { [K in TimelineKind]: Line<K> } = {
  declared: (p, who) =>
    p.drill
      ? `${who} started an exercise (${p.severity}, ${p.kind}): ${esc(p.title)}`
      : `${who} declared the incident (${p.severity}, ${p.kind}${p.type ? `, ${esc(p.type)}` : ''}) with ${user(p.commander)} as commander: ${esc(p.title)}`,
  update: (p, who) => `${who} posted an update (${p.status}): ${esc(p.message)}`,
  status_changed: (p, who) => `${who} changed the status ${p.from} → ${p.to}`,
  type_changed: (p, who) => `${who} changed the type ${p.from ? esc(p.from) : 'none'} → ${p.to ? esc(p.to) : 'none'}`,
  field_changed: (p, who) => `${who} ${p.to === null ? 'cleared' : 'set'} ${esc(p.label)}${p.from === null ? '' : ` (was ${storedValue(p.field_type, p.from)})`}${p.to === null ? '' : `: ${storedValue(p.field_type, p.to)}`}`,
  severity_changed: (p, who) => `${who} changed the severity ${p.from} → ${p.to}`,
  note: (p, who) => `${who} noted: ${esc(p.text)}`,
  role_assigned: (p, who) => `${who} made ${user(p.user)} ${p.label}${p.previous ? ` (was ${user(p.previous)})` : ''}`,
  triaged: (p, who) => `${who} triaged: ${p.priority} (${p.impact} impact × ${p.urgency} urgency), ${p.category}${p.business_impact ? ` — ${esc(p.business_impact)}` : ''}`,
  priority_changed: (p, who) => `${who} changed the priority ${p.from ?? 'untriaged'} → ${p.to}`,
  classified: (p, who) => `${who} classified it as a security event, not an incident: ${esc(p.reason)}`,
  escalated: (p, who) => `${who} escalated${p.to !== p.from ? ` to ${p.to}` : ''}${p.usergroups.length ? `, paging ${p.usergroups.join(', ')}` : ''}${p.note ? `: ${esc(p.note)}` : ''}`,
  // Escalation pages a user group; paging pages people or an on-call rotation level.
  paged: (p) => ('usergroup' in p ? `Paged ${p.usergroup}: ${p.users.map((u) => user(u)).join(', ') || 'nobody (empty group)'}` : `Paged ${pagedWho(p)} (level ${p.level})`),
  bridge_set: (p, who) => `${who} set the bridge call: ${p.url}`,
  vendor_engaged: (p, who) => `${who} engaged ${esc(p.vendor)}${p.ticket_ref ? ` (ticket ${esc(p.ticket_ref)})` : ''}; contractual response ${p.response_minutes}m`,
  vendor_responded: (p, who) => `${who} recorded that ${esc(p.vendor)} responded after ${p.after_minutes}m${p.within_contract ? '' : ' (outside contract)'}`,
  vendor_overdue: (p) => `${esc(p.vendor)} has not responded within ${p.response_minutes}m`,
  message_captured: (p, who) => `${who} pinned ${p.author ? `${user(p.author)}'s` : 'a'} message${p.permalink ? ` (<${p.permalink}|link>)` : ''}: ${esc(truncate(p.text, 500))}`,
  message_withdrawn: (_p, who) => `${who} withdrew a pinned message`,
  sla_breached: (p) => `The ${p.clock} SLA for ${p.priority} (${p.target_minutes}m) was breached`,
  owners_paged: (p) => `Paging the owner team${p.usergroups.length > 1 ? 's' : ''} ${p.usergroups.join(', ')} of ${p.services.join(', ')} (${p.to})`,
  checklist_posted: (p) => `${p.source === 'dr' ? 'DR plan' : 'Playbook'} checklist posted: ${esc(p.checklist)} (${p.items} items)`,
  checklist_ticked: (p, who) => `${who} ticked ${esc(p.checklist)} ${p.item}/${p.of}: ${esc(p.text)}`,
  checklist_unticked: (p, who) => `${who} unticked ${esc(p.checklist)} ${p.item}/${p.of}: ${esc(p.text)}`,
  drill_inject: (p) => `Exercise inject (T+${p.at_minutes}m): ${esc(p.text)}`,
  drill_scored: (p) => `Exercise scored: ${p.met} of ${p.timed} milestones on time`,
  dr_activated: (p, who) => `${who} activated DR plan ${esc(p.title)}${p.reason ? `: ${esc(p.reason)}` : ''}`,
  dr_deactivated: (p, who) => `${who} deactivated DR plan ${esc(p.title)}${p.active_minutes !== null ? ` after ${p.active_minutes}m` : ''}${p.reason ? `: ${esc(p.reason)}` : ''}`,
  changes_shown: (p) => `${p.reason === 'deployment' ? 'New deployment' : 'Recent changes'} on the affected services: ${p.refs.join(', ')}`,
  cause_linked: (p, who) => `${who} recorded ${p.ref} as the cause: ${esc(p.title)}`,
  cause_cleared: (p, who) => `${who} removed ${p.ref} as the cause`,
  public_post_proposed: (p, who) => `${who} proposed a status page post (${p.status}): ${esc(p.title)}, waiting for a ${p.approvers.join(' or ') || 'second person'} to approve it`,
  public_post_published: (p, who) =>
    `Published on the status page (${p.status}${p.components.length ? `; ${p.components.map((c) => `${esc(c.name)} ${c.state.replace(/_/g, ' ')}`).join(', ')}` : ''})${p.approved_by ? `, approved by ${user(p.approved_by)}` : ` by ${who}`}: ${esc(p.title)} — ${esc(truncate(p.body, 500))}`,
  itsm_received: (p) => {
    const system = ITSM_NAMES[p.system];
    return p.change === 'journal'
      ? `${esc(p.author)} added a ${p.element === 'work_notes' ? 'work note' : 'comment'} in ${system} ${esc(p.number)}: ${esc(p.text)}`
      : p.change === 'state' || p.change === 'field'
        ? `${esc(p.author)} ${esc(p.text)} in ${system} ${esc(p.number)}`
        : `${system} ${esc(p.number)}: ${esc(p.author)} ${esc(p.text)}`;
  },
  itsm_kept_open: (p, who) => `${who} kept the incident open after ${ITSM_NAMES[p.system]} ${esc(p.number)} was moved to ${esc(p.state)}`,
  itsm_synced: (p) => `${p.created ? 'Created' : 'Updated'} ${ITSM_NAMES[p.system]} ${esc(p.number)} (${Object.keys(p.sent).join(', ') || 'nothing changed'})`,
  resolved: (p, who) => `${who} resolved the incident: ${esc(p.summary)}`,
  reopened: (p, who) => `${who} reopened the incident: ${esc(p.reason)}`,
  closed: (_p, who) => `${who} closed the incident`,
  timestamp_corrected: (p, who) =>
    `${capitalised(TIME_LABELS[p.key])} corrected ${p.from ? `from ${slackDate(new Date(p.from), '{date_short} {time}')} ` : ''}to ${slackDate(new Date(p.to), '{date_short} {time}')} by ${who}: ${esc(p.reason)}`,
  channel_created: (p) => `Channel ${channel(p.channel_id)} created`,
  channel_failed: (p) => `Creating the channel failed (${esc(p.error)}); retrying`,
  signal_linked: (p, who) => `${p.how === 'auto' ? 'A routing rule linked' : `${who} linked`} the ${esc(p.source)} signal "${esc(p.title)}" (${p.severity}, ${p.firing} of ${p.alerts} firing)`,
  signals_resolved: (p) => `All linked signals resolved (last: "${esc(p.title)}")`,
  page_escalated: (p) => `Page escalated to level ${p.level}: ${pagedWho(p)}`,
  page_acknowledged: (p, who) => `${who} acknowledged the page after ${duration(p.after_seconds * 1000)}`,
  page_declined: (p, who) => `${who} declined the page (level ${p.level})`,
  page_unanswered: (p) => `Nobody acknowledged the page after ${p.levels} level(s)`,
  review_required: (p) => `A post-incident review is required${p.priority ? ` (${p.priority})` : ''}, due ${slackDate(new Date(p.due_at), '{date_short_pretty}')}, owned by ${user(p.owner)}`,
  review_saved: (p, who) => `${who} ${p.created ? 'started' : 'updated'} the post-incident review`,
  review_state_changed: (p, who) => `${who} moved the post-incident review from ${reviewState(p.from)} to ${reviewState(p.to)}`,
  review_document: (p) => `Post-incident review document version ${p.version} posted`,
  action_added: (p, who) => `${who} added follow-up action A-${p.action_id} for ${user(p.owner)}, due ${p.due}: ${esc(p.title)}`,
  action_done: (p, who) => `${who} completed follow-up action A-${p.action_id}: ${esc(p.title)}`,
  action_reopened: (p, who) => `${who} reopened follow-up action A-${p.action_id}: ${esc(p.title)}`,
  action_snoozed: (p, who) => `${who} snoozed follow-up action A-${p.action_id} until ${p.until}: ${esc(p.title)}`,
  action_reassigned: (p, who) => `${who} reassigned follow-up action A-${p.action_id} from ${user(p.from)} to ${user(p.to)}: ${esc(p.title)}`,
  action_escalated: (p) => `Follow-up action A-${p.action_id} (owner ${user(p.owner)}) is ${p.days_overdue} days overdue: escalated to ${user(p.recipient)}`,
  problem_linked: (p, who) => `${who} ${p.created ? 'opened problem record' : 'linked the incident to problem record'} PRB-${p.problem_id}`,
};

function line<K extends TimelineKind>(kind: K, payload: TimelinePayloads[K], actorId: string | null): string {
  const describe: Line<K> = LINES[kind];
  return describe(payload, user(actorId));
}

/** A row this version cannot read: its kind and the plain values it holds. */
function unreadableLine(e: UnreadableTimelineEvent): string {
  const values = Object.entries(e.payload)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${esc(truncate(String(v), 200))}`);
  return `${e.actorId ? `${user(e.actorId)}: ` : ''}${e.storedKind.replace(/_/g, ' ')}${values.length ? ` (${values.join('; ')})` : ''}`;
}

/** One line describing a timeline row, in mrkdwn. */
export function describeEvent(e: TimelineEvent): string {
  return e.kind === 'unreadable' ? unreadableLine(e) : line(e.kind, e.payload, e.actorId);
}

function simple(text: string): { text: string; blocks: KnownBlock[] } {
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

function spansDays(events: TimelineEvent[]): boolean {
  if (events.length < 2) return false;
  return events[0].at.toISOString().slice(0, 10) !== events[events.length - 1].at.toISOString().slice(0, 10);
}

/** Timeline lines with times (and dates when it spans days), oldest first. */
export function timelineLines(events: TimelineEvent[]): string[] {
  const format = spansDays(events) ? '{date_short} {time}' : '{time}';
  return events.map((e) => `${slackDate(e.at, format)}  ${truncate(describeEvent(e), 2800)}`);
}

/** Room for the timeline's lines once its header and footer are in the message. */
export const TIMELINE_MAX_CHARS = BlockLimit.messageText - 500;

/** The lines in sections of at most ~2,900 characters; returns undefined when they would not fit one message. */
export function timelineBlocks(policy: Policy, incident: Incident, events: TimelineEvent[]): KnownBlock[] | undefined {
  const sections = packLines(timelineLines(events));
  if (sections.reduce((n, sec) => n + sec.length, 0) > TIMELINE_MAX_CHARS) return undefined;
  return [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${incidentRef(policy.number_prefix, incident)} timeline`, 150) } },
    ...sections.map((s) => ({ type: 'section' as const, text: mrkdwn(s) })),
    { type: 'context', elements: [mrkdwn(`${events.length} entries`)] },
  ];
}

/** The timeline as a Markdown document (for long timelines, attached as a file). */
export function timelineMarkdown(policy: Policy, incident: Incident, events: TimelineEvent[], head?: { seq: number; hash: string }): string {
  const ref = incidentRef(policy.number_prefix, incident);
  const rows = events.map((e) => `| ${e.at.toISOString().replace('T', ' ').slice(0, 19)} UTC | ${storedKind(e)} | ${describeEvent(e).replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  const chain = head ? [`Timeline chain head: entry #${head.seq}, sha256 \`${head.hash}\` (\`/incident timeline verify\` checks it).`, ''] : [];
  return [`# ${ref}: ${incident.title}`, '', ...chain, '| Time | Kind | Entry |', '| --- | --- | --- |', ...rows, ''].join('\n');
}

/** The message posted in the channel (and, shortened, in the announcement thread) for a timeline event. */
export function broadcastMessage(policy: Policy, incident: Incident, e: TimelineEvent): { channel?: { text: string; blocks: KnownBlock[] }; thread?: string } {
  const ref = incidentRef(policy.number_prefix, incident);
  const secret = isPrivate(incident);
  switch (e.kind) {
    case 'update': {
      const p = e.payload;
      const body = channelUpdateText(policy, incident, updateFromEvent(e));
      return {
        channel: { text: `${ref} update (${p.status}): ${p.message}`, blocks: [{ type: 'section', text: mrkdwn(body) }, { type: 'context', elements: [mrkdwn(`Posted by ${user(e.actorId)}`)] }] },
        thread: secret ? undefined : `${statusEmoji(p.status)} ${ref} · ${p.status}: ${escCut(p.message, 280)}`,
      };
    }
    case 'resolved': {
      const p = e.payload;
      const body = channelUpdateText(policy, incident, updateFromEvent(e));
      return {
        channel: { text: `${ref} resolved: ${p.summary}`, blocks: [{ type: 'section', text: mrkdwn(body) }, { type: 'context', elements: [mrkdwn(`Resolved by ${user(e.actorId)} · \`/incident close\` when the follow-up is done`)] }] },
        thread: secret ? `:white_check_mark: ${ref} is resolved.` : `:white_check_mark: ${ref} resolved: ${escCut(p.summary, 280)}`,
      };
    }
    case 'reopened': {
      const p = e.payload;
      return {
        channel: { text: `${ref} reopened: ${p.reason}`, blocks: [{ type: 'section', text: mrkdwn(`:warning: *${ref} reopened* by ${user(e.actorId)}\n${esc(p.reason)}`) }] },
        thread: secret ? `:warning: ${ref} was reopened.` : `:warning: ${ref} reopened: ${escCut(p.reason, 280)}`,
      };
    }
    case 'triaged':
      return { channel: simple(`:clipboard: ${describeEvent(e)}`), thread: secret ? undefined : `${ref} triaged as ${e.payload.priority}` };
    case 'classified':
      return { channel: simple(`:shield: ${describeEvent(e)}`), thread: secret ? `${ref} is closed.` : `${ref} was a security event, not an incident; closed.` };
    case 'role_assigned':
      return { channel: simple(`:bust_in_silhouette: ${describeEvent(e)}`) };
    case 'escalated':
      return { channel: simple(`:arrow_double_up: ${describeEvent(e)}`), thread: secret ? `:arrow_double_up: ${ref} was escalated.` : `:arrow_double_up: ${describeEvent(e)}` };
    case 'bridge_set':
      return { channel: simple(`:telephone_receiver: Bridge call: ${e.payload.url} (set by ${user(e.actorId)})`), thread: secret ? undefined : `:telephone_receiver: ${ref} bridge: ${e.payload.url}` };
    case 'vendor_engaged':
    case 'vendor_responded':
      return { channel: simple(`:handshake: ${describeEvent(e)}`) };
    case 'signal_linked':
    case 'signals_resolved':
    case 'paged':
    case 'page_escalated':
    case 'page_acknowledged':
    case 'page_declined':
    case 'page_unanswered': {
      const icon = { signal_linked: ':link:', signals_resolved: ':white_check_mark:', paged: ':rotating_light:', page_escalated: ':arrow_up:', page_acknowledged: ':raised_hand:', page_declined: ':x:', page_unanswered: ':warning:' }[e.kind];
      const line = `${icon} ${describeEvent(e)}`;
      const link = e.kind === 'signal_linked' && e.payload.link ? `\n<${e.payload.link}|Open in ${esc(e.payload.source)}>` : '';
      return { channel: { text: line, blocks: [{ type: 'section', text: mrkdwn(truncate(line + link, 3000)) }] } };
    }
    case 'dr_activated':
      return { channel: simple(`:sos: ${describeEvent(e)}. The checklist follows; ${e.payload.crisis_team} is being paged.`) };
    case 'dr_deactivated':
      return { channel: simple(`:white_check_mark: ${describeEvent(e)}`) };
    case 'itsm_received':
      return { channel: simple(`:ticket: ${describeEvent(e)}`) };
    case 'timestamp_corrected':
      return { channel: simple(`:clock3: ${describeEvent(e)}`) };
    case 'cause_linked':
    case 'cause_cleared':
      return { channel: simple(`:link: ${describeEvent(e)}`), thread: secret ? undefined : `:link: ${ref}: ${describeEvent(e)}` };
    case 'closed':
      return {
        channel: { text: `${ref} closed`, blocks: [{ type: 'section', text: mrkdwn(`:lock_with_ink_pen: *${ref} closed* by ${user(e.actorId)}.`) }] },
        thread: `:lock_with_ink_pen: ${ref} is closed.`,
      };
    default:
      return {};
  }
}
