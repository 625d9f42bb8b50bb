import { incidentRef, isPrivate } from '../../incidents/incident.js';
import type { TimelineEvent } from '../../timeline/timeline.js';
import { esc, user } from '../views/format.js';
import { inviteUsers, requireChannel } from './provision.js';
import { EscalationTask } from '../../escalation/service.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import { EXERCISE, loadIncident, type IncidentEffectDeps } from './context.js';

/** What paging user groups needs besides the incident: where to record who was paged. */
export interface EscalationEffectDeps extends IncidentEffectDeps {
  recordPaged: (incidentId: string, eventId: string, group: string, users: string[]) => Promise<void>;
}

type Groups = { id: string; handle: string }[];

/** The priority a page is for and its note: escalations, owner-team and crisis-team pages carry both. */
function pageReason(event: TimelineEvent | undefined): { to: string; note: string } {
  if (event?.kind === 'escalated' || event?.kind === 'owners_paged' || event?.kind === 'dr_activated') return { to: event.payload.to, note: event.payload.note };
  return { to: '', note: '' };
}

/** Pages user groups: invites their members, mentions them in the channel, announces, records who. */
export async function pageGroups(deps: EscalationEffectDeps, incidentId: string | null, eventId: string, groups: string[]): Promise<void> {
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

/** The outbox handlers of escalations: paging user groups. */
export function escalationEffects(deps: EscalationEffectDeps) {
  return {
    [EscalationTask.page]: (task) => pageGroups(deps, task.incidentId, task.payload.eventId, task.payload.usergroups),
  } satisfies SomeTaskHandlers;
}
