import { randomBytes } from 'node:crypto';
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
