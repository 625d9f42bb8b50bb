import type { AckFn, AnyMiddlewareArgs, App, Middleware, ReceiverEvent } from '@slack/bolt';
import { Deadline } from '../db/time-limit.js';
import type { SlackDeps } from './deps.js';

/**
 * Database work a request may do before Slack is answered: Slack gives up after 3 s, and the
 * listener needs the rest to answer (with an inline error if the database did not).
 */
const ACK_DATABASE_BUDGET_MS = 2_000;
/** Time for recording a delivery receipt after the ack; a slower database means the duplicate check is skipped. */
const RECEIPT_BUDGET_MS = 2_000;

/** Raised from `ack()` when the request turns out to be a second delivery of one already handled. */
export class DuplicateDelivery extends Error {
  constructor(readonly key: string) {
    super(`duplicate Slack delivery ${key}`);
    this.name = 'DuplicateDelivery';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const SLACK_TYPES = new Set(['event_callback', 'block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion', 'interactive_message', 'dialog_submission', 'dialog_cancellation', 'dialog_suggestion', 'workflow_step_edit']);

/** Why a payload cannot be a Slack request Bolt can route, or undefined when it can. */
export function malformed(body: unknown): string | undefined {
  if (!isObject(body)) return 'not an object';
  if (!('event' in body) && typeof body.command !== 'string' && !SLACK_TYPES.has(String(body.type))) return 'not a Slack request type';
  if ('event' in body) {
    const event = body.event;
    if (!isObject(event)) return 'event is not an object';
    if ('item' in event && !isObject(event.item)) return 'event.item is not an object';
    if ('channel' in event && !(typeof event.channel === 'string' || isObject(event.channel))) return 'event.channel has the wrong type';
  }
  for (const key of ['user', 'team', 'channel', 'view', 'message', 'container', 'enterprise'] as const) {
    if (key in body && body[key] !== null && body[key] !== undefined && !isObject(body[key]) && !(key === 'user' && typeof body[key] === 'string')) return `${key} has the wrong type`;
  }
  if ('actions' in body && !(Array.isArray(body.actions) && body.actions.every(isObject))) return 'actions is not a list of objects';
  return undefined;
}

/**
 * When a payload is checked against the receipts of those already handled (a second delivery is
 * acknowledged and dropped):
 * - Events API deliveries, by event_id: Slack retries them. Bolt acknowledges an event before any
 *   middleware runs, so the check is off the ack path.
 * - Modal submissions, by trigger_id, before the listener: they store what was submitted before
 *   they answer (so a closed modal means saved), and the receipt shares that deadline.
 * - Commands, buttons and shortcuts, by trigger_id, right after the ack: Slack does not retry them,
 *   so nothing here may delay the answer; a replay is stopped before it does any work.
 */
type ReceiptTiming = 'before' | 'after-ack';
function receiptOf(body: Record<string, unknown>): { key: string; timing: ReceiptTiming } | undefined {
  if (body.type === 'event_callback') return typeof body.event_id === 'string' ? { key: body.event_id, timing: 'before' } : undefined;
  if (typeof body.trigger_id !== 'string') return undefined;
  return { key: `trigger:${body.trigger_id}`, timing: body.type === 'view_submission' ? 'before' : 'after-ack' };
}

/** The acks (see deliveryGate) that have answered their request. */
const answered = new WeakSet<AckFn<unknown>>();

/**
 * Whether this request's ack has been given: a catch-all acks only then, rather than acking a second
 * time and having the receiver refuse it (an error built, with its stack, on every request).
 */
export const hasAcked = (ack: unknown): boolean => answered.has(ack as AckFn<unknown>);

/** Hands one delivery to the app: what a receiver calls instead of `app.processEvent`. */
export type Deliver = (app: App, event: ReceiverEvent) => Promise<void>;

/**
 * How Slack deliveries enter the app, whichever receiver they came through: malformed payloads
 * are acknowledged and dropped before Bolt sees them; database work before the ack is bounded
 * (ACK_DATABASE_BUDGET_MS), so a stalled database cannot keep Slack waiting; a delivery seen
 * before is handled once (see receiptOf). `middleware` must be registered on the app.
 */
export function deliveryGate(deps: Pick<SlackDeps, 'receipts' | 'logger'>): { deliver: Deliver; middleware: Middleware<AnyMiddlewareArgs> } {
  /** True unless the receipt shows a second delivery; without the database a duplicate cannot be told apart, and the listener reports the outage. */
  const firstTime = async (key: string): Promise<boolean> => {
    try {
      return await deps.receipts.firstTime(key);
    } catch (err) {
      deps.logger.warn({ err, key }, 'could not record a delivery receipt');
      return true;
    }
  };

  // Bolt reads a few fields before any middleware runs and throws (leaving the request unanswered)
  // when they have the wrong shape; such a payload is acknowledged and dropped here instead.
  const deliver: Deliver = async (app, event) => {
    const problem = malformed(event.body);
    if (problem) {
      deps.logger.warn({ problem }, 'malformed Slack payload ignored');
      await event.ack();
      return;
    }
    const receipt = receiptOf(event.body);
    const deadline = new Deadline(ACK_DATABASE_BUDGET_MS);
    let acked = false;
    const ack: AckFn<unknown> = async (response) => {
      if (acked) return event.ack(response); // the receiver's own answer to a second ack
      acked = true;
      answered.add(ack);
      deadline.lift();
      await event.ack(response);
      if (receipt?.timing === 'after-ack' && !(await new Deadline(RECEIPT_BUDGET_MS).run(() => firstTime(receipt.key)))) throw new DuplicateDelivery(receipt.key);
    };
    await deadline.run(() => app.processEvent({ ...event, ack }));
    // Bolt returns without a word for a payload it cannot route (block_actions without actions…);
    // once it is done, nothing else will answer, so Slack is answered now rather than left waiting.
    if (!acked) {
      acked = true;
      deps.logger.info({ type: event.body.type }, 'Slack request no listener acknowledged; acknowledged empty');
      await event.ack();
    }
  };

  const middleware: Middleware<AnyMiddlewareArgs> = async (args) => {
    const receipt = receiptOf(args.body as Record<string, unknown>);
    if (receipt?.timing === 'before' && !(await firstTime(receipt.key))) {
      deps.logger.info({ key: receipt.key }, 'duplicate Slack delivery ignored');
      await (args as { ack?: () => Promise<void> }).ack?.();
      return;
    }
    await args.next();
  };

  return { deliver, middleware };
}
