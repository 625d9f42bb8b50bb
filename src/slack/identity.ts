import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { RetryLater } from '../jobs/task-runner.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { slackErrorName } from './errors.js';

/** Who the bot is in its workspace (auth.test). */
export interface BotIdentity {
  userId: string;
  botId: string;
  teamId: string;
}

/** How long work that needs the identity waits for it before trying again later. */
const WAIT_FOR_IDENTITY_MS = 10_000;

/**
 * Resolves the bot's identity with auth.test at start-up, retrying with backoff until Slack answers
 * (a Slack outage or a DNS blip at start-up must not disable the bot until a restart). Until then
 * the bot is not ready (`status()`), and work that needs the identity is retried later.
 */
export class SlackIdentity {
  private identity?: BotIdentity;
  private problem = 'no answer yet';
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly waiters = new Set<(id: BotIdentity) => void>();
  private readonly backoff: Backoff;

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
    backoff?: BackoffOptions,
  ) {
    this.backoff = new Backoff(backoff);
  }

  /** Starts resolving (in the background; failures are logged and retried, never thrown). */
  start(): void {
    this.stopped = false;
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The identity, once known. */
  current(): BotIdentity | undefined {
    return this.identity;
  }

  /** For readiness: ok once known, else why not. */
  status(): { ok: boolean; detail: string } {
    return this.identity ? { ok: true, detail: 'bot identity resolved' } : { ok: false, detail: `Slack: bot identity not resolved yet (auth.test: ${this.problem}); retrying` };
  }

  /** The identity, waiting a while for it; RetryLater (for outbox tasks) when Slack still has not answered. */
  async require(): Promise<BotIdentity> {
    if (this.identity) return this.identity;
    let done!: (id: BotIdentity) => void;
    const known = new Promise<BotIdentity>((r) => {
      done = r;
      this.waiters.add(r);
    });
    let timer: NodeJS.Timeout | undefined;
    const later = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RetryLater(this.status().detail, 5_000)), WAIT_FOR_IDENTITY_MS);
    });
    try {
      return await Promise.race([known, later]);
    } finally {
      clearTimeout(timer);
      this.waiters.delete(done);
    }
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const r = await this.client.auth.test();
      if (!r.user_id) throw new Error('auth.test named no bot user');
      this.identity = { userId: r.user_id, botId: r.bot_id ?? '', teamId: r.team_id ?? '' };
      this.logger.info({ botUserId: r.user_id, teamId: r.team_id }, 'bot identity resolved');
      for (const w of this.waiters) w(this.identity);
    } catch (err) {
      this.problem = slackErrorName(err) ?? (err as Error).message ?? String(err);
      const retryInMs = this.backoff.next();
      // A refused token will not fix itself: say so loudly, but keep trying (it may be rotated).
      const log = slackErrorName(err) ? this.logger.error.bind(this.logger) : this.logger.warn.bind(this.logger);
      log({ err, retryInMs }, 'cannot resolve the bot identity with Slack; retrying');
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.attempt(), retryInMs);
      this.timer.unref();
    }
  }
}
