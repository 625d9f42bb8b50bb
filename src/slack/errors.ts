import { randomBytes } from 'node:crypto';
import type { ViewErrorsResponseAction, ViewUpdateResponseAction } from '@slack/bolt';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { DomainError } from '../incidents/errors.js';

/** A short reference that a person can quote and an operator can find in the log. */
export function errorRef(): string {
  return `E-${randomBytes(3).toString('hex').toUpperCase()}`;
}

/** True for an error from the Slack Web API with the given platform error name(s). */
export function isSlackError(err: unknown, ...names: string[]): boolean {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === 'slack_webapi_platform_error' && names.includes(e.data?.error ?? '');
}

export function slackErrorName(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === 'slack_webapi_platform_error' ? e.data?.error : undefined;
}

/**
 * The one way failures are shown to people: a domain rule's own words, or a short apology with a
 * reference id that is also logged with the full error.
 */
export function describeFailure(err: unknown, logger: Logger, context: Record<string, unknown> = {}): string {
  if (err instanceof DomainError) return err.message;
  const ref = errorRef();
  logger.error({ err, ref, ...context }, 'request failed');
  return `Something went wrong on our side (ref ${ref}). Nothing you entered was lost; please try again in a moment.`;
}

/** Where a person acted, and so where something that failed is shown to them. */
export type Surface =
  /** A modal with inputs: each problem under the block of the field it names, anything else under `fallback`. */
  | { kind: 'form'; ack: (response: ViewErrorsResponseAction) => Promise<void>; blockOf: (field: string) => string | undefined; fallback: string }
  /** A modal without inputs: redrawn with the reason on top. */
  | { kind: 'view'; ack: (response: ViewUpdateResponseAction) => Promise<void>; view: (reason: string) => View }
  | Conversation;

/** A command or a button in a conversation (an ephemeral reply there), or anywhere else, such as the Home tab (a DM). */
export type Conversation = { kind: 'ephemeral'; reply: (text: string) => Promise<unknown> } | { kind: 'dm'; client: WebClient; userId: string };

/** Tells the person something where they are. */
export async function tell(to: Conversation, text: string): Promise<void> {
  if (to.kind === 'ephemeral') {
    await to.reply(text);
    return;
  }
  const dm = await to.client.conversations.open({ users: to.userId });
  await to.client.chat.postMessage({ channel: dm.channel!.id!, text });
}

/** Slack shows an inline error of any length, but a short one reads as a hint. */
const INLINE_MAX = 300;

/** A form's inline errors for a failure: a domain error's messages under their fields' blocks, anything else under `fallback`. */
export function inlineErrors(err: unknown, blockOf: (field: string) => string | undefined, fallback: string, logger: Logger, context: Record<string, unknown> = {}): Record<string, string> {
  const problems = err instanceof DomainError && Object.keys(err.fields).length ? Object.entries(err.fields) : [[undefined, describeFailure(err, logger, context)] as const];
  const errors: Record<string, string> = {};
  for (const [field, message] of problems) {
    const block = (field && blockOf(field)) || fallback;
    errors[block] = (errors[block] ? `${errors[block]} ${message}` : String(message)).slice(0, INLINE_MAX);
  }
  return errors;
}

/**
 * The one way a failure reaches a person, in the surface they acted in: inline under the right input
 * of a form, the reason on top of a form without inputs, an ephemeral reply, or a DM.
 */
export async function showFailure(err: unknown, surface: Surface, logger: Logger, context: Record<string, unknown> = {}): Promise<void> {
  if (surface.kind === 'form') return surface.ack({ response_action: 'errors', errors: inlineErrors(err, surface.blockOf, surface.fallback, logger, context) });
  const reason = describeFailure(err, logger, context);
  if (surface.kind === 'view') return surface.ack({ response_action: 'update', view: surface.view(reason) });
  await tell(surface, reason);
}
