import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, ReceiverMultipleAckError, type AckFn, type App, type Receiver } from '@slack/bolt';
import { readBody } from '../http/body.js';
import { sendJson, type Route } from '../http/router.js';
import type { Logger } from '../logger.js';
import type { Deliver } from './delivery.js';
import { errorRef } from './errors.js';
import { isSslCheck, MalformedBody, parseSlackBody, signatureProblem } from './request-guards.js';

/** Slack's requests are small (a modal of at most 250 kB, form-encoded); this bounds what a flood can make us buffer. */
export const SLACK_MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Slack gives up 3 s after sending; a request no listener acknowledged by then is answered here, a little sooner. */
export const ACK_DEADLINE_MS = 2_800;

export interface SlackReceiverOptions {
  signingSecret: string;
  /** How a well-formed request reaches the app (see delivery.ts). */
  deliver: Deliver;
  logger: Logger;
  maxBodyBytes?: number;
  ackDeadlineMs?: number;
  /** Local time in ms, for the timestamp window. */
  now?: () => number;
}

/**
 * The answer to one Slack request: given once, by the listener's `ack` or by the receiver (a
 * refusal, a check), or, when neither came by the deadline, 503 so that Slack shows the person an
 * error (and keeps a modal open) instead of waiting in vain.
 */
class SlackAnswer {
  private acked = false;
  private sent = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    deadlineMs: number,
    private readonly logger: Logger,
  ) {
    this.timer = setTimeout(() => {
      if (this.sent) return;
      const ref = errorRef();
      this.logger.warn({ ref, deadlineMs }, 'Slack request not acknowledged in time; answered 503');
      this.json(503, { error: 'not acknowledged in time', ref });
    }, deadlineMs);
    res.once('close', () => clearTimeout(this.timer));
  }

  get answered(): boolean {
    return this.sent;
  }

  /** The `ack` Bolt passes to listeners: Bolt's rules (once only; a string, an object as JSON, or nothing). */
  bind(): AckFn<unknown> {
    return async (response) => {
      if (this.acked) throw new ReceiverMultipleAckError();
      this.acked = true;
      if (this.sent) {
        this.logger.warn('Slack request acknowledged after it was answered; the acknowledgement is dropped');
        return;
      }
      if (!response) this.send(200);
      else if (typeof response === 'string') this.send(200, {}, response);
      else this.json(200, response);
    };
  }

  json(status: number, body: unknown): void {
    if (this.claim()) sendJson(this.res, status, body);
  }

  send(status: number, headers: Record<string, string> = {}, body?: string): void {
    if (!this.claim()) return;
    this.res.writeHead(status, headers);
    this.res.end(body);
  }

  private claim(): boolean {
    if (this.sent || this.res.writableEnded) return false;
    this.sent = true;
    clearTimeout(this.timer);
    return true;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Bolt's receiver for HTTP mode, mounted as a route of our own HTTP server. It checks what Slack
 * promises before the app sees a request (signature and timestamp, size, a parsable body), answers
 * Slack's own checks (ssl_check, url_verification), and hands the app well-formed requests only,
 * with an ack that answers by Slack's deadline and Slack's retry headers.
 */
export class SlackReceiver implements Receiver {
  private app?: App;
  private accepting = false;
  /** Requests handed to the app whose listeners have not finished (work after the ack included). */
  private readonly pending = new Set<Promise<void>>();
  private readonly maxBodyBytes: number;
  private readonly ackDeadlineMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: SlackReceiverOptions) {
    this.maxBodyBytes = opts.maxBodyBytes ?? SLACK_MAX_BODY_BYTES;
    this.ackDeadlineMs = opts.ackDeadlineMs ?? ACK_DEADLINE_MS;
    this.now = opts.now ?? Date.now;
  }

  init(app: App): void {
    this.app = app;
  }

  /** Starts handing requests to the app (the HTTP server listens separately). */
  async start(): Promise<void> {
    this.accepting = true;
  }

  /** Stops handing requests to the app and waits for those it has to finish. */
  async stop(): Promise<void> {
    this.accepting = false;
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** The request URL Slack posts to. */
  route(path = '/slack/events'): Route {
    return { path, method: ['POST'], handler: (req, res) => this.handle(req, res) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { logger } = this.opts;
    const answer = new SlackAnswer(res, this.ackDeadlineMs, logger);
    const raw = await readBody(req, this.maxBodyBytes).catch(() => undefined);
    if (raw === undefined || answer.answered) return; // the client went away, or Slack has already been answered
    if (raw === 'too_large') {
      logger.warn({ limit: this.maxBodyBytes }, 'Slack request refused: body too large');
      return answer.json(413, { error: `the body is larger than ${this.maxBodyBytes} bytes` });
    }
    const contentType = header(req, 'content-type');
    if (isSslCheck(contentType, raw)) return answer.send(200);
    const problem = signatureProblem(this.opts.signingSecret, req.headers, raw, this.now());
    if (problem) {
      logger.warn({ problem, remote: req.socket.remoteAddress }, 'Slack request refused: not signed by Slack just now');
      return answer.json(401, { error: 'invalid or expired request signature' });
    }
    let body: Record<string, unknown>;
    try {
      body = parseSlackBody(contentType, raw);
    } catch (err) {
      if (!(err instanceof MalformedBody)) throw err;
      logger.warn({ problem: err.message }, 'Slack request refused: malformed body');
      return answer.json(err.status, { error: err.message });
    }
    if (body.type === 'url_verification') {
      if (typeof body.challenge !== 'string') return answer.json(400, { error: 'url_verification without a challenge' });
      return answer.json(200, { challenge: body.challenge });
    }
    const app = this.app;
    if (!app || !this.accepting) return answer.json(503, { error: 'not taking requests (starting or shutting down); retry shortly' });
    const retryNum = header(req, 'x-slack-retry-num');
    const work = this.opts
      .deliver(app, {
        body,
        ack: answer.bind(),
        retryNum: retryNum !== undefined && /^\d{1,6}$/.test(retryNum) ? Number(retryNum) : undefined,
        retryReason: header(req, 'x-slack-retry-reason')?.slice(0, 100),
      })
      .catch((error: unknown) => {
        // A payload that made Bolt or a listener throw before its ack is bad input, not an outage of ours.
        const ref = errorRef();
        if (answer.answered) {
          logger.warn({ err: error, ref }, 'Slack request failed after it was acknowledged');
          return;
        }
        logger.warn({ err: error, ref }, 'Slack request failed before it was acknowledged');
        answer.json((error as { code?: string }).code === ErrorCode.AuthorizationError ? 401 : 400, { error: 'request could not be handled', ref });
      })
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
    await work;
  }
}
