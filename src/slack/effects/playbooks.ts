import type { WebClient } from '@slack/web-api';
import type { Incident } from '../../incidents/incident.js';
import { PermanentFailure, RetryLater, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import { ChecklistTask, type ChecklistService } from '../../playbooks/service.js';
import type { Policy } from '../../policy/schema.js';
import type { RoleHolder } from '../../roles/repository.js';
import { checklistMessages } from '../views/checklist.js';
import { requireChannel } from './provision.js';
import { loadIncident } from './context.js';

export interface ChecklistEffectDeps {
  client: WebClient;
  policy: Policy;
  load: (id: string) => Promise<Incident | undefined>;
  roles: (incidentId: string) => Promise<RoleHolder[]>;
  checklists: ChecklistService;
}

/**
 * Brings a checklist's messages in line with its stored ticks (so concurrent ticks always end in the
 * right state): updates those posted, then posts the rest in order, recording each (a long checklist
 * takes several messages). A retry after a post goes on from the first message not posted yet.
 */
async function syncChecklist(deps: ChecklistEffectDeps, incidentId: string | null, runId: string, opts: { post: boolean }): Promise<void> {
  const incident = await loadIncident(deps, incidentId);
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

/** The outbox handlers of checklists (playbooks and DR plans). */
export function checklistEffects(deps: ChecklistEffectDeps) {
  return {
    [ChecklistTask.post]: (task) => syncChecklist(deps, task.incidentId, task.payload.runId, { post: true }),
    [ChecklistTask.render]: (task) => syncChecklist(deps, task.incidentId, task.payload.runId, { post: false }),
  } satisfies SomeTaskHandlers;
}
