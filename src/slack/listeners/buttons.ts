import type { AllMiddlewareArgs, App, BlockAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Incident } from '../../incidents/incident.js';
import type { SlackDeps } from '../deps.js';
import { showFailure, tell, type Conversation } from '../errors.js';
import { instrument } from '../listen.js';
import { interactionPayload, type InteractionPayload } from './follow-up-payloads.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * Where the person who pressed a button hears back: an ephemeral reply in the conversation the button
 * was in, or a DM when there is none (the Home tab, a modal).
 */
export function buttonSurface(p: Pick<InteractionPayload, 'response_url' | 'user'>, respond: RespondFn, client: WebClient): Conversation {
  return p.response_url ? { kind: 'ephemeral', reply: (text) => respond({ response_type: 'ephemeral', replace_original: false, text }) } : { kind: 'dm', client, userId: p.user.id };
}

/** A pressed button, as its handler gets it. */
export interface Press {
  payload: InteractionPayload;
  /** Who pressed it. */
  actorId: string;
  triggerId: string;
  /** The button's value. */
  value: string;
  client: WebClient;
  respond: RespondFn;
  /** Tells the person who pressed it, where they pressed it. */
  tell(text: string): Promise<void>;
}

/** A press on a button that names an incident, with that incident. */
export type IncidentPress = Press & { incident: Incident };

const PRESS = 'incidentOfficerPress';
const pressOf = (args: AllMiddlewareArgs) => args.context[PRESS] as Press & { incident?: Incident };

/** Acks and parses a press, leaves it in Bolt's context, and shows any failure of the rest of the chain where the button was. */
function pressed(deps: SlackDeps, name: string) {
  return instrument(name, deps.metrics, deps.logger, async (args: ActionArgs) => {
    await args.ack();
    const p = interactionPayload.safeParse(args.body);
    if (!p.success) return;
    const surface = buttonSurface(p.data, args.respond, args.client);
    const press: Press = { payload: p.data, actorId: p.data.user.id, triggerId: p.data.trigger_id, value: p.data.actions[0].value ?? '', client: args.client, respond: args.respond, tell: (text) => tell(surface, text) };
    args.context[PRESS] = press;
    try {
      await args.next();
    } catch (err) {
      await showFailure(err, surface, deps.logger, { handler: name });
    }
  });
}

const incidentId = z.string().regex(/^\d+$/);

/** Loads the incident a button names in its value, once; the person is told when it is gone. */
function buttonIncident(deps: SlackDeps) {
  return async (args: ActionArgs) => {
    const press = pressOf(args);
    const id = incidentId.safeParse(press.value);
    press.incident = id.success ? await deps.incidents.findById(id.data) : undefined;
    if (!press.incident) return press.tell('That incident no longer exists.');
    await args.next();
  };
}

/** A button, as a chain of Bolt listener middleware: ack and parse, then `run`; a failure is shown where it was pressed. */
export function button(app: App, deps: SlackDeps, o: { actionId: string | RegExp; name: string }, run: (press: Press) => Promise<unknown>): void {
  app.action(o.actionId, pressed(deps, o.name), async (args: ActionArgs) => void (await run(pressOf(args))));
}

/** A button whose value is an incident id (the card's, a review DM's): as `button`, with the incident loaded first. */
export function incidentButton(app: App, deps: SlackDeps, o: { actionId: string | RegExp; name: string }, run: (press: IncidentPress) => Promise<unknown>): void {
  app.action(o.actionId, pressed(deps, o.name), buttonIncident(deps), async (args: ActionArgs) => void (await run(pressOf(args) as IncidentPress)));
}
