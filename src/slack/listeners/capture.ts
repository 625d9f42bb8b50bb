import type { AllMiddlewareArgs, App, MessageShortcut, SlackEventMiddlewareArgs, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { SlackDeps } from '../deps.js';
import { showFailure } from '../errors.js';
import { Callback } from '../ids.js';
import { instrument } from '../listen.js';
import { slackUnescape } from './payloads.js';

const reactionEvent = z.object({
  user: z.string().min(1),
  reaction: z.string(),
  item: z.object({ type: z.literal('message'), channel: z.string().min(1), ts: z.string().min(1) }),
  item_user: z.string().optional(),
});

const messageShortcut = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }),
  message: z.object({ ts: z.string().min(1), text: z.string().optional(), user: z.string().optional(), thread_ts: z.string().optional() }),
  response_url: z.string().optional(),
});

/** Reads one message (top-level or a thread reply) and its permalink. */
async function fetchMessage(client: WebClient, channel: string, ts: string): Promise<{ text: string; user: string | null; permalink: string | null } | undefined> {
  const res = await client.conversations.replies({ channel, ts, limit: 1000 });
  const msg = res.messages?.find((m) => m.ts === ts);
  if (!msg) return undefined;
  const link = await client.chat.getPermalink({ channel, message_ts: ts }).catch(() => undefined);
  return { text: slackUnescape(msg.text ?? ''), user: msg.user ?? null, permalink: link?.permalink ?? null };
}

/**
 * Timeline capture: the policy emoji on a message in an incident channel adds it to the timeline
 * (once); removing the last such reaction withdraws it. The message shortcut does the same.
 */
export function registerCapture(app: App, deps: SlackDeps): void {
  const emoji = deps.policy.capture.emoji;

  app.event('reaction_added', async ({ event, client }: SlackEventMiddlewareArgs<'reaction_added'> & AllMiddlewareArgs) => {
    const e = reactionEvent.safeParse(event);
    if (!e.success || e.data.reaction !== emoji) return;
    const incident = await deps.incidents.findByChannel(e.data.item.channel);
    if (!incident) return;
    const msg = await fetchMessage(client, e.data.item.channel, e.data.item.ts);
    if (!msg) return;
    await deps.capture.capture(incident.id, e.data.user, { channelId: e.data.item.channel, ts: e.data.item.ts, text: msg.text, authorId: msg.user ?? e.data.item_user ?? null, permalink: msg.permalink });
  });

  app.event('reaction_removed', async ({ event, client }: SlackEventMiddlewareArgs<'reaction_removed'> & AllMiddlewareArgs) => {
    const e = reactionEvent.safeParse(event);
    if (!e.success || e.data.reaction !== emoji) return;
    const incident = await deps.incidents.findByChannel(e.data.item.channel);
    if (!incident) return;
    // Someone else's pin keeps the entry.
    const res = await client.reactions.get({ channel: e.data.item.channel, timestamp: e.data.item.ts, full: true }).catch(() => undefined);
    const still = (res?.message as { reactions?: { name?: string; count?: number }[] } | undefined)?.reactions?.some((r) => r.name === emoji && (r.count ?? 0) > 0);
    if (still) return;
    await deps.capture.withdraw(incident.id, e.data.user, e.data.item.ts);
  });

  app.shortcut(
    Callback.addToTimelineShortcut,
    instrument('shortcut.add_to_timeline', deps.metrics, deps.logger, async ({ ack, shortcut, client, respond }: SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs) => {
      await ack();
      const p = messageShortcut.safeParse(shortcut);
      if (!p.success) return;
      const tell = (text: string) => respond({ response_type: 'ephemeral', text }).catch(() => client.chat.postEphemeral({ channel: p.data.channel.id, user: p.data.user.id, text }));
      const incident = await deps.incidents.findByChannel(p.data.channel.id);
      if (!incident) return void (await tell('"Add to incident timeline" works on messages in an incident channel (or its threads).'));
      try {
        const link = await client.chat.getPermalink({ channel: p.data.channel.id, message_ts: p.data.message.ts }).catch(() => undefined);
        const added = await deps.capture.capture(incident.id, p.data.user.id, {
          channelId: p.data.channel.id,
          ts: p.data.message.ts,
          text: slackUnescape(p.data.message.text ?? ''),
          authorId: p.data.message.user ?? null,
          permalink: link?.permalink ?? null,
        });
        await tell(added ? ':pushpin: Added to the timeline.' : 'That message is already on the timeline.');
      } catch (err) {
        await showFailure(err, { kind: 'ephemeral', reply: tell }, deps.logger, { handler: 'shortcut.add_to_timeline' });
      }
    }),
  );
}
