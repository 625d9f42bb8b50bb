import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { SignalGroup } from '../../signals/signal.js';
import { proposedSeverity } from '../../signals/declare-flow.js';
import type { SlackDeps } from '../deps.js';
import { SignalAction, SignalBlock, SignalCallback } from '../ids.js';
import { declareModal } from '../views/modals.js';
import { classifyModal, linkModal } from '../views/signals.js';
import { button, type Press } from './buttons.js';
import { registerForm } from './forms.js';
import { selectedValue, textValue } from './payloads.js';

const groupMetadata = z.object({ groupId: z.string().regex(/^\d+$/) });

/** The buttons of a signal post: Declare incident (prefilled), Link to incident, Not an incident. */
export function registerSignalListeners(app: App, deps: SlackDeps): void {
  const { policy, incidents, signals } = deps;

  /** A button on a signal post: the group it names loaded (or the person told it is gone), then `fn`. */
  const signalButton = (actionId: string, fn: (group: SignalGroup, press: Press) => Promise<unknown>) =>
    button(app, deps, { actionId, name: `action.${actionId}` }, async (press) => {
      const group = await signals.findGroup(press.value);
      if (!group) return press.tell('That signal no longer exists.');
      await fn(group, press);
    });

  signalButton(SignalAction.declare, async (group, { payload, actorId, triggerId, client, tell }) => {
    if (group.incidentId) return tell('This signal is already linked to an incident.');
    const description = [group.description, group.link ? `Alert: ${group.link}` : '', `Source: ${group.source} · ${group.signalCount} alert(s), received ${group.deliveryCount} time(s)`].filter(Boolean).join('\n');
    const channelId = payload.container?.channel_id;
    // The form carries the group as the declaration's origin: declaring links it in the same transaction.
    await client.views.open({
      trigger_id: triggerId,
      view: declareModal(policy, {
        title: group.title,
        description,
        severity: proposedSeverity(group, policy),
        kind: group.route.kind,
        services: group.service ? [group.service] : [],
        reporterId: actorId,
        metadata: { ...(channelId ? { channelId } : {}), origin: { signalGroupId: group.id, how: 'manual' } },
      }),
    });
  });

  signalButton(SignalAction.link, async (group, { payload, triggerId, client, tell }) => {
    const { incidents: open } = await incidents.list(payload.team?.id ?? '', { includeClosed: false, limit: 100 });
    if (!open.length) return tell('There is no open incident to link to. Use *Declare incident* instead.');
    await client.views.open({ trigger_id: triggerId, view: linkModal(policy, group.title, open, { groupId: group.id }) });
  });

  signalButton(SignalAction.dismiss, (group, { triggerId, client }) => client.views.open({ trigger_id: triggerId, view: classifyModal(group.title, { groupId: group.id }) }));

  registerForm(app, deps, {
    callbackId: SignalCallback.linkModal,
    metadata: groupMetadata,
    fields: { incidentId: SignalBlock.incident },
    fallback: SignalBlock.incident,
    async submit({ meta: { groupId }, userId, values }) {
      await signals.link(groupId, selectedValue(values, SignalBlock.incident), userId);
    },
  });

  registerForm(app, deps, {
    callbackId: SignalCallback.classifyModal,
    metadata: groupMetadata,
    fields: { classification: SignalBlock.classification, reason: SignalBlock.reason },
    fallback: SignalBlock.reason,
    async submit({ meta: { groupId }, userId, values }) {
      await signals.classify(groupId, userId, selectedValue(values, SignalBlock.classification), textValue(values, SignalBlock.reason));
    },
  });
}
