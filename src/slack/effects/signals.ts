import type { WebClient } from '@slack/web-api';
import { PermanentFailure, RetryLater, type SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { Logger } from '../../logger.js';
import type { Policy } from '../../policy/schema.js';
import { SignalTask, type SignalService } from '../../signals/service.js';
import { isSlackError, slackErrorName } from '../errors.js';
import { signalMessage } from '../views/signals.js';

export interface SignalEffectsDeps {
  client: WebClient;
  policy: Policy;
  signals: SignalService;
  logger: Logger;
}

/** Outbox handler for signals: the group's post (first post, then in-place updates). */
export function createSignalEffects(deps: SignalEffectsDeps) {
  const { client, signals } = deps;
  return {
    async [SignalTask.post](task) {
      const { groupId } = task.payload;
      const run = await signals.claimPost(groupId);
      if (!run) return;
      if (run === 'busy') throw new RetryLater('another run is posting this signal', 5_000);
      const claimed = run.group;
      const channel = claimed.route.channel;
      let posted: { channelId: string; ts: string } | undefined;
      try {
        const msg = signalMessage(deps.policy, await signals.postView(claimed));
        let updated = false;
        if (claimed.postTs && claimed.postChannelId) {
          try {
            await client.chat.update({ channel: claimed.postChannelId, ts: claimed.postTs, text: msg.text, blocks: msg.blocks });
            updated = true;
          } catch (err) {
            // The message was deleted: post it again rather than lose the signal.
            if (!isSlackError(err, 'message_not_found', 'channel_not_found')) throw err;
          }
        }
        if (!updated && channel) {
          const res = await client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false });
          posted = { channelId: res.channel!, ts: res.ts! };
        }
      } catch (err) {
        await signals.finishPost(groupId, run.claim);
        if (isSlackError(err, 'channel_not_found', 'not_in_channel', 'is_archived')) {
          deps.logger.error({ channel, group: groupId, error: slackErrorName(err) }, 'cannot post signals to the configured channel; invite the bot or fix signals.triage_channel');
          throw new PermanentFailure(`cannot post to ${channel}: ${slackErrorName(err)}`);
        }
        throw err;
      }
      await signals.finishPost(groupId, run.claim, posted);
    },
  } satisfies SomeTaskHandlers;
}
