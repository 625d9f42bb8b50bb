import { localTime, UTC_ZONE } from '../calendar/calendar.js';
import { contentForMessage, type ReminderContent } from './content.js';
import { zonesOf } from './profiles.js';
import type { ActionHooks } from '../actions/service.js';
import { findSend, findSendByMessage, refreshMessagesShowing, type ReminderSend } from './sends.js';
import type { ServiceContext } from '../context.js';

/** What the Slack adapter asks of reminders outside the job: a person's today, a sent message's current content. */
export class ReminderService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Keeps sent DMs in line with the actions they list: a changed action queues their refresh. */
  actionHooks(): ActionHooks {
    return { changed: (trx, actionId, at) => refreshMessagesShowing(trx, actionId, at) };
  }

  /** Today where the person is (by their cached Slack timezone; UTC when unknown). */
  async todayFor(userId: string): Promise<string> {
    const zone = (await zonesOf(this.ctx.db, [userId])).get(userId) ?? UTC_ZONE;
    return localTime(this.ctx.clock.now(), zone).date;
  }

  /** A sent reminder by id (undefined when unknown or not sent). */
  async sent(sendId: string): Promise<ReminderSend | undefined> {
    const send = await findSend(this.ctx.db, sendId);
    return send?.status === 'sent' ? send : undefined;
  }

  /** True when this Slack message is a reminder the app keeps up to date itself. */
  async isReminderMessage(channelId: string, ts: string): Promise<boolean> {
    return (await findSendByMessage(this.ctx.db, channelId, ts)) !== undefined;
  }

  /** What a sent digest or escalation should show now. */
  current(send: ReminderSend): Promise<ReminderContent | null> {
    return contentForMessage(this.ctx.db, this.ctx.policy, send, this.ctx.clock.now());
  }
}
