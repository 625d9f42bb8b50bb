import { ReminderRunner } from '../reminders/runner.js';
import { ReminderService } from '../reminders/service.js';
import { reminderEffects, SlackReminderDelivery } from '../slack/effects/reminders.js';
import { defineFeature } from './feature.js';

/** Digests, escalations and the weekly summary of open follow-up actions and reviews. */
export const reminders = defineFeature({
  name: 'reminders',
  register(ctx) {
    const reminders = new ReminderService(ctx);
    const delivery = new SlackReminderDelivery({ client: ctx.client, policy: ctx.policy });
    const runner = new ReminderRunner({ db: ctx.db, policy: ctx.policy, clock: ctx.clock, logger: ctx.logger.child({ component: 'reminders' }), profiles: ctx.profiles, delivery, summaryChannel: ctx.config.announceChannel });
    return {
      services: { reminders, reminderRunner: runner },
      actionHooks: reminders.actionHooks(),
      tasks: reminderEffects({ reminders, delivery }),
      jobs: [runner.job()],
      stop: () => runner.stop(),
    };
  },
});
