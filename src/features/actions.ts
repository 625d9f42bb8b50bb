import { ActionService } from '../actions/service.js';
import { actionEffects } from '../slack/effects/actions.js';
import { overdueActionsSection } from '../slack/effects/reports.js';
import { actionCommands, registerActions } from '../slack/listeners/actions.js';
import { myActionsSection } from '../slack/views/home-sections.js';
import { defineFeature } from './feature.js';

/** Follow-up actions: owners, due dates, the Home tab's "my actions", the weekly report's overdue ones. */
export const actions = defineFeature({
  name: 'actions',
  register(ctx) {
    const actions = new ActionService(ctx);
    // A person's "today" is where they are: the reminders know (registered after, asked when rendering).
    const reminders = { todayFor: (userId: string) => ctx.use('reminders').todayFor(userId) };
    return {
      services: { actions },
      tasks: actionEffects({ client: ctx.client, policy: ctx.policy, actions, reminders }),
      commands: actionCommands,
      listeners: registerActions,
      sections: { home: [myActionsSection(ctx.policy, actions, reminders)], weekly: [overdueActionsSection(ctx.policy, actions, ctx.clock)] },
    };
  },
});
