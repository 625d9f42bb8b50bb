import type { WebClient } from '@slack/web-api';
import type { ClockAlert } from '../../clocks/deadlines.js';
import { incidentRef, isPrivate, type Incident } from '../../incidents/incident.js';
import { PermanentFailure } from '../../jobs/task-runner.js';
import type { Logger } from '../../logger.js';
import type { Audience, Policy } from '../../policy/schema.js';
import { storedKind, type TimelineEvent } from '../../timeline/timeline.js';
import { audienceText, updateFromEvent } from '../views/comms.js';
import { duration, esc, slackDate, user } from '../views/format.js';
import { inviteUsers, requireChannel } from './provision.js';

/** How an exercise's messages are marked. */
const EXERCISE = ':performing_arts: EXERCISE:';

export interface CoordinationDeps {
  client: WebClient;
  policy: Policy;
  logger: Logger;
  announceChannel?: string;
  load: (id: string) => Promise<Incident | undefined>;
  loadEvent: (id: string) => Promise<TimelineEvent | undefined>;
  botUserId: () => Promise<string>;
  recordPaged: (incidentId: string, eventId: string, group: string, users: string[]) => Promise<void>;
}

async function loadIncident(deps: CoordinationDeps, id: string | null): Promise<Incident> {
  const incident = id ? await deps.load(id) : undefined;
  if (!incident) throw new PermanentFailure(`incident ${id} not found`);
  return incident;
}

/** Invites a new role holder and DMs them what the role means and its checklist. */
export async function welcomeRoleHolder(deps: CoordinationDeps, incidentId: string | null, roleId: string, userId: string): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const channelId = requireChannel(incident);
  await inviteUsers(deps, channelId, [userId], await deps.botUserId());
  const role = deps.policy.roles.find((r) => r.id === roleId);
  if (!role) return;
  const ref = incidentRef(deps.policy.number_prefix, incident);
  const checklist = role.checklist.length ? `\n*First steps*\n${role.checklist.map((c) => `• ${c}`).join('\n')}` : '';
  await deps.client.chat.postMessage({
    channel: userId,
    text: `${incident.isDrill ? `${EXERCISE} ` : ''}You are now the *${role.label}* for ${ref} in <#${channelId}>.\n${role.description}${checklist}`,
  });
}

type Groups = { id: string; handle: string }[];

/** The priority a page is for and its note: escalations, owner-team and crisis-team pages carry both. */
function pageReason(event: TimelineEvent | undefined): { to: string; note: string } {
  if (event?.kind === 'escalated' || event?.kind === 'owners_paged' || event?.kind === 'dr_activated') return { to: event.payload.to, note: event.payload.note };
  return { to: '', note: '' };
}

/** Pages user groups: invites their members, mentions them in the channel, announces, records who. */
export async function pageGroups(deps: CoordinationDeps, incidentId: string | null, eventId: string, groups: string[]): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const channelId = requireChannel(incident);
  const event = await deps.loadEvent(eventId);
  const known: Groups = ((await deps.client.usergroups.list({})).usergroups ?? []).map((u) => ({ id: u.id!, handle: u.handle ?? '' }));
  const resolved: { id: string; handle: string; users: string[] }[] = [];
  const unknown: string[] = [];
  for (const g of groups) {
    const match = known.find((k) => k.id === g || k.handle === g);
    if (!match) {
      unknown.push(g);
      continue;
    }
    const res = await deps.client.usergroups.users.list({ usergroup: match.id });
    resolved.push({ ...match, users: res.users ?? [] });
  }
  const ref = incidentRef(deps.policy.number_prefix, incident);
  // An exercise never pages anyone: say who would have been paged, and stop there.
  if (incident.isDrill) {
    const would = resolved.map((r) => `@${r.handle || r.id} (${r.users.length} ${r.users.length === 1 ? 'person' : 'people'})`).join(', ');
    const text = `${EXERCISE} ${would || 'nobody'} would be paged now for ${ref}. Nobody is paged in a drill; invite the participants yourself.`;
    await deps.client.chat.postMessage({ channel: channelId, text: unknown.length ? `${text} (${unknown.join(', ')}: no such user group.)` : text });
    return;
  }
  const bot = await deps.botUserId();
  await inviteUsers(deps, channelId, resolved.flatMap((r) => r.users), bot);
  for (const r of resolved) await deps.recordPaged(incident.id, eventId, r.handle || r.id, r.users);
  const mentions = resolved.map((r) => `<!subteam^${r.id}>`).join(' ');
  const p = pageReason(event);
  if (mentions) {
    await deps.client.chat.postMessage({ channel: channelId, text: `:rotating_light: ${mentions} you are paged for ${ref} (${p.to}) by ${user(event?.actorId)}.${p.note ? ` ${esc(p.note)}` : ''}` });
  }
  if (unknown.length) await deps.client.chat.postMessage({ channel: channelId, text: `:warning: Could not page ${unknown.join(', ')}: no such user group.` });
  // Escalations are announced here; owner and crisis-team pages are announced by their own flows.
  if (deps.announceChannel && resolved.length && (!event || event.kind === 'escalated')) {
    const text = isPrivate(incident)
      ? `:arrow_double_up: A security incident (${ref}) was escalated by its commander.`
      : `:arrow_double_up: *${ref}: ${esc(incident.title)}* escalated to ${p.to} — paging ${resolved.map((r) => `@${r.handle || r.id}`).join(', ')} · <#${channelId}>`;
    await deps.client.chat.postMessage({ channel: deps.announceChannel, text });
  }
}

