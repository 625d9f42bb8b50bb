import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { DonePrompt, Decision } from '../../jira/decision.js';
import { incidentRef } from '../../incidents/incident.js';
import type { SlackDeps } from '../deps.js';
import { Action, Block, Callback } from '../ids.js';
import { user } from '../views/format.js';
import { resolveModal } from '../views/modals.js';
import { button, type Press } from './buttons.js';
import { fieldErrorBlocks } from './fields.js';
import { registerForm } from './forms.js';
import { submitResolve } from './modals.js';

/** What the prompt's buttons carry: the incident, and the issue and status Jira reported. */
const promptButton = z.object({ incidentId: z.string().regex(/^\d+$/), issueKey: z.string().min(1), status: z.string() });
type PromptButton = z.infer<typeof promptButton>;

export const promptValue = (v: PromptButton): string => JSON.stringify({ ...v, status: v.status.slice(0, 200) });

/** The resolve form's metadata when opened from the prompt: the prompt to redraw once resolved. */
const promptMetadata = promptButton.extend({ channel: z.string().min(1), ts: z.string().min(1) });

/** The decisions on a prompt, as the Jira feature records them. */
export interface JiraPromptDecisions {
  keepOpen(prompt: DonePrompt, actorId: string): Promise<Decision>;
  decidedBy(prompt: Pick<DonePrompt, 'channel' | 'ts'>): Promise<string | null | undefined>;
  resolved(prompt: DonePrompt, actorId: string): Promise<void>;
}

function parseValue(value: string): PromptButton | undefined {
  try {
    const parsed = promptButton.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The prompt the press was on, with its incident; or undefined once the person heard why not (the
 * incident gone or resolved, or someone decided already).
 */
async function pressedPrompt(deps: SlackDeps, decisions: JiraPromptDecisions, press: Press): Promise<DonePrompt | undefined> {
  const v = parseValue(press.value);
  const incident = v && (await deps.incidents.findById(v.incidentId));
  const channel = press.payload.container?.channel_id;
  const ts = press.payload.container?.message_ts;
  if (!v || !incident || !channel || !ts) return void (await press.tell('That incident no longer exists.'));
  if (incident.resolvedAt) return void (await press.tell('This incident is already resolved.'));
  const by = await decisions.decidedBy({ channel, ts });
  if (by !== undefined) return void (await press.tell(`Already decided${by ? ` by ${user(by)}` : ''}: the incident stays open.`));
  return { incidentId: incident.id, channel, ts, issueKey: v.issueKey, status: v.status };
}

/** The buttons on the prompt that the incident's issue was moved to Done in Jira: keep open, or resolve; decided once. */
export function registerJiraPrompt(decisions: JiraPromptDecisions) {
  return (app: App, deps: SlackDeps): void => {
    button(app, deps, { actionId: Action.jiraKeepOpen, name: `action.${Action.jiraKeepOpen}` }, async (press) => {
      const prompt = await pressedPrompt(deps, decisions, press);
      if (!prompt) return;
      await deps.authorize('keep_open', press.actorId, (await deps.incidents.findById(prompt.incidentId))!);
      const decision = await decisions.keepOpen(prompt, press.actorId);
      if (!decision.decided) await press.tell(`Already decided${decision.by ? ` by ${user(decision.by)}` : ''}: the incident stays open.`);
    });

    button(app, deps, { actionId: Action.jiraResolve, name: `action.${Action.jiraResolve}` }, async (press) => {
      const prompt = await pressedPrompt(deps, decisions, press);
      if (!prompt) return;
      const incident = (await deps.incidents.findById(prompt.incidentId))!;
      await deps.authorize('resolve', press.actorId, incident);
      const metadata = { incidentId: incident.id, issueKey: prompt.issueKey, status: prompt.status, channel: prompt.channel, ts: prompt.ts };
      await press.client.views.open({ trigger_id: press.triggerId, view: resolveModal({ incidentRef: incidentRef(deps.policy.number_prefix, incident), metadata, policy: deps.policy, incident, callbackId: Callback.jiraResolveModal }) });
    });

    registerForm(app, deps, {
      callbackId: Callback.jiraResolveModal,
      metadata: promptMetadata,
      fields: { summary: Block.summary, ...fieldErrorBlocks(deps.policy) },
      fallback: Block.summary,
      async submit({ meta, userId, values }) {
        await submitResolve(deps, meta.incidentId, userId, values);
        await decisions.resolved(meta, userId);
      },
    });
  };
}
