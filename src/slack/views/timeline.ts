import type { KnownBlock } from '@slack/types';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import type { Policy } from '../../policy/schema.js';
import type { TimelineEvent } from '../../timeline/timeline.js';
import { channelUpdateText, updateFromEvent } from './comms.js';
import { BlockLimit, packLines } from './fit.js';
import { channel, duration, esc, escCut, mrkdwn, slackDate, statusEmoji, truncate, user } from './format.js';

function reviewState(state: unknown): string {
  return state === 'in_review' ? 'in review' : String(state);
}

/** One line describing a timeline row, in mrkdwn. */
export function describeEvent(e: TimelineEvent): string {
  const p = e.payload as Record<string, any>;
  const who = user(e.actorId);
  switch (e.kind) {
    case 'declared':
      if (p.drill) return `${who} started an exercise (${p.severity}, ${p.kind}): ${esc(String(p.title ?? ''))}`;
      return `${who} declared the incident (${p.severity}, ${p.kind}) with ${user(p.commander)} as commander: ${esc(String(p.title ?? ''))}`;
    case 'update':
      return `${who} posted an update (${p.status}): ${esc(String(p.message ?? ''))}`;
    case 'status_changed':
      return `${who} changed the status ${p.from} → ${p.to}`;
    case 'severity_changed':
      return `${who} changed the severity ${p.from} → ${p.to}`;
    case 'note':
      return `${who} noted: ${esc(String(p.text ?? ''))}`;
    case 'role_assigned':
      return `${who} made ${user(p.user)} ${p.label ?? p.role}${p.previous ? ` (was ${user(p.previous)})` : ''}`;
    case 'triaged':
      return `${who} triaged: ${p.priority} (${p.impact} impact × ${p.urgency} urgency), ${p.category}${p.business_impact ? ` — ${esc(String(p.business_impact))}` : ''}`;
    case 'priority_changed':
      return `${who} changed the priority ${p.from ?? 'untriaged'} → ${p.to}`;
    case 'classified':
      return `${who} classified it as a security event, not an incident: ${esc(String(p.reason ?? ''))}`;
    case 'escalated':
      return `${who} escalated${p.to !== p.from ? ` to ${p.to}` : ''}${(p.usergroups as string[] | undefined)?.length ? `, paging ${(p.usergroups as string[]).join(', ')}` : ''}${p.note ? `: ${esc(String(p.note))}` : ''}`;
    case 'paged':
      // Escalation pages a user group; paging pages people or an on-call rotation level.
      if (p.usergroup) return `Paged ${p.usergroup}: ${((p.users as string[] | undefined) ?? []).map((u) => user(u)).join(', ') || 'nobody (empty group)'}`;
      return `Paged ${pagedWho(p)} (level ${p.level})`;
    case 'bridge_set':
      return `${who} set the bridge call: ${p.url}`;
    case 'vendor_engaged':
      return `${who} engaged ${esc(String(p.vendor))}${p.ticket_ref ? ` (ticket ${esc(String(p.ticket_ref))})` : ''}; contractual response ${p.response_minutes}m`;
    case 'vendor_responded':
      return `${who} recorded that ${esc(String(p.vendor))} responded after ${p.after_minutes}m${p.within_contract ? '' : ' (outside contract)'}`;
    case 'vendor_overdue':
      return `${esc(String(p.vendor))} has not responded within ${p.response_minutes}m`;
    case 'message_captured':
      return `${who} pinned ${p.author ? `${user(String(p.author))}'s` : 'a'} message${p.permalink ? ` (<${p.permalink}|link>)` : ''}: ${esc(truncate(String(p.text ?? ''), 500))}`;
    case 'message_withdrawn':
      return `${who} withdrew a pinned message`;
    case 'sla_breached':
      return `The ${p.clock} SLA for ${p.priority} (${p.target_minutes}m) was breached`;
    case 'owners_paged':
      return `Paging the owner team${(p.usergroups as string[]).length > 1 ? 's' : ''} ${(p.usergroups as string[]).join(', ')} of ${(p.services as string[]).join(', ')} (${p.to})`;
    case 'checklist_posted':
      return `${p.source === 'dr' ? 'DR plan' : 'Playbook'} checklist posted: ${esc(String(p.checklist))} (${p.items} items)`;
    case 'checklist_ticked':
      return `${who} ticked ${esc(String(p.checklist))} ${p.item}/${p.of}: ${esc(String(p.text))}`;
    case 'checklist_unticked':
      return `${who} unticked ${esc(String(p.checklist))} ${p.item}/${p.of}: ${esc(String(p.text))}`;
    case 'drill_inject':
      return `Exercise inject (T+${p.at_minutes}m): ${esc(String(p.text))}`;
    case 'drill_scored':
      return `Exercise scored: ${p.met} of ${p.timed} milestones on time`;
    case 'dr_activated':
      return `${who} activated DR plan ${esc(String(p.title))}${p.reason ? `: ${esc(String(p.reason))}` : ''}`;
    case 'dr_deactivated':
      return `${who} deactivated DR plan ${esc(String(p.title))}${p.active_minutes !== null && p.active_minutes !== undefined ? ` after ${p.active_minutes}m` : ''}${p.reason ? `: ${esc(String(p.reason))}` : ''}`;
    case 'changes_shown':
      return `${p.reason === 'deployment' ? 'New deployment' : 'Recent changes'} on the affected services: ${((p.refs as string[] | undefined) ?? []).join(', ')}`;
    case 'cause_linked':
      return `${who} recorded ${p.ref} as the cause: ${esc(String(p.title ?? ''))}`;
    case 'cause_cleared':
      return `${who} removed ${p.ref} as the cause`;
    case 'resolved':
      return `${who} resolved the incident: ${esc(String(p.summary ?? ''))}`;
    case 'reopened':
      return `${who} reopened the incident: ${esc(String(p.reason ?? ''))}`;
    case 'closed':
      return `${who} closed the incident`;
    case 'channel_created':
      return `Channel ${channel(String(p.channel_id))} created`;
    case 'channel_failed':
      return `Creating the channel failed (${esc(String(p.error ?? 'unknown error'))}); retrying`;
    case 'signal_linked':
      return `${p.how === 'auto' ? 'A routing rule linked' : `${who} linked`} the ${esc(String(p.source))} signal "${esc(String(p.title ?? ''))}" (${p.severity}, ${p.firing} of ${p.alerts} firing)`;
    case 'signals_resolved':
      return `All linked signals resolved (last: "${esc(String(p.title ?? ''))}")`;
    case 'page_escalated':
      return `Page escalated to level ${p.level}: ${pagedWho(p)}`;
    case 'page_acknowledged':
      return `${who} acknowledged the page${typeof p.after_seconds === 'number' ? ` after ${duration(p.after_seconds * 1000)}` : ''}`;
    case 'page_declined':
      return `${who} declined the page (level ${p.level})`;
    case 'page_unanswered':
      return `Nobody acknowledged the page after ${p.levels} level(s)`;
    case 'review_required':
      return `A post-incident review is required (${p.priority}), due ${slackDate(new Date(String(p.due_at)), '{date_short_pretty}')}, owned by ${user(p.owner)}`;
    case 'review_saved':
      return `${who} ${p.created ? 'started' : 'updated'} the post-incident review`;
    case 'review_state_changed':
      return `${who} moved the post-incident review from ${reviewState(p.from)} to ${reviewState(p.to)}`;
    case 'review_document':
      return `Post-incident review document version ${p.version} posted`;
    case 'action_added':
      return `${who} added follow-up action A-${p.action_id} for ${user(p.owner)}, due ${p.due}: ${esc(String(p.title ?? ''))}`;
    case 'action_done':
      return `${who} completed follow-up action A-${p.action_id}: ${esc(String(p.title ?? ''))}`;
    case 'action_reopened':
      return `${who} reopened follow-up action A-${p.action_id}: ${esc(String(p.title ?? ''))}`;
    case 'action_snoozed':
      return `${who} snoozed follow-up action A-${p.action_id} until ${p.until}: ${esc(String(p.title ?? ''))}`;
    case 'action_reassigned':
      return `${who} reassigned follow-up action A-${p.action_id} from ${user(p.from)} to ${user(p.to)}: ${esc(String(p.title ?? ''))}`;
    case 'action_escalated':
      return `Follow-up action A-${p.action_id} (owner ${user(p.owner)}) is ${p.days_overdue} days overdue: escalated to ${user(p.recipient)}`;
    case 'problem_linked':
      return `${who} ${p.created ? 'opened problem record' : 'linked the incident to problem record'} PRB-${p.problem_id}`;
    default:
      return `${who} ${e.kind}`;
  }
}

