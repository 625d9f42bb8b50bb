import type { WebClient } from '@slack/web-api';
import type { Incident } from '../../incidents/incident.js';
import { PermanentFailure, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { Logger } from '../../logger.js';
import { PagingTask, type PagingService } from '../../paging/service.js';
import type { Policy } from '../../policy/schema.js';
import { isSlackError } from '../errors.js';
import { esc, truncate, user } from '../views/format.js';
import { pageMessage } from '../views/paging.js';
import { inviteUsers, requireChannel } from './provision.js';

export interface PagingEffectsDeps {
  client: WebClient;
  policy: Policy;
  paging: PagingService;
  logger: Logger;
  load: (incidentId: string) => Promise<Incident | undefined>;
  botUserId: () => Promise<string>;
}

/** Outbox handlers for pages: the DM with its buttons, keeping it current, invitations, and the "nobody answered" notice. */
export function createPagingEffects(deps: PagingEffectsDeps) {
  const { client, paging } = deps;
  return {
    async [PagingTask.notify](task) {
      const v = await paging.targetView(task.payload.targetId);
      if (!v) throw new PermanentFailure(`page target ${task.payload.targetId} not found`);
      if (v.target.dmTs) return;
      const msg = pageMessage(deps.policy, v);
      try {
        const res = await client.chat.postMessage({ channel: v.target.userId, text: msg.text, blocks: msg.blocks, unfurl_links: false });
        await paging.targetMessaged(v.target.id, res.channel!, res.ts!);
      } catch (err) {
        if (isSlackError(err, 'channel_not_found', 'user_not_found', 'user_disabled', 'cannot_dm_bot')) throw new PermanentFailure(`cannot DM ${v.target.userId}`);
        throw err;
      }
    },

    async [PagingTask.refresh](task) {
      const v = await paging.targetView(task.payload.targetId);
      if (!v?.target.dmTs || !v.target.dmChannelId) return;
      const msg = pageMessage(deps.policy, v);
      await client.chat.update({ channel: v.target.dmChannelId, ts: v.target.dmTs, text: msg.text, blocks: msg.blocks });
    },

    async [PagingTask.invite](task) {
      const incident = await deps.load(task.incidentId!);
      if (!incident) throw new PermanentFailure(`incident ${task.incidentId} not found`);
      const channelId = requireChannel(incident);
      await inviteUsers(deps, channelId, task.payload.users, await deps.botUserId());
    },

    async [PagingTask.unanswered](task) {
      const page = await paging.findPage(task.payload.pageId);
      if (!page?.requestedBy) return;
      const me = await deps.botUserId();
      if (page.requestedBy === me) return;
      const declined = [...new Set((await paging.targetsOf(page.id)).filter((t) => t.response === 'declined').map((t) => user(t.userId)))];
      await client.chat.postMessage({
        channel: page.requestedBy,
        text: `:warning: Nobody acknowledged your page (${esc(truncate(page.reason, 200))}) after ${page.levels.length} level${page.levels.length === 1 ? '' : 's'}${declined.length ? `: ${declined.join(', ')} declined` : ''}. Try \`/incident oncall\` to see who else is on call, or page someone directly with \`/incident page @user\`.`,
      });
    },
  } satisfies SomeTaskHandlers;
}
