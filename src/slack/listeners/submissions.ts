import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { DomainError } from '../../incidents/errors.js';
import type { SlackDeps } from '../deps.js';
import { describeFailure } from '../errors.js';
import { instrument } from '../listen.js';
import { incidentMetadata, metadata, viewPayload } from './payloads.js';

export type Errors = Record<string, string>;
export type Values = Record<string, Record<string, any>>;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * A modal submission about one incident (its id in private_metadata): validated and applied before
 * the ack, so problems come back as inline errors on the form and nothing typed is lost.
 * `apply` may return inline errors, or a `response_action` to send instead of closing.
 */
export function onSubmit(
  app: App,
  deps: SlackDeps,
  callbackId: string,
  errorBlock: string,
  apply: (incidentId: string, userId: string, values: Values, raw: { privateMetadata: string }) => Promise<Errors | { response_action: string; [k: string]: unknown } | void>,
): void {
  app.view(
    callbackId,
    instrument(`view.${callbackId}`, deps.metrics, deps.logger, async ({ ack, body }: ViewArgs) => {
      const p = viewPayload.safeParse(body);
      const meta = p.success ? metadata(incidentMetadata, p.data.view.private_metadata) : undefined;
      if (!p.success || !meta) return ack({ response_action: 'errors', errors: { [errorBlock]: 'This form arrived incomplete; close it and try again.' } });
      let result: Awaited<ReturnType<typeof apply>>;
      try {
        result = await apply(meta.incidentId, p.data.user.id, p.data.view.state.values, { privateMetadata: p.data.view.private_metadata });
      } catch (err) {
        const message = err instanceof DomainError ? err.message : describeFailure(err, deps.logger, { handler: callbackId });
        return ack({ response_action: 'errors', errors: { [errorBlock]: message.slice(0, 300) } });
      }
      if (result && 'response_action' in result) return ack(result as never);
      if (result && Object.keys(result).length) return ack({ response_action: 'errors', errors: result as Errors });
      await ack();
    }),
  );
}