/** Adds (or updates) the channel's "Bridge call" bookmark. */
export async function bookmarkBridge(deps: CoordinationDeps, incidentId: string | null): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const channelId = requireChannel(incident);
  if (!incident.bridgeUrl) return;
  const existing = ((await deps.client.bookmarks.list({ channel_id: channelId })).bookmarks ?? []).find((b) => b.title === 'Bridge call');
  if (existing?.link === incident.bridgeUrl) return;
  if (existing) await deps.client.bookmarks.edit({ channel_id: channelId, bookmark_id: existing.id!, link: incident.bridgeUrl });
  else await deps.client.bookmarks.add({ channel_id: channelId, title: 'Bridge call', type: 'link', link: incident.bridgeUrl, emoji: ':telephone_receiver:' });
}

/** Sends an update to one audience destination; a security incident's update never goes to a public channel. */
export async function deliverUpdate(deps: CoordinationDeps, incidentId: string | null, eventId: string, audience: Audience, to: { channel?: string; user?: string }): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const event = await deps.loadEvent(eventId);
  if (!event) throw new PermanentFailure(`timeline event ${eventId} not found`);
  if (event.kind !== 'update' && event.kind !== 'resolved') throw new PermanentFailure(`timeline event ${eventId} is not an update (${storedKind(event)})`);
  const text = audienceText(deps.policy, audience, incident, updateFromEvent(event));
  // An exercise's audience updates stay in its channel, showing what would have been sent where.
  if (incident.isDrill) {
    const where = to.channel ? `<#${to.channel}>` : `<@${to.user}>`;
    await deps.client.chat.postMessage({ channel: requireChannel(incident), text: `${EXERCISE} the ${audience} update would now go to ${where}:\n${text}`, unfurl_links: false });
    return;
  }
  if (to.channel && isPrivate(incident)) {
    const info = await deps.client.conversations.info({ channel: to.channel }).catch(() => undefined);
    if (!info?.channel?.is_private) {
      if (incident.channelId) {
        await deps.client.chat.postMessage({ channel: incident.channelId, text: `:lock: The ${audience} update was not posted to <#${to.channel}>: it is not a private channel, and this is a security incident.` });
      }
      return;
    }
  }
  await deps.client.chat.postMessage({ channel: to.channel ?? to.user!, text, unfurl_links: false });
}

/** Tells the channel (and the person concerned, by DM) about a nag or an SLA warning. */
export async function announceClockAlert(deps: CoordinationDeps, incidentId: string | null, alert: ClockAlert): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const channelId = requireChannel(incident);
  const ref = incidentRef(deps.policy.number_prefix, incident);
  let text: string;
  let dm: string | null = null;
  switch (alert.kind) {
    case 'no_commander':
      text = `:warning: ${ref} has had no incident commander for ${duration(alert.minutes * 60_000)}. Use the *Claim Incident commander* button on the card, or \`/incident role commander @someone\`.`;
      break;
    case 'update_overdue':
      text = `:hourglass: ${alert.notify ? `${user(alert.notify)} ` : ''}an update for ${ref} was due ${slackDate(new Date(alert.dueAt), '{time}')}${alert.everyMinutes ? ` (every ${duration(alert.everyMinutes * 60_000)} at this priority)` : ''}. Post one with \`/incident update\`.`;
      break;
    case 'sla_warning':
    case 'sla_breach': {
      const what = `${ref} ${alert.clock} SLA (${alert.priority}, ${duration(alert.targetMinutes * 60_000)})`;
      text = alert.kind === 'sla_warning' ? `:warning: ${what}: 75 % used, due ${slackDate(new Date(alert.dueAt), '{time}')}.` : `:rotating_light: ${what} *breached* at ${slackDate(new Date(alert.dueAt), '{time}')}.`;
      dm = alert.notify;
      break;
    }
    case 'vendor_overdue':
      text = `:hourglass: ${esc(alert.vendor)}${alert.ticketRef ? ` (ticket ${esc(alert.ticketRef)})` : ''} has not responded within the contractual ${duration(alert.responseMinutes * 60_000)}. Chase them, then \`/incident vendor responded ${esc(alert.vendor)}\`.`;
      break;
  }
  if (incident.isDrill) text = `${EXERCISE} ${text}`;
  await deps.client.chat.postMessage({ channel: channelId, text });
  if (dm) await deps.client.chat.postMessage({ channel: dm, text: `${text} (<#${channelId}>)` });
}
