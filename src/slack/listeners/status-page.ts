import type { App } from '@slack/bolt';
import type { View } from '@slack/types';
import { z } from 'zod';
import { incidentRef, type Incident } from '../../incidents/incident.js';
import type { StatusPostService } from '../../status/service.js';
import type { SlackDeps } from '../deps.js';
import { StatusAction, StatusBlock, StatusCallback } from '../ids.js';
import { chosenComponents, postFormInitial, postModal, postPreview, postPreviewError } from '../views/status-page.js';
import { button, incidentButton } from './buttons.js';
import { registerForm } from './forms.js';
import { checked, incidentMetadata, selectedValue, textValue } from './payloads.js';

/** The status page's address, for links in Slack. */
export function statusPageUrl(deps: Pick<SlackDeps, 'publicUrl'>): string {
  return `${deps.publicUrl().replace(/\/+$/, '')}/status/`;
}

function requirePosts(deps: SlackDeps): StatusPostService {
  if (!deps.statusPosts) throw new Error('the status page is not configured (policy status_page)');
  return deps.statusPosts;
}

/**
 * The public post form for an incident, started from what the page shows of it so far (or from the
 * update just posted, and the components its services suggest).
 */
export async function publicPostForm(deps: SlackDeps, incident: Incident, from: { status: string; message: string }): Promise<View> {
  const posts = requirePosts(deps);
  const current = await posts.pageState(incident.id);
  const initial = postFormInitial(posts.page, incident, { ...from, suggested: posts.suggestedComponents(incident), current });
  return postModal(posts.page, { ref: incidentRef(deps.policy.number_prefix, incident), initial, metadata: { incidentId: incident.id }, pageUrl: statusPageUrl(deps) });
}

const previewMeta = z.object({ postId: z.string().regex(/^\d+$/) });

/** The post form and its preview, the approve button, and the "resolved" offer after resolving. */
export function registerStatusPage(app: App, deps: SlackDeps): void {
  if (!deps.statusPosts) return;
  const posts = deps.statusPosts;

  registerForm(app, deps, {
    callbackId: StatusCallback.postModal,
    metadata: incidentMetadata,
    fields: { status: StatusBlock.status, title: StatusBlock.title, body: StatusBlock.body },
    fallback: StatusBlock.body,
    async submit({ meta: { incidentId }, userId, values }) {
      const notify = checked(values, StatusBlock.notify);
      const post = await posts.draft({
        incidentId,
        authorId: userId,
        status: selectedValue(values, StatusBlock.status) ?? '',
        title: textValue(values, StatusBlock.title),
        body: textValue(values, StatusBlock.body),
        components: chosenComponents(posts.page, (block) => selectedValue(values, block)),
        notify,
      });
      const incident = (await deps.incidents.findById(incidentId))!;
      return { response_action: 'push', view: postPreview(post, { approvers: posts.approvalRequired(incident) ? posts.approverRoles() : null }) };
    },
  });

  registerForm(app, deps, {
    callbackId: StatusCallback.postPreview,
    metadata: previewMeta,
    fallback: StatusBlock.body,
    failureView: (reason, privateMetadata) => ({ ...postPreviewError(reason), private_metadata: privateMetadata }),
    async submit({ meta, userId }) {
      await posts.submit(meta.postId, userId);
      return { response_action: 'clear' };
    },
  });

  button(app, deps, { actionId: StatusAction.approve, name: `action.${StatusAction.approve}` }, async ({ value, actorId, tell }) => {
    await posts.approve(value, actorId);
    await tell(`:white_check_mark: Published on the <${statusPageUrl(deps)}|status page>.`);
  });

  incidentButton(app, deps, { actionId: StatusAction.openResolved, name: `action.${StatusAction.openResolved}` }, async ({ incident, triggerId, client }) => {
    await client.views.open({ trigger_id: triggerId, view: await publicPostForm(deps, incident, { status: 'resolved', message: incident.resolutionSummary ?? '' }) });
  });
}
