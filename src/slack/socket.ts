import type { App, Receiver, ReceiverEvent, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../logger.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { Deliver } from './delivery.js';

/**
 * Bolt's Socket Mode receiver, with its requests entering the app through `deliver` (the delivery
 * gate) as in HTTP mode. The receiver only ever calls `processEvent` on the app it is given, so it
 * gets a view of the app whose `processEvent` is the gate; the app itself is left as Bolt made it.
 */
export class GatedSocketModeReceiver implements Receiver {
  constructor(
    readonly inner: SocketModeReceiver,
    private readonly deliver: Deliver,
  ) {}

  init(app: App): void {
    const gated: App = Object.create(app, { processEvent: { value: (event: ReceiverEvent) => this.deliver(app, event) } });
    this.inner.init(gated);
  }

  start(): Promise<unknown> {
    return this.inner.start();
  }

  stop(): Promise<unknown> {
    return this.inner.stop();
  }
}

/**
 * Keeps the Socket Mode connection up. The receiver's client is built without its own reconnection
 * (which, when Slack cannot be reached, gives up at start-up and rejects unobserved later): every
 * disconnection, and every failed attempt, is retried here with backoff, for as long as the
 * process runs. `status()` says whether a socket is connected, for readiness.
 */
export class SocketConnection {
  private connected = false;
  private problem = 'not connected yet';
  private pending = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly backoff: Backoff;

  constructor(
    private readonly receiver: SocketModeReceiver,
    private readonly logger: Logger,
    backoff?: BackoffOptions,
  ) {
    this.backoff = new Backoff(backoff);
    receiver.client.on('connected', () => {
      this.connected = true;
      this.backoff.reset();
      this.logger.info('Socket Mode connected');
    });
    receiver.client.on('disconnected', () => {
      const was = this.connected;
      this.connected = false;
      this.problem = 'the connection closed';
      if (was) this.logger.warn('Socket Mode disconnected; reconnecting');
      this.schedule(0);
    });
  }

  /** Opens the connection through `open` (the app's start), retrying in the background until it is up. */
  start(open: () => Promise<unknown>): void {
    this.stopped = false;
    this.attempt(open);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  status(): { ok: boolean; detail: string } {
    return this.connected ? { ok: true, detail: 'Socket Mode connected' } : { ok: false, detail: `Slack: no Socket Mode connection (${this.problem}); retrying` };
  }

  private attempt(open: () => Promise<unknown>): void {
    this.pending = true;
    open().then(
      () => {
        this.pending = false;
      },
      (err: Error) => {
        this.pending = false;
        this.problem = err?.message ?? String(err);
        const delay = this.backoff.next();
        this.logger.warn({ err, retryInMs: delay }, 'cannot open a Socket Mode connection; retrying');
        this.schedule(delay);
      },
    );
  }

  /** One reconnection at a time: a failed attempt both rejects and reports a disconnection. */
  private schedule(delay: number): void {
    if (this.stopped || this.pending || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped && !this.connected) this.attempt(() => this.receiver.client.start());
    }, delay);
    this.timer.unref();
  }
}
