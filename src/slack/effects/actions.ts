import type { WebClient } from '@slack/web-api';
import type { ActionService } from '../../actions/service.js';
import { ActionTask } from '../../actions/side-effects.js';
import type { SomeTaskHandlers } from '../../jobs/task-runner.js';
import type { Policy } from '../../policy/schema.js';
import type { ReminderService } from '../../reminders/service.js';
import { actionAssignedMessage } from '../views/actions.js';

export interface ActionEffectDeps {
  client: WebClient;
  policy: Policy;
  actions: ActionService;
  reminders: Pick<ReminderService, 'todayFor'>;
}

/** The outbox handlers of follow-up actions. */
export function actionEffects(deps: ActionEffectDeps) {
  const { client, policy } = deps;
  return {
    [ActionTask.notifyOwner]: async (task) => {
      const action = await deps.actions.get(task.payload.actionId);
      if (!action || action.status !== 'open') return;
      const msg = actionAssignedMessage(policy, action, { by: task.payload.by, today: await deps.reminders.todayFor(action.ownerId) });
      await client.chat.postMessage({ channel: action.ownerId, text: msg.text, blocks: msg.blocks });
    },
  } satisfies SomeTaskHandlers;
}
