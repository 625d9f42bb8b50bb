import type { WebClient } from '@slack/web-api';
import { changeRef, type Change } from '../../changes/change.js';
import { ChangeTask, type ChangeService } from '../../changes/service.js';
import { DrillTask } from '../../drills/service.js';
import { DrTask } from '../../dr/service.js';
import type { Incident } from '../../incidents/incident.js';
import { PermanentFailure, RetryLater, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import { ChecklistTask, type ChecklistService } from '../../playbooks/service.js';
import type { Policy } from '../../policy/schema.js';
import type { RoleHolder } from '../../roles/repository.js';
import { storedKind, type TimelineEvent } from '../../timeline/timeline.js';
import { cabMessage, changeReceipt, recentChangesMessage } from '../views/changes.js';
import { checklistMessages } from '../views/checklist.js';
import { drAnnouncement } from '../views/dr.js';
import { injectMessage, scorecardMessage } from '../views/drills.js';
import { requireChannel } from './provision.js';

export interface PreparednessEffectsDeps {
  client: WebClient;
  policy: Policy;
  announceChannel?: string;
  load: (id: string) => Promise<Incident | undefined>;
  loadEvent: (id: string) => Promise<TimelineEvent | undefined>;
  roles: (incidentId: string) => Promise<RoleHolder[]>;
  checklists: ChecklistService;
  changes: ChangeService;
}

async function incidentOf(deps: PreparednessEffectsDeps, id: string | null): Promise<Incident> {
  const incident = id ? await deps.load(id) : undefined;
  if (!incident) throw new PermanentFailure(`incident ${id} not found`);
  return incident;
}

async function changeOf(deps: PreparednessEffectsDeps, id: string): Promise<Change> {
  const change = await deps.changes.find(id);
  if (!change) throw new PermanentFailure(`change ${id} not found`);
  return change;
}

/**
 * Brings a checklist's messages in line with its stored ticks (so concurrent ticks always end in the
 * right state): updates those posted, then posts the rest in order, recording each (a long checklist
 * takes several messages). A retry after a post goes on from the first message not posted yet.
 */
async function syncChecklist(deps: PreparednessEffectsDeps, incidentId: string | null, runId: string, opts: { post: boolean }): Promise<void> {
  const incident = await incidentOf(deps, incidentId);
  const view = await deps.checklists.view(runId);
  if (!view) throw new PermanentFailure(`checklist ${runId} not found`);
  const { run } = view;
  if (!opts.post && !run.partsTs.length) throw new RetryLater('checklist not posted yet', 2_000);
  const messages = checklistMessages(deps.policy, run, view.ticks, await deps.roles(incident.id), { exercise: incident.isDrill });
  const channelId = run.channelId ?? requireChannel(incident);
  for (const [part, ts] of run.partsTs.entries()) {
    const msg = messages[part];
    if (msg) await deps.client.chat.update({ channel: channelId, ts, text: msg.text, blocks: msg.blocks });
  }
  for (let part = run.partsTs.length; part < messages.length; part++) {
    const res = await deps.client.chat.postMessage({ channel: channelId, text: messages[part].text, blocks: messages[part].blocks });
    await deps.checklists.posted(run, res.channel ?? channelId, part, res.ts!);
  }
}

/** Announces a DR activation or deactivation in the announcement's thread, shown in the channel too. */
async function announceDr(deps: PreparednessEffectsDeps, incidentId: string | null, eventId: string): Promise<void> {
  const incident = await incidentOf(deps, incidentId);
  const event = await deps.loadEvent(eventId);
  if (!event) throw new PermanentFailure(`timeline event ${eventId} not found`);
  if (event.kind !== 'dr_activated' && event.kind !== 'dr_deactivated') throw new PermanentFailure(`timeline event ${eventId} is not a DR activation (${storedKind(event)})`);
  const channel = incident.announceChannelId ?? deps.announceChannel;
  if (!channel) return;
  const text = drAnnouncement(deps.policy, incident, event);
  const thread = incident.announceChannelId && incident.announceTs ? { thread_ts: incident.announceTs, reply_broadcast: true } : {};
  await deps.client.chat.postMessage({ channel, text, unfurl_links: false, ...thread });
}

async function postRecentChanges(deps: PreparednessEffectsDeps, incidentId: string | null, ids: string[], reason: string): Promise<void> {
  const incident = await incidentOf(deps, incidentId);
  const channelId = requireChannel(incident);
  const changes = await deps.changes.findMany(ids);
  if (!changes.length) return;
  const msg = recentChangesMessage(deps.policy, incident, changes, reason);
  await deps.client.chat.postMessage({ channel: channelId, text: msg.text, blocks: msg.blocks, unfurl_links: false });
}

/** Posts the CAB request (or, on a retry after it was posted, refreshes it). */
async function requestCab(deps: PreparednessEffectsDeps, changeId: string): Promise<void> {
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
async function announceDecision(deps: PreparednessEffectsDeps, changeId: string): Promise<void> {
  const change = await changeOf(deps, changeId);
  if (!change.cabChannelId || !change.cabTs) throw new RetryLater('CAB request not posted yet', 2_000);
  const msg = cabMessage(change);
  await deps.client.chat.update({ channel: change.cabChannelId, ts: change.cabTs, text: msg.text, blocks: msg.blocks });
  for (const user of peopleOf(change)) await deps.client.chat.postMessage({ channel: user, text: changeReceipt(deps.policy, change), unfurl_links: false });
}

async function sendReceipt(deps: PreparednessEffectsDeps, changeId: string): Promise<void> {
  const change = await changeOf(deps, changeId);
  if (!/^[UW][A-Z0-9]+$/.test(change.requestedBy)) return;
  await deps.client.chat.postMessage({ channel: change.requestedBy, text: changeReceipt(deps.policy, change), unfurl_links: false });
}

/** The outbox handlers for checklists, drills, DR and change records. */
export function createPreparednessEffects(deps: PreparednessEffectsDeps) {
  return {
    [ChecklistTask.post]: (task) => syncChecklist(deps, task.incidentId, task.payload.runId, { post: true }),
    [ChecklistTask.render]: (task) => syncChecklist(deps, task.incidentId, task.payload.runId, { post: false }),
    [DrillTask.inject]: async (task) => {
      const channelId = requireChannel(await incidentOf(deps, task.incidentId));
      const msg = injectMessage(task.payload.atMinutes, task.payload.text);
      await deps.client.chat.postMessage({ channel: channelId, text: msg.text, blocks: msg.blocks });
    },
    [DrillTask.scorecard]: async (task) => {
      const channelId = requireChannel(await incidentOf(deps, task.incidentId));
      const msg = scorecardMessage(task.payload.scorecard);
      await deps.client.chat.postMessage({ channel: channelId, text: msg.text, blocks: msg.blocks });
    },
    [DrTask.announce]: (task) => announceDr(deps, task.incidentId, task.payload.eventId),
    [ChangeTask.recent]: (task) => postRecentChanges(deps, task.incidentId, task.payload.changeIds, task.payload.reason),
    [ChangeTask.cab]: (task) => requestCab(deps, task.payload.changeId),
    [ChangeTask.decided]: (task) => announceDecision(deps, task.payload.changeId),
    [ChangeTask.recorded]: (task) => sendReceipt(deps, task.payload.changeId),
  } satisfies SomeTaskHandlers;
}
