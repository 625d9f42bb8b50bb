import type { WebClient } from '@slack/web-api';
import { changeRef, type Change } from '../../changes/change.js';
import { ChangeTask, type ChangeService } from '../../changes/service.js';
import type { Incident } from '../../incidents/incident.js';
import { PermanentFailure, RetryLater, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { Policy } from '../../policy/schema.js';
import { cabMessage, changeReceipt, recentChangesMessage } from '../views/changes.js';
import { requireChannel } from './provision.js';
import { loadIncident } from './context.js';

export interface ChangeEffectDeps {
  client: WebClient;
  policy: Policy;
  load: (id: string) => Promise<Incident | undefined>;
  changes: ChangeService;
}

async function changeOf(deps: ChangeEffectDeps, id: string): Promise<Change> {
  const change = await deps.changes.find(id);
  if (!change) throw new PermanentFailure(`change ${id} not found`);
  return change;
}

async function postRecentChanges(deps: ChangeEffectDeps, incidentId: string | null, ids: string[], reason: string): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
  const channelId = requireChannel(incident);
  const changes = await deps.changes.findMany(ids);
  if (!changes.length) return;
  const msg = recentChangesMessage(deps.policy, incident, changes, reason);
  await deps.client.chat.postMessage({ channel: channelId, text: msg.text, blocks: msg.blocks, unfurl_links: false });
}

/** Posts the CAB request (or, on a retry after it was posted, refreshes it). */
async function requestCab(deps: ChangeEffectDeps, changeId: string): Promise<void> {
  const change = await changeOf(deps, changeId);
  const msg = cabMessage(change);
  if (change.cabChannelId && change.cabTs) {
    await deps.client.chat.update({ channel: change.cabChannelId, ts: change.cabTs, text: msg.text, blocks: msg.blocks });
    return;
  }
  const channel = deps.policy.changes.cab_channel;
  if (!channel) throw new PermanentFailure(`no CAB channel configured for ${changeRef(change)}`);
  const res = await deps.client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks, unfurl_links: false });
  await deps.changes.cabPosted(change.id, res.channel!, res.ts!);
}

/** People (not CI/CD) told about their change. */
function peopleOf(change: Change): string[] {
  return [...new Set([change.requestedBy, change.implementerId ?? ''])].filter((u) => /^[UW][A-Z0-9]+$/.test(u));
}

/** The CAB decision: the request shows it (buttons gone), and requester and implementer are told. */
async function announceDecision(deps: ChangeEffectDeps, changeId: string): Promise<void> {
  const change = await changeOf(deps, changeId);
  if (!change.cabChannelId || !change.cabTs) throw new RetryLater('CAB request not posted yet', 2_000);
  const msg = cabMessage(change);
  await deps.client.chat.update({ channel: change.cabChannelId, ts: change.cabTs, text: msg.text, blocks: msg.blocks });
  for (const user of peopleOf(change)) await deps.client.chat.postMessage({ channel: user, text: changeReceipt(deps.policy, change), unfurl_links: false });
}

async function sendReceipt(deps: ChangeEffectDeps, changeId: string): Promise<void> {
  const change = await changeOf(deps, changeId);
  if (!/^[UW][A-Z0-9]+$/.test(change.requestedBy)) return;
  await deps.client.chat.postMessage({ channel: change.requestedBy, text: changeReceipt(deps.policy, change), unfurl_links: false });
}

/** The outbox handlers of change records: recent changes in the channel, CAB requests and decisions, receipts. */
export function changeEffects(deps: ChangeEffectDeps) {
  return {
    [ChangeTask.recent]: (task) => postRecentChanges(deps, task.incidentId, task.payload.changeIds, task.payload.reason),
    [ChangeTask.cab]: (task) => requestCab(deps, task.payload.changeId),
    [ChangeTask.decided]: (task) => announceDecision(deps, task.payload.changeId),
    [ChangeTask.recorded]: (task) => sendReceipt(deps, task.payload.changeId),
  } satisfies SomeTaskHandlers;
}
