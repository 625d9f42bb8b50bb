import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../logger.js';
import { Backoff, type BackoffOptions } from './backoff.js';

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

  /**
   * Starts the receiver through `start` (the app's start: it serves the HTTP routes and opens the
   * socket); resolves with the HTTP port once it listens, whether or not Slack answered yet.
   */
  async start(start: () => Promise<unknown>): Promise<number> {
    this.stopped = false;
    const server = (this.receiver as unknown as { httpServer?: Server }).httpServer;
    if (!server) throw new Error('Socket Mode receiver has no HTTP server for the health routes');
    const listening = new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    this.attempt(start);
    await listening;
    return (server.address() as AddressInfo).port;
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
