import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewResponseAction, ViewSubmitAction } from '@slack/bolt';
import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { z } from 'zod';
import type { SlackDeps } from '../deps.js';
import { DomainError } from '../../incidents/errors.js';
import { showFailure, type Surface } from '../errors.js';
import { instrument } from '../listen.js';
import { metadata, viewPayload } from './payloads.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
export type Values = Record<string, Record<string, any>>;

/** A submitted form: its private_metadata (parsed), who submitted it, from which team, and its inputs. */
export interface Submission<M> {
  meta: M;
  userId: string;
  teamId: string;
  viewId: string;
  values: Values;
}

export interface Form<S extends z.ZodTypeAny> {
  callbackId: string;
  /** Its handler label in metrics and logs; `view.<callbackId>` unless given. */
  name?: string;
  /** The private_metadata this app wrote when it opened the form. */
  metadata: S;
  /**
   * The block each input is shown under, by the name the service gives its field in a DomainError.
   * A field whose block is not in the submitted form (or that is not listed) is shown under `fallback`.
   */
  fields?: Record<string, string> | ((meta: z.infer<S>) => Record<string, string>);
  /** The input block that shows any other failure. */
  fallback: string;
  /** A form without inputs shows a failure by redrawing itself as this view, with the reason on top. */
  failureView?: (reason: string, privateMetadata: string) => View;
  /** Calls one service or flow with what was submitted; may answer with another response_action (e.g. push a preview). */
  submit(s: Submission<z.infer<S>>): Promise<ViewResponseAction | void>;
  /** Work once the form has closed (e.g. redraw what it was opened from); a failure there is only logged. */
  afterClose?(s: Submission<z.infer<S>>, client: WebClient): Promise<void>;
}

const INCOMPLETE = 'This form arrived incomplete; close it and try again.';

/**
 * Every modal submission: acked only once the submission is stored (so the form stays open, with what
 * was typed, when something is refused), parsed with zod, handed to one service, and any failure shown
 * in the form: a DomainError's messages under the inputs they name, anything else under `fallback`.
 */
export function registerForm<S extends z.ZodTypeAny>(app: App, deps: Pick<SlackDeps, 'logger' | 'metrics'>, form: Form<S>): void {
  const { logger, metrics } = deps;
  const name = form.name ?? `view.${form.callbackId}`;
  app.view(
    form.callbackId,
    instrument(name, metrics, logger, async ({ ack, body, client }: ViewArgs) => {
      const p = viewPayload.safeParse(body);
      const meta = p.success ? metadata(form.metadata, p.data.view.private_metadata) : undefined;
      const values = p.success ? p.data.view.state.values : {};
      const fields = typeof form.fields === 'function' ? (meta === undefined ? {} : form.fields(meta)) : (form.fields ?? {});
      const surface: Surface = form.failureView
        ? { kind: 'view', ack, view: (reason) => form.failureView!(reason, p.success ? p.data.view.private_metadata : '') }
        : { kind: 'form', ack, fallback: form.fallback, blockOf: (field) => (fields[field] && fields[field] in values ? fields[field] : undefined) };
      if (!p.success || meta === undefined) return showFailure(new DomainError('invalid_input', INCOMPLETE), surface, logger);
      const submission: Submission<z.infer<S>> = { meta, userId: p.data.user.id, teamId: p.data.team?.id ?? p.data.user.team_id ?? '', viewId: p.data.view.id, values };
      let response: ViewResponseAction | void;
      try {
        response = await form.submit(submission);
      } catch (err) {
        return showFailure(err, surface, logger, { handler: name });
      }
      await ack(response ?? undefined);
      await form.afterClose?.(submission, client).catch((err) => logger.warn({ err, handler: name }, 'work after a form closed failed'));
    }),
  );
}