function simple(text: string): { text: string; blocks: KnownBlock[] } {
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

function pagedWho(p: Record<string, any>): string {
  const users = Array.isArray(p.users) ? p.users.map((u: string) => user(u)).join(', ') : '';
  return p.rotation ? `${users} (${esc(String(p.rotation))} on-call)` : users;
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
  const rows = events.map((e) => `| ${e.at.toISOString().replace('T', ' ').slice(0, 19)} UTC | ${e.kind} | ${describeEvent(e).replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  const chain = head ? [`Timeline chain head: entry #${head.seq}, sha256 \`${head.hash}\` (\`/incident timeline verify\` checks it).`, ''] : [];
  return [`# ${ref}: ${incident.title}`, '', ...chain, '| Time | Kind | Entry |', '| --- | --- | --- |', ...rows, ''].join('\n');
}

/** The message posted in the channel (and, shortened, in the announcement thread) for a timeline event. */
export function broadcastMessage(policy: Policy, incident: Incident, e: TimelineEvent): { channel?: { text: string; blocks: KnownBlock[] }; thread?: string } {
  const ref = incidentRef(policy.number_prefix, incident);
  const p = e.payload as Record<string, any>;
  const secret = isPrivate(incident);
  switch (e.kind) {
    case 'update': {
      const body = channelUpdateText(policy, incident, updateFromEvent(e));
      return {
        channel: { text: `${ref} update (${p.status}): ${p.message}`, blocks: [{ type: 'section', text: mrkdwn(body) }, { type: 'context', elements: [mrkdwn(`Posted by ${user(e.actorId)}`)] }] },
        thread: secret ? undefined : `${statusEmoji(p.status)} ${ref} · ${p.status}: ${escCut(String(p.message), 280)}`,
      };
    }
    case 'resolved': {
      const body = channelUpdateText(policy, incident, updateFromEvent(e));
      return {
        channel: { text: `${ref} resolved: ${p.summary}`, blocks: [{ type: 'section', text: mrkdwn(body) }, { type: 'context', elements: [mrkdwn(`Resolved by ${user(e.actorId)} · \`/incident close\` when the follow-up is done`)] }] },
        thread: secret ? `:white_check_mark: ${ref} is resolved.` : `:white_check_mark: ${ref} resolved: ${escCut(String(p.summary), 280)}`,
      };
    }
    case 'reopened': {
      return {
        channel: { text: `${ref} reopened: ${p.reason}`, blocks: [{ type: 'section', text: mrkdwn(`:warning: *${ref} reopened* by ${user(e.actorId)}\n${esc(String(p.reason))}`) }] },
        thread: secret ? `:warning: ${ref} was reopened.` : `:warning: ${ref} reopened: ${escCut(String(p.reason), 280)}`,
      };
    }
    case 'triaged':
      return { channel: simple(`:clipboard: ${describeEvent(e)}`), thread: secret ? undefined : `${ref} triaged as ${p.priority}` };
    case 'classified':
      return { channel: simple(`:shield: ${describeEvent(e)}`), thread: secret ? `${ref} is closed.` : `${ref} was a security event, not an incident; closed.` };
    case 'role_assigned':
      return { channel: simple(`:bust_in_silhouette: ${describeEvent(e)}`) };
    case 'escalated':
      return { channel: simple(`:arrow_double_up: ${describeEvent(e)}`), thread: secret ? `:arrow_double_up: ${ref} was escalated.` : `:arrow_double_up: ${describeEvent(e)}` };
    case 'bridge_set':
      return { channel: simple(`:telephone_receiver: Bridge call: ${p.url} (set by ${user(e.actorId)})`), thread: secret ? undefined : `:telephone_receiver: ${ref} bridge: ${p.url}` };
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
      const link = e.kind === 'signal_linked' && p.link ? `\n<${p.link}|Open in ${esc(String(p.source))}>` : '';
      return { channel: { text: line, blocks: [{ type: 'section', text: mrkdwn(truncate(line + link, 3000)) }] } };
    }
    case 'dr_activated':
      return { channel: simple(`:sos: ${describeEvent(e)}. The checklist follows; ${p.crisis_team} is being paged.`) };
    case 'dr_deactivated':
      return { channel: simple(`:white_check_mark: ${describeEvent(e)}`) };
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
