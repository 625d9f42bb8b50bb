/**
 * Slack users as ServiceNow `sys_user` records, matched by e-mail address: the reporter as the
 * incident's caller, the commander and action owners as assignees. A person without an e-mail in
 * Slack, or without an active sys_user of that address, is left out (the field stays empty and the
 * name is written in text instead); a failed lookup never fails the sync.
 */
import type { Logger } from '../logger.js';
import type { ServiceNowClient } from './client.js';

/** A Slack user's e-mail address, or null (given by the composition root: domain code does not call Slack). */
export type EmailOf = (userId: string) => Promise<string | null>;

/** How long a sys_id found (or not found) is kept before asking ServiceNow again. */
const TTL_MS = 60 * 60_000;

export class ServiceNowPeople {
  private readonly cache = new Map<string, { sysId: string | null; at: number }>();

  constructor(
    private readonly client: ServiceNowClient,
    private readonly emailOf: EmailOf | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The sys_id of the Slack user's sys_user, or null. */
  async sysIdOf(userId: string | null, opts: { signal?: AbortSignal; logger?: Logger } = {}): Promise<string | null> {
    if (!userId || !this.emailOf) return null;
    const hit = this.cache.get(userId);
    if (hit && this.now() - hit.at < TTL_MS) return hit.sysId;
    try {
      const email = await this.emailOf(userId);
      const sysId = email ? ((await this.client.userByEmail(email, { signal: opts.signal }))?.sys_id ?? null) : null;
      this.cache.set(userId, { sysId, at: this.now() });
      return sysId;
    } catch (e) {
      opts.logger?.warn({ err: e instanceof Error ? e.message : String(e), user: userId }, 'could not find the ServiceNow user of a Slack user');
      return null;
    }
  }

  /** `{ [field]: sys_id }` when the user has a sys_user, else nothing. */
  async field(field: string, userId: string | null, opts: { signal?: AbortSignal; logger?: Logger } = {}): Promise<Record<string, string>> {
    const sysId = await this.sysIdOf(userId, opts);
    return sysId ? { [field]: sysId } : {};
  }
}
