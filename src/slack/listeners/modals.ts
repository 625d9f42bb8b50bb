import type { AllMiddlewareArgs, App, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { incidentRef } from '../../incidents/incident.js';
import type { Audience } from '../../policy/schema.js';
import type { SlackDeps } from '../deps.js';
import { Action, Block, Callback } from '../ids.js';
import { instrument } from '../listen.js';
import { updatePreview, updatePreviewError } from '../views/comms.js';
import { declareModal, noteModal, PUBLIC_AUDIENCE, resolveModal, updateModal } from '../views/modals.js';
import { publicPostForm } from './status-page.js';
import { registerForm, type Values } from './forms.js';
import { fieldErrorBlocks, submittedFields } from './fields.js';
import { fieldsOfType } from '../../incidents/fields.js';
import { readFieldValues } from '../views/fields.js';
import { incidentButton } from './buttons.js';
import { declareMetadata, incidentMetadata, previewMetadata, selectedServices, selectedUser, selectedValue, selectedValues, shortcutPayload, textValue } from './payloads.js';

type ShortcutArgs = SlackShortcutMiddlewareArgs & AllMiddlewareArgs;

/** Declaring, updating, noting and resolving through modals and the card's buttons. */
export function registerModals(app: App, deps: SlackDeps): void {
  const { policy, incidents, logger, metrics } = deps;
  const ref = (i: { number: number }) => incidentRef(policy.number_prefix, i);

  app.shortcut(
    Callback.declareShortcut,
    instrument('shortcut.declare', metrics, logger, async ({ ack, body, client }: ShortcutArgs) => {
      await ack();
      const p = shortcutPayload.parse(body);
      await client.views.open({ trigger_id: p.trigger_id, view: declareModal(policy, { reporterId: p.user.id, metadata: {} }) });
    }),
  );

  // Stored before the ack: once the modal closes, the incident exists. Slack side effects follow.
  registerForm(app, deps, {
    callbackId: Callback.declareModal,
    name: 'view.declare',
    metadata: declareMetadata,
    fields: { title: Block.title, severity: Block.severity, kind: Block.kind, type: Block.incidentType, ...fieldErrorBlocks(policy) },
    fallback: Block.title,
    async submit({ meta, values, userId, teamId, viewId }) {
      const type = selectedValue(values, Block.incidentType) ?? null;
      await incidents.declare({
        type,
        fields: submittedFields(readFieldValues(values, fieldsOfType(policy, type))),
        teamId: teamId || 'unknown',
        title: textValue(values, Block.title),
        description: textValue(values, Block.description),
        severity: selectedValue(values, Block.severity) ?? '',
        kind: selectedValue(values, Block.kind) ?? 'service',
        services: selectedServices(values, Block.services),
        commanderId: selectedUser(values, Block.commander) ?? null,
        reporterId: userId,
        sourceKey: `view:${viewId}`,
        origin: meta.origin,
      });
    },
  });

  incidentButton(app, deps, { actionId: Action.openUpdate, name: `action.${Action.openUpdate}` }, async ({ incident, triggerId, client, tell }) => {
    if (incident.resolvedAt) return tell('This incident is already resolved. `/incident reopen <reason>` reopens it.');
    await client.views.open({ trigger_id: triggerId, view: updateModal(policy, { incidentRef: ref(incident), currentStatus: incident.status, metadata: { incidentId: incident.id } }) });
  });

  incidentButton(app, deps, { actionId: Action.openResolve, name: `action.${Action.openResolve}` }, async ({ incident, actorId, triggerId, client, tell }) => {
    if (incident.resolvedAt) return tell('This incident is already resolved. `/incident reopen <reason>` reopens it.');
    await deps.authorize('resolve', actorId, incident);
    await client.views.open({ trigger_id: triggerId, view: resolveModal({ incidentRef: ref(incident), metadata: { incidentId: incident.id }, policy, incident }) });
  });

  incidentButton(app, deps, { actionId: Action.openNote, name: `action.${Action.openNote}` }, ({ incident, triggerId, client }) =>
    client.views.open({ trigger_id: triggerId, view: noteModal({ incidentRef: ref(incident), metadata: { incidentId: incident.id } }) }),
  );

  incidentButton(app, deps, { actionId: Action.close, name: 'action.close' }, async ({ incident, actorId }) => {
    await deps.authorize('close', actorId, incident);
    await incidents.close({ incidentId: incident.id, actorId });
  });

  registerForm(app, deps, {
    callbackId: Callback.updateModal,
    metadata: incidentMetadata,
    fields: { message: Block.message, status: Block.status, audiences: Block.audiences },
    fallback: Block.message,
    async submit({ meta: { incidentId }, userId, values }) {
      const status = selectedValue(values, Block.status) ?? '';
      const next = selectedValue(values, Block.nextUpdate);
      const chosen = selectedValues(values, Block.audiences);
      const audiences = chosen.filter((a): a is Audience => a === 'business' || a === 'executive');
      const toPublic = chosen.includes(PUBLIC_AUDIENCE) && Boolean(deps.statusPosts);
      if (status === 'resolved') await deps.authorize('resolve', userId, await incidents.findById(incidentId));
      const message = textValue(values, Block.message);
      const result = await deps.updateDrafts.submit({ incidentId, actorId: userId, status, message, nextUpdateInMinutes: next && next !== 'none' ? Number(next) : null, audiences });
      // Other audiences (also for a resolution): show exactly what each will receive before anything is posted.
      if ('draft' in result) return { response_action: 'push', view: updatePreview(policy, result.incident, result.draft, deps.clock.now(), { thenPublic: toPublic }) };
      // Posted: the public post is written next, in its own form (never for an exercise).
      const incident = toPublic ? await incidents.findById(incidentId) : undefined;
      if (incident && !incident.isDrill) return { response_action: 'update', view: await publicPostForm(deps, incident, { status, message }) };
    },
  });

  // The preview has no inputs to hang an error on: a failure redraws it with the reason on top.
  registerForm(app, deps, {
    callbackId: Callback.updatePreview,
    name: 'view.update_preview',
    metadata: previewMetadata,
    fallback: Block.message,
    failureView: (reason, privateMetadata) => ({ ...updatePreviewError(reason), private_metadata: privateMetadata }),
    async submit({ meta, userId }) {
      const draft = await deps.updateDrafts.find(meta.draftId, userId);
      if (draft.status === 'resolved') await deps.authorize('resolve', userId, await incidents.findById(draft.incidentId));
      const { incident } = await deps.updateDrafts.post(draft, userId);
      if (meta.thenPublic && deps.statusPosts && !incident.isDrill) return { response_action: 'update', view: await publicPostForm(deps, incident, { status: draft.status, message: draft.message }) };
      return { response_action: 'clear' };
    },
  });

  registerForm(app, deps, {
    callbackId: Callback.resolveModal,
    metadata: incidentMetadata,
    fields: { summary: Block.summary, ...fieldErrorBlocks(policy) },
    fallback: Block.summary,
    submit: ({ meta: { incidentId }, userId, values }) => submitResolve(deps, incidentId, userId, values),
  });

  registerForm(app, deps, {
    callbackId: Callback.noteModal,
    metadata: incidentMetadata,
    fields: { text: Block.note },
    fallback: Block.note,
    async submit({ meta: { incidentId }, userId, values }) {
      await incidents.addNote(incidentId, userId, textValue(values, Block.note));
    },
  });
}

/** The resolve form submitted: the fields it asked for saved first (each a timeline row of its own), then the incident resolved. */
export async function submitResolve(deps: SlackDeps, incidentId: string, userId: string, values: Values): Promise<void> {
  const incident = await deps.incidents.findById(incidentId);
  await deps.authorize('resolve', userId, incident);
  const filled = submittedFields(readFieldValues(values, fieldsOfType(deps.policy, incident?.type)));
  if (Object.keys(filled).length) await deps.fields.edit({ incidentId, actorId: userId, values: filled });
  await deps.incidents.resolve({ incidentId, actorId: userId, summary: textValue(values, Block.summary) });
}
