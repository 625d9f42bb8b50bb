import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { SignalGroup } from '../../signals/signal.js';
import { proposedSeverity } from '../../signals/declare-flow.js';
import type { SlackDeps } from '../deps.js';
import { SignalAction, SignalBlock, SignalCallback } from '../ids.js';
import { instrument } from '../listen.js';
import { declareModal } from '../views/modals.js';
import { classifyModal, linkModal } from '../views/signals.js';
import { formSubmission, type FormErrors } from './forms.js';
import { blockActionPayload, selectedValue, textValue } from './payloads.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type Button = { group: SignalGroup; userId: string; teamId: string; triggerId: string; body: unknown; client: ActionArgs['client']; reply: (text: string) => Promise<unknown> };

const groupMetadata = z.object({ groupId: z.string().regex(/^\d+$/) });
const containerChannel = z.object({ container: z.object({ channel_id: z.string().optional() }).optional() });

/** The buttons of a signal post: Declare incident (prefilled), Link to incident, Not an incident. */
export function registerSignalListeners(app: App, deps: SlackDeps): void {
  const { policy, incidents, signals, logger, metrics } = deps;

  /** A button on a signal post: acked, the group loaded (or the person told it is gone), then `fn`. */
  const button = (action: string, fn: (b: Button) => Promise<unknown>) =>
    app.action(
      action,
      instrument(`action.${action}`, metrics, logger, async ({ ack, body, client, respond }: ActionArgs) => {
        await ack();
        const p = blockActionPayload.parse(body);
        const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
        const group = await signals.findGroup(p.actions[0].value ?? '');
        if (!group) return void (await reply('That signal no longer exists.'));
        await fn({ group, userId: p.user.id, teamId: p.team?.id ?? '', triggerId: p.trigger_id, body, client, reply });
      }),
    );

  button(SignalAction.declare, async ({ group, userId, triggerId, body, client, reply }) => {
    if (group.incidentId) return reply('This signal is already linked to an incident.');
    const description = [group.description, group.link ? `Alert: ${group.link}` : '', `Source: ${group.source} · ${group.signalCount} alert(s), received ${group.deliveryCount} time(s)`].filter(Boolean).join('\n');
    const channelId = containerChannel.safeParse(body).data?.container?.channel_id;
    // The form carries the group as the declaration's origin: declaring links it in the same transaction.
    await client.views.open({
      trigger_id: triggerId,
      view: declareModal(policy, {
        title: group.title,
        description,
        severity: proposedSeverity(group, policy),
        kind: group.route.kind,
        services: group.service ? [group.service] : [],
        reporterId: userId,
        metadata: { ...(channelId ? { channelId } : {}), origin: { signalGroupId: group.id, how: 'manual' } },
      }),
    });
  });

  button(SignalAction.link, async ({ group, teamId, triggerId, client, reply }) => {
    const { incidents: open } = await incidents.list(teamId, { includeClosed: false, limit: 100 });
    if (!open.length) return reply('There is no open incident to link to. Use *Declare incident* instead.');
    await client.views.open({ trigger_id: triggerId, view: linkModal(policy, group.title, open, { groupId: group.id }) });
  });

  button(SignalAction.dismiss, ({ group, triggerId, client }) => client.views.open({ trigger_id: triggerId, view: classifyModal(group.title, { groupId: group.id }) }));

  formSubmission(app, deps, {
    callbackId: SignalCallback.linkModal,
    errorBlock: SignalBlock.incident,
    metadata: groupMetadata,
    async apply({ groupId }, userId, values): Promise<FormErrors | void> {
      const incidentId = selectedValue(values, SignalBlock.incident);
      if (!incidentId) return { [SignalBlock.incident]: 'Choose an incident.' };
      await signals.link(groupId, incidentId, userId);
    },
  });

  formSubmission(app, deps, {
    callbackId: SignalCallback.classifyModal,
    errorBlock: SignalBlock.reason,
    metadata: groupMetadata,
    async apply({ groupId }, userId, values): Promise<FormErrors | void> {
      const reason = textValue(values, SignalBlock.reason);
      const kind = selectedValue(values, SignalBlock.classification);
      if (kind !== 'not_incident' && kind !== 'security_event') return { [SignalBlock.classification]: 'Choose a classification.' };
      if (!reason) return { [SignalBlock.reason]: 'Say why, for the record.' };
      await signals.classify(groupId, userId, kind, reason);
    },
  });
}
