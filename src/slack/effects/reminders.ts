import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { Policy } from '../../policy/schema.js';
import type { ReminderContent } from '../../reminders/content.js';
import type { Profile, ProfileSource } from '../../reminders/profiles.js';
import { UndeliverableError, type Delivered, type ReminderDelivery } from '../../reminders/runner.js';
import type { ReminderSend } from '../../reminders/sends.js';
import { isSlackError, slackErrorName } from '../errors.js';
import { digestMessage, escalationMessage, weeklySummaryMessage, type RenderedReminder } from '../views/reminders.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { ReminderService } from '../../reminders/service.js';
import { ReminderTask } from '../../reminders/side-effects.js';

/** Marks our reminder messages so a retry after a crash can find one that was already posted. */
const METADATA_TYPE = 'incident_officer_reminder';

/** Errors after which posting to that person or channel will not work by retrying. */
const UNDELIVERABLE = ['user_not_found', 'user_disabled', 'channel_not_found', 'is_archived', 'not_in_channel', 'cannot_dm_bot', 'messages_tab_disabled', 'invalid_blocks', 'msg_blocks_too_long'];

/** Renders a reminder's content as a Slack message. */
export function renderReminder(policy: Policy, content: ReminderContent): RenderedReminder {
  switch (content.kind) {
    case 'digest':
      return digestMessage(policy, content);
    case 'escalation':
      return escalationMessage(policy, content);
    case 'weekly_summary':
      return weeklySummaryMessage(policy, content);
  }
}

/** Delivers reminders as DMs (digests, escalations) and channel posts (weekly summary). */
export class SlackReminderDelivery implements ReminderDelivery {
  constructor(
    private readonly deps: { client: WebClient; policy: Policy },
  ) {}

  async deliver(send: ReminderSend, content: ReminderContent, opts: { maybePosted: boolean }): Promise<Delivered> {
    const { client } = this.deps;
    const msg = renderReminder(this.deps.policy, content);
    try {
      if (opts.maybePosted) {
        const earlier = await this.findEarlier(send);
        if (earlier) {
          await client.chat.update({ channel: earlier.channelId, ts: earlier.ts, text: msg.text, blocks: msg.blocks });
          return { ...earlier, payload: msg.payload };
        }
      }
      const res = await client.chat.postMessage({
        channel: send.recipient,
        text: msg.text,
        blocks: msg.blocks,
        unfurl_links: false,
        metadata: { event_type: METADATA_TYPE, event_payload: { key: send.key } },
      });
      return { channelId: res.channel!, ts: res.ts!, payload: msg.payload };
    } catch (err) {
      if (isSlackError(err, ...UNDELIVERABLE)) throw new UndeliverableError(`Slack refused the ${send.kind}: ${slackErrorName(err)}`);
      throw err;
    }
  }

  /** Updates a sent reminder in place (e.g. after Done was clicked in it). */
  async update(send: ReminderSend, content: ReminderContent): Promise<void> {
    if (!send.channelId || !send.messageTs) return;
    const msg = renderReminder(this.deps.policy, content);
    await this.deps.client.chat.update({ channel: send.channelId, ts: send.messageTs, text: msg.text, blocks: msg.blocks });
  }

  /** Looks through the conversation's recent messages for this reminder, by its metadata key. */
  private async findEarlier(send: ReminderSend): Promise<{ channelId: string; ts: string } | undefined> {
    const { client } = this.deps;
    const channelId = send.kind === 'weekly_summary' ? send.recipient : (await client.conversations.open({ users: send.recipient })).channel?.id;
    if (!channelId) return undefined;
    const history = await client.conversations.history({ channel: channelId, limit: 100, include_all_metadata: true });
    const found = history.messages?.find((m) => (m.metadata as { event_type?: string; event_payload?: { key?: string } } | undefined)?.event_payload?.key === send.key);
    return found?.ts ? { channelId, ts: found.ts } : undefined;
  }
}

/** Above this many people, one paged users.list is cheaper (Tier 2, 200 a page) than users.info each. */
const LIST_THRESHOLD = 40;

/** Fetches Slack profiles: users.info for a few people, paged users.list for many. */
export class SlackProfileSource implements ProfileSource {
  constructor(private readonly deps: { client: WebClient; logger: Logger }) {}

  async fetch(userIds: string[]): Promise<Profile[]> {
    const wanted = new Set(userIds);
    const found: Profile[] = [];
    if (wanted.size > LIST_THRESHOLD) {
      let cursor: string | undefined;
      do {
        const page = await this.deps.client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
        for (const m of page.members ?? []) {
          if (m.id && wanted.delete(m.id)) found.push(toProfile(m));
        }
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor && wanted.size > 0);
    }
    for (const id of wanted) {
      try {
        const res = await this.deps.client.users.info({ user: id });
        if (res.user) found.push(toProfile(res.user));
      } catch (err) {
        if (isSlackError(err, 'user_not_found')) found.push({ userId: id, name: id, realName: id, tz: null, tzOffset: 0, deleted: true });
        else this.deps.logger.warn({ err: slackErrorName(err) ?? (err as Error).message, user: id }, 'could not fetch a Slack profile');
      }
    }
    return found;
  }
}

function toProfile(u: { id?: string; name?: string; real_name?: string; tz?: string; tz_offset?: number; deleted?: boolean; is_bot?: boolean; profile?: { real_name?: string; email?: string } }): Profile {
  return { userId: u.id!, name: u.name ?? u.id!, realName: u.real_name ?? u.profile?.real_name ?? u.name ?? u.id!, tz: u.tz ?? null, tzOffset: u.tz_offset ?? 0, deleted: Boolean(u.deleted), email: u.profile?.email || null, isBot: Boolean(u.is_bot) };
}

/** The outbox handlers of reminders: a sent DM re-rendered after an action it lists changed. */
export function reminderEffects(deps: { reminders: ReminderService; delivery: SlackReminderDelivery }) {
  return {
    [ReminderTask.refresh]: async (task) => {
      const send = await deps.reminders.sent(task.payload.sendId);
      if (!send) return;
      const content = await deps.reminders.current(send);
      if (content) await deps.delivery.update(send, content);
    },
  } satisfies SomeTaskHandlers;
}
