import type { WebClient } from '@slack/web-api';
import type { Incident } from '../../incidents/incident.js';
import { PermanentFailure, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import { StatusTask } from '../../status/changed.js';
import type { StatusPostService } from '../../status/service.js';
import { approvalMessage, connectorFailingMessage, pageChangedMessage, proposeResolvedMessage } from '../views/status-page.js';
import { loadIncident } from './context.js';
import { requireChannel } from './provision.js';

export interface StatusEffectDeps {
  client: WebClient;
  numberPrefix: string;
  load: (id: string) => Promise<Incident | undefined>;
  /** Absent when the policy has no status page (a task left from an earlier configuration then does nothing). */
  posts?: StatusPostService;
  pageUrl: () => string;
}

async function postOf(deps: StatusEffectDeps, postId: string) {
  const post = await deps.posts?.find(postId);
  if (!post) throw new PermanentFailure(`status page post ${postId} not found`);
  return post;
}

/** The status page's Slack side effects: the approval request, "the page changed", the "resolved" offer. */
export function statusPageEffects(deps: StatusEffectDeps) {
  return {
    [StatusTask.approval]: async (task) => {
      if (!deps.posts) return;
      const post = await postOf(deps, task.payload.postId);
      // Approved (or re-requested) meanwhile: the message would ask for nothing.
      if (post.state !== 'pending' || post.requestTs) return;
      const incident = await loadIncident(deps, task.incidentId);
      const channel = requireChannel(incident);
      const res = await deps.client.chat.postMessage({ channel, ...approvalMessage(post, { approvers: deps.posts.approverRoles(), pageUrl: deps.pageUrl() }), unfurl_links: false });
      if (res.ts) await deps.posts.recordRequest(post.id, channel, res.ts);
    },
    [StatusTask.published]: async (task) => {
      if (!deps.posts) return;
      const post = await postOf(deps, task.payload.postId);
      const incident = await loadIncident(deps, task.incidentId);
      if (post.requestChannel && post.requestTs) {
        await deps.client.chat.update({ channel: post.requestChannel, ts: post.requestTs, ...approvalMessage(post, { approvers: deps.posts.approverRoles(), pageUrl: deps.pageUrl() }) });
      }
      await deps.client.chat.postMessage({ channel: requireChannel(incident), ...pageChangedMessage(post, deps.pageUrl()), unfurl_links: false });
    },
    [StatusTask.proposeResolved]: async (task) => {
      if (!deps.posts) return;
      const incident = await loadIncident(deps, task.incidentId);
      const state = await deps.posts.pageState(incident.id);
      if (!state || state.status === 'resolved') return;
      await deps.client.chat.postMessage({ channel: requireChannel(incident), ...proposeResolvedMessage(incident, deps.numberPrefix, state.status) });
    },
    [StatusTask.connectorFailing]: async (task) => {
      const post = await postOf(deps, task.payload.postId);
      const incident = await loadIncident(deps, task.incidentId);
      await deps.client.chat.postMessage({ channel: requireChannel(incident), ...connectorFailingMessage(post, task.payload.error) });
    },
  } satisfies SomeTaskHandlers;
}
