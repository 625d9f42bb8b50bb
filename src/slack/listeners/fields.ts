import type { AllMiddlewareArgs, App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { incidentRef, isResolved, type Incident } from '../../incidents/incident.js';
import { fieldErrorKey, fieldsOfType, findType, isEmpty, type FieldValue, type FieldValues } from '../../incidents/fields.js';
import type { Policy } from '../../policy/schema.js';
import type { SlackDeps } from '../deps.js';
import { Block, Callback, fieldBlock } from '../ids.js';
import { instrument } from '../listen.js';
import { isSlackError } from '../errors.js';
import { fieldsModal, readFieldValues } from '../views/fields.js';
import { declareModal, type DeclareMetadata } from '../views/modals.js';
import type { Subcommand } from './commands.js';
import { registerForm, type Values } from './forms.js';
import { declareMetadata, metadata, selectedServices, selectedUser, selectedValue, textValue } from './payloads.js';

/** The block of each custom field, by the name the services give its problems (`fields.<key>`). */
export function fieldErrorBlocks(policy: Policy): Record<string, string> {
  return Object.fromEntries(policy.custom_fields.map((f) => [fieldErrorKey(f.key), fieldBlock(f.key)]));
}

/** The filled values of a form's fields. */
export function submittedFields(values: Record<string, FieldValue | null>): FieldValues {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, FieldValue] => !isEmpty(e[1])));
}

const fieldsMetadata = z.object({ incidentId: z.string().regex(/^\d+$/), type: z.string().max(60).nullable() });

/** An open modal as a block action carries it. */
const openView = z.object({
  id: z.string().min(1),
  hash: z.string().min(1),
  private_metadata: z.string().default(''),
  state: z.object({ values: z.record(z.string(), z.record(z.string(), z.any())) }).optional(),
});

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * The declare form after another type was chosen: that type's fields, what was typed kept. Its
 * privacy and severity are preselected unless the declarer had already changed them from what the
 * previous type preselected.
 */
export function redrawnDeclareForm(policy: Policy, meta: DeclareMetadata, values: Values, userId: string) {
  const before = findType(policy, meta.type);
  const next = findType(policy, selectedValue(values, Block.incidentType));
  const kind = selectedValue(values, Block.kind) as 'service' | 'security' | undefined;
  const presetKind = (t: typeof before) => (t?.private ? 'security' : 'service');
  const severity = selectedValue(values, Block.severity);
  return declareModal(policy, {
    title: textValue(values, Block.title) || undefined,
    description: textValue(values, Block.description) || undefined,
    kind: kind && kind !== presetKind(before) ? kind : presetKind(next),
    severity: severity && severity !== before?.default_severity ? severity : (next?.default_severity ?? severity),
    services: selectedServices(values, Block.services),
    commander: selectedUser(values, Block.commander) ?? null,
    fieldValues: submittedFields(readFieldValues(values, policy.custom_fields)),
    reporterId: userId,
    metadata: { ...meta, type: next?.name },
  });
}

/** The fields form of an incident showing `type` and `values`, for the incident's stage. */
function incidentFieldsModal(policy: Policy, incident: Incident, type: string | null, values: FieldValues) {
  const stage = isResolved(incident) ? 'resolve' : 'declare';
  return fieldsModal(policy, { incidentRef: incidentRef(policy.number_prefix, incident), type, values, stage, metadata: { incidentId: incident.id, type } });
}

/**
 * Redraws an open form in place. The hash makes Slack refuse it if the form changed meanwhile: the
 * person chose again quickly, and that later choice redraws it.
 */
async function redraw(client: WebClient, view: z.infer<typeof openView>, next: unknown): Promise<void> {
  try {
    await client.views.update({ view_id: view.id, hash: view.hash, view: next as never });
  } catch (err) {
    if (!isSlackError(err, 'hash_conflict')) throw err;
  }
}

/** `/incident fields`, the type selects of the declare and fields forms, and the fields form. */
export function registerFieldListeners(app: App, deps: SlackDeps): void {
  const { policy, logger, metrics } = deps;

  app.action(
    Block.incidentType,
    instrument(`action.${Block.incidentType}`, metrics, logger, async ({ ack, body, client }: ActionArgs) => {
      await ack();
      const view = openView.safeParse(body.view);
      const meta = view.success ? metadata(declareMetadata, view.data.private_metadata) : undefined;
      if (!view.success || !meta) return;
      await redraw(client, view.data, redrawnDeclareForm(policy, meta, (view.data.state?.values ?? {}) as Values, body.user.id));
    }),
  );

  app.action(
    Block.fieldsType,
    instrument(`action.${Block.fieldsType}`, metrics, logger, async ({ ack, body, client }: ActionArgs) => {
      await ack();
      const view = openView.safeParse(body.view);
      const meta = view.success ? metadata(fieldsMetadata, view.data.private_metadata) : undefined;
      if (!view.success || !meta) return;
      const incident = await deps.incidents.findById(meta.incidentId);
      if (!incident) return;
      const values = (view.data.state?.values ?? {}) as Values;
      const type = findType(policy, selectedValue(values, Block.fieldsType))?.name ?? null;
      // What was typed wins over what is stored, for the fields both types have.
      const shown = { ...incident.fields, ...submittedFields(readFieldValues(values, policy.custom_fields)) };
      await redraw(client, view.data, incidentFieldsModal(policy, incident, type, shown));
    }),
  );

  registerForm(app, deps, {
    callbackId: Callback.fieldsModal,
    metadata: fieldsMetadata,
    fields: { type: Block.fieldsType, ...fieldErrorBlocks(policy) },
    fallback: Block.fieldsType,
    async submit({ meta, userId, values }) {
      await deps.authorize('fields', userId, (await deps.incidents.findById(meta.incidentId)) ?? undefined);
      const chosen = policy.incident_types.length ? (selectedValue(values, Block.fieldsType) ?? null) : undefined;
      const type = chosen === undefined ? meta.type : chosen;
      await deps.fields.edit({ incidentId: meta.incidentId, actorId: userId, type: chosen, values: readFieldValues(values, fieldsOfType(policy, type)) });
    },
  });
}

export const fieldCommands: Subcommand[] = [
  {
    name: 'fields',
    aliases: ['type'],
    usage: 'fields',
    help: 'set the incident’s type and custom fields (opens a form)',
    incident: 'required',
    async run(ctx) {
      const { policy } = ctx.deps;
      const { incident } = ctx;
      if (!policy.incident_types.length) return ctx.reply('No incident types are configured (policy `incident_types` and `custom_fields`).');
      if (incident.closedAt) return ctx.reply('This incident is closed; its fields are final. `/incident reopen <reason>` reopens it.');
      await ctx.deps.authorize('fields', ctx.userId, incident);
      await ctx.client.views.open({ trigger_id: ctx.triggerId, view: incidentFieldsModal(policy, incident, incident.type, incident.fields) });
    },
  },
];
