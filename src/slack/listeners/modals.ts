import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs, SlackShortcutMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';

type ShortcutArgs = SlackShortcutMiddlewareArgs & AllMiddlewareArgs;
type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
import { DomainError } from '../../incidents/errors.js';
import { TITLE_MAX } from '../../incidents/service.js';
import type { SlackDeps } from '../deps.js';
import { describeFailure } from '../errors.js';
import { Action, Block, Callback } from '../ids.js';
import { instrument } from '../listen.js';
import { incidentRef } from '../views/format.js';
import { declareModal, noteModal, resolveModal, updateModal } from '../views/modals.js';
import type { View } from '@slack/types';
import type { Audience } from '../../policy/schema.js';
import { updatePreview, updatePreviewError } from '../views/comms.js';
import { blockActionPayload, declareMetadata, metadata, selectedServices, selectedUser, selectedValue, shortcutPayload, previewMetadata, textValue, viewPayload } from './payloads.js';
import { onSubmit, type Errors } from './submissions.js';


/** Declaring, updating, noting and resolving through modals and the card's buttons. */
export function registerModals(app: App, deps: SlackDeps): void {
  const { policy, incidents, logger, metrics } = deps;

  app.shortcut(
    Callback.declareShortcut,
    instrument('shortcut.declare', metrics, logger, async ({ ack, body, client }: ShortcutArgs) => {
      await ack();
      const p = shortcutPayload.parse(body);
      await client.views.open({ trigger_id: p.trigger_id, view: declareModal(policy, { reporterId: p.user.id, metadata: {} }) });
    }),
  );

  app.view(
    Callback.declareModal,
    instrument('view.declare', metrics, logger, async ({ ack, body }: ViewArgs) => {
      const p = viewPayload.safeParse(body);
      if (!p.success) return ack({ response_action: 'errors', errors: { [Block.title]: 'This form arrived incomplete; please submit it again.' } });
      const values = p.data.view.state.values;
      const title = textValue(values, Block.title);
      const severity = selectedValue(values, Block.severity) ?? '';
      const kind = selectedValue(values, Block.kind) ?? 'service';
      const commanderId = selectedUser(values, Block.commander) ?? null;
      const errors: Errors = {};
      if (!title) errors[Block.title] = 'Give the incident a short title.';
      else if (title.length > TITLE_MAX) errors[Block.title] = `Keep the title to ${TITLE_MAX} characters (it has ${title.length}).`;
      if (!policy.severities.some((s) => s.id === severity)) errors[Block.severity] = 'Choose a severity.';
      if (kind !== 'service' && kind !== 'security') errors[Block.kind] = 'Choose service or security.';
      if (Object.keys(errors).length) return ack({ response_action: 'errors', errors });
      const teamId = p.data.team?.id ?? p.data.user.team_id ?? 'unknown';
      const origin = metadata(declareMetadata, p.data.view.private_metadata)?.origin;
      try {
        // Stored before the ack: once the modal closes, the incident exists. Slack side effects follow.
        await incidents.declare({
          teamId,
          title,
          description: textValue(values, Block.description),
          severity,
          kind: kind as 'service' | 'security',
          services: selectedServices(values, Block.services),
          commanderId,
          reporterId: p.data.user.id,
          sourceKey: `view:${p.data.view.id}`,
          origin,
        });
      } catch (err) {
        const message = describeFailure(err, logger, { handler: 'view.declare' });
        return ack({ response_action: 'errors', errors: { [Block.title]: message.slice(0, 150) } });
      }
      await ack();
    }),
  );

  const openFor = (action: string, build: (incident: NonNullable<Awaited<ReturnType<typeof incidents.findById>>>) => ReturnType<typeof updateModal>) =>
    app.action(
      action,
      instrument(`action.${action}`, metrics, logger, async ({ ack, body, client, respond }: ActionArgs) => {
        await ack();
        const p = blockActionPayload.parse(body);
        const incident = await incidents.findById(p.actions[0].value ?? '');
        if (!incident) return void (await respond({ response_type: 'ephemeral', replace_original: false, text: 'That incident no longer exists.' }));
        if (incident.resolvedAt && action !== Action.openNote) {
          return void (await respond({ response_type: 'ephemeral', replace_original: false, text: 'This incident is already resolved. `/incident reopen <reason>` reopens it.' }));
        }
        if (action === Action.openResolve) {
          try {
            await deps.authorize('resolve', p.user.id, incident);
          } catch (err) {
            return void (await respond({ response_type: 'ephemeral', replace_original: false, text: describeFailure(err, logger) }));
          }
        }
        await client.views.open({ trigger_id: p.trigger_id, view: build(incident) });
      }),
    );
  const ref = (i: { number: number }) => incidentRef(policy.number_prefix, i);
  openFor(Action.openUpdate, (i) => updateModal(policy, { incidentRef: ref(i), currentStatus: i.status, metadata: { incidentId: i.id } }));
  openFor(Action.openResolve, (i) => resolveModal({ incidentRef: ref(i), metadata: { incidentId: i.id } }));
  openFor(Action.openNote, (i) => noteModal({ incidentRef: ref(i), metadata: { incidentId: i.id } }));

  app.action(
    Action.close,
    instrument('action.close', metrics, logger, async ({ ack, body, respond }: ActionArgs) => {
      await ack();
      const p = blockActionPayload.parse(body);
      try {
        const incident = await incidents.findById(p.actions[0].value ?? '');
        await deps.authorize('close', p.user.id, incident);
        await incidents.close({ incidentId: p.actions[0].value ?? '', actorId: p.user.id });
      } catch (err) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: describeFailure(err, logger) });
      }
    }),
  );

  onSubmit(app, deps, Callback.updateModal, Block.message, async (incidentId, userId, values): Promise<Errors | { response_action: string; view: View } | void> => {
    const message = textValue(values, Block.message);
    const status = selectedValue(values, Block.status) ?? '';
    if (!message) return { [Block.message]: 'Say what changed.' };
    if (!policy.statuses.some((s) => s.id === status)) return { [Block.status]: 'Choose a status.' };
    const next = selectedValue(values, Block.nextUpdate);
    const nextUpdateInMinutes = next && next !== 'none' ? Number(next) : null;
    const audiences = ((values[Block.audiences]?.[Block.audiences]?.selected_options ?? []) as { value: string }[])
      .map((o) => o.value)
      .filter((a): a is Audience => a === 'business' || a === 'executive');
    if (status === 'resolved') await deps.authorize('resolve', userId, (await incidents.findById(incidentId)) ?? undefined);
    if (!audiences.length) {
      await incidents.postUpdate({ incidentId, actorId: userId, status, message, nextUpdateInMinutes });
      return;
    }
    // Other audiences (also for a resolution): show exactly what each will receive before anything is posted.
    const incident = await incidents.findById(incidentId);
    if (!incident) return { [Block.message]: 'That incident no longer exists.' };
    const draft = await deps.updateDrafts.save({ incidentId, authorId: userId, status, message, nextUpdateInMinutes, audiences });
    return { response_action: 'push', view: updatePreview(policy, incident, draft, deps.clock.now()) };
  });

  app.view(
    Callback.updatePreview,
    instrument('view.update_preview', metrics, logger, async ({ ack, body }: ViewArgs) => {
      const p = viewPayload.safeParse(body);
      const meta = p.success ? metadata(previewMetadata, p.data.view.private_metadata) : undefined;
      if (!p.success || !meta) return ack({ response_action: 'errors', errors: {} });
      try {
        const draft = await deps.updateDrafts.find(meta.draftId, p.data.user.id);
        if (draft.status === 'resolved') await deps.authorize('resolve', p.data.user.id, (await incidents.findById(draft.incidentId)) ?? undefined);
        await deps.updateDrafts.post(draft, p.data.user.id);
      } catch (err) {
        // The preview has no inputs to hang an error on: go back to it with the reason on top.
        const reason = describeFailure(err, logger, { handler: 'view.update_preview' });
        return ack({ response_action: 'update', view: { ...updatePreviewError(reason), private_metadata: p.data.view.private_metadata } as View });
      }
      await ack({ response_action: 'clear' });
    }),
  );

  onSubmit(app, deps, Callback.resolveModal, Block.summary, async (incidentId, userId, values) => {
    const summary = textValue(values, Block.summary);
    if (!summary) return { [Block.summary]: 'Describe how it was resolved.' };
    await deps.authorize('resolve', userId, (await incidents.findById(incidentId)) ?? undefined);
    await incidents.resolve({ incidentId, actorId: userId, summary });
  });

  onSubmit(app, deps, Callback.noteModal, Block.note, async (incidentId, userId, values) => {
    const note = textValue(values, Block.note);
    if (!note) return { [Block.note]: 'Write the note.' };
    await incidents.addNote(incidentId, userId, note);
  });
}
