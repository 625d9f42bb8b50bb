import { incidentRef } from '../../incidents/incident.js';
import { inviteUsers, requireChannel } from './provision.js';
import { RoleTask } from '../../roles/service.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import { EXERCISE, loadIncident, type IncidentEffectDeps } from './context.js';

/** Invites a new role holder and DMs them what the role means and its checklist. */
export async function welcomeRoleHolder(deps: IncidentEffectDeps, incidentId: string | null, roleId: string, userId: string): Promise<void> {
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

/** The outbox handlers of roles. */
export function roleEffects(deps: IncidentEffectDeps) {
  return {
    [RoleTask.welcome]: (task) => welcomeRoleHolder(deps, task.incidentId, task.payload.role, task.payload.userId),
  } satisfies SomeTaskHandlers;
}
