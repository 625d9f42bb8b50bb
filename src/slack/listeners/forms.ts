import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { z } from 'zod';
import { DomainError } from '../../incidents/errors.js';
import type { SlackDeps } from '../deps.js';
import { describeFailure } from '../errors.js';
import { instrument } from '../listen.js';
import { metadata, viewPayload } from './payloads.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
export type FormErrors = Record<string, string>;

/**
 * A modal submission about something named in its private_metadata: validated, applied, or answered
 * with inline errors (a domain rule's own words, or the reference of an unexpected failure).
 */
export function formSubmission<S extends z.ZodTypeAny>(
  app: App,
  deps: Pick<SlackDeps, 'logger' | 'metrics'>,
  o: { callbackId: string; errorBlock: string; metadata: S; apply: (meta: z.infer<S>, userId: string, values: Record<string, Record<string, any>>) => Promise<FormErrors | void> },
): void {
  app.view(
    o.callbackId,
    instrument(`view.${o.callbackId}`, deps.metrics, deps.logger, async ({ ack, body }: ViewArgs) => {
      const p = viewPayload.safeParse(body);
      const meta = p.success ? metadata(o.metadata, p.data.view.private_metadata) : undefined;
      if (!p.success || !meta) return ack({ response_action: 'errors', errors: { [o.errorBlock]: 'This form arrived incomplete; close it and try again.' } });
      try {
        const errors = await o.apply(meta, p.data.user.id, p.data.view.state.values);
        if (errors && Object.keys(errors).length) return ack({ response_action: 'errors', errors });
      } catch (err) {
        const message = err instanceof DomainError ? err.message : describeFailure(err, deps.logger, { handler: o.callbackId });
        return ack({ response_action: 'errors', errors: { [o.errorBlock]: message.slice(0, 300) } });
      }
      await ack();
    }),
  );
}
