import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { DomainError } from '../../incidents/errors.js';
import { incidentSeverityFor } from '../../signals/routing.js';
import type { SlackDeps } from '../deps.js';
import { describeFailure } from '../errors.js';
import { SignalAction, SignalBlock, SignalCallback } from '../ids.js';
import { instrument } from '../listen.js';
import { declareModal } from '../views/modals.js';
import { classifyModal, linkModal } from '../views/signals.js';
import { blockActionPayload, metadata, selectedValue, textValue, viewPayload } from './payloads.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const groupMetadata = z.object({ groupId: z.string().regex(/^\d+$/) });
const containerChannel = z.object({ container: z.object({ channel_id: z.string().optional() }).optional() });

/** The buttons of a signal post: Declare incident (prefilled), Link to incident, Not an incident. */
export function registerSignalListeners(app: App, deps: SlackDeps): void {
  const { policy, incidents, signals, logger, metrics } = deps;
  const ephemeral = (respond: ActionArgs['respond'], text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });

  app.action(
    SignalAction.declare,
    instrument('action.signal_declare', metrics, logger, async ({ ack, body, client, respond }: ActionArgs) => {
      await ack();
      const p = blockActionPayload.parse(body);
      const group = await signals.findGroup(p.actions[0].value ?? '');
      if (!group) return void (await ephemeral(respond, 'That signal no longer exists.'));
      if (group.incidentId) return void (await ephemeral(respond, 'This signal is already linked to an incident.'));
      const description = [group.description, group.link ? `Alert: ${group.link}` : '', `Source: ${group.source} · ${group.signalCount} alert(s), seen ${group.deliveryCount} time(s)`].filter(Boolean).join('\n');
      const channelId = containerChannel.safeParse(body).data?.container?.channel_id;
      const res = await client.views.open({
        trigger_id: p.trigger_id,
        view: declareModal(policy, {
          title: group.title,
          description,
          severity: group.route.severity ?? incidentSeverityFor(group.severity, policy.severities),
          kind: group.route.kind,
          services: group.service ? [group.service] : [],
          reporterId: p.user.id,
          metadata: channelId ? { channelId } : {},
        }),
      });
      // The declaration this modal leads to is linked to the signal by the incident hook.
      if (res.view?.id) await signals.rememberDeclareView(res.view.id, group.id, p.user.id);
    }),
  );

  app.action(
    SignalAction.link,
    instrument('action.signal_link', metrics, logger, async ({ ack, body, client, respond }: ActionArgs) => {
      await ack();
      const p = blockActionPayload.parse(body);
      const group = await signals.findGroup(p.actions[0].value ?? '');
      if (!group) return void (await ephemeral(respond, 'That signal no longer exists.'));
      const teamId = p.team?.id ?? '';
      const { incidents: open } = await incidents.list(teamId, { includeClosed: false, limit: 100 });
      if (!open.length) return void (await ephemeral(respond, 'There is no open incident to link to. Use *Declare incident* instead.'));
      await client.views.open({ trigger_id: p.trigger_id, view: linkModal(policy, group.title, open, { groupId: group.id }) });
    }),
  );

  app.action(
    SignalAction.dismiss,
    instrument('action.signal_dismiss', metrics, logger, async ({ ack, body, client, respond }: ActionArgs) => {
      await ack();
      const p = blockActionPayload.parse(body);
      const group = await signals.findGroup(p.actions[0].value ?? '');
      if (!group) return void (await ephemeral(respond, 'That signal no longer exists.'));
      await client.views.open({ trigger_id: p.trigger_id, view: classifyModal(group.title, { groupId: group.id }) });
    }),
  );

  const submission = (callbackId: string, errorBlock: string, apply: (groupId: string, userId: string, values: Record<string, Record<string, any>>) => Promise<Record<string, string> | void>) =>
    app.view(
      callbackId,
      instrument(`view.${callbackId}`, metrics, logger, async ({ ack, body }: ViewArgs) => {
        const p = viewPayload.safeParse(body);
        const meta = p.success ? metadata(groupMetadata, p.data.view.private_metadata) : undefined;
        if (!p.success || !meta) return ack({ response_action: 'errors', errors: { [errorBlock]: 'This form arrived incomplete; close it and try again.' } });
        try {
          const errors = await apply(meta.groupId, p.data.user.id, p.data.view.state.values);
          if (errors && Object.keys(errors).length) return ack({ response_action: 'errors', errors });
        } catch (err) {
          const message = err instanceof DomainError ? err.message : describeFailure(err, logger, { handler: callbackId });
          return ack({ response_action: 'errors', errors: { [errorBlock]: message.slice(0, 300) } });
        }
        await ack();
      }),
    );

  submission(SignalCallback.linkModal, SignalBlock.incident, async (groupId, userId, values): Promise<Record<string, string> | void> => {
    const incidentId = selectedValue(values, SignalBlock.incident);
    if (!incidentId) return { [SignalBlock.incident]: 'Choose an incident.' };
    await signals.link(groupId, incidentId, userId);
  });

  submission(SignalCallback.classifyModal, SignalBlock.reason, async (groupId, userId, values): Promise<Record<string, string> | void> => {
    const reason = textValue(values, SignalBlock.reason);
    const kind = selectedValue(values, SignalBlock.classification);
    if (kind !== 'not_incident' && kind !== 'security_event') return { [SignalBlock.classification]: 'Choose a classification.' };
    if (!reason) return { [SignalBlock.reason]: 'Say why, for the record.' };
    await signals.classify(groupId, userId, kind, reason);
  });
}
