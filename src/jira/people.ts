/**
 * Slack users as Jira users, matched by e-mail address (assignees of incident and action issues),
 * and back (a Jira assignee as an action's owner). A person without an e-mail in Slack, or without an
 * active Jira user of that address, is left out; a failed lookup never fails the sync.
 */
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { EmailOf } from '../servicenow/people.js';
import type { JiraClient, JiraUserRef } from './client.js';

const TTL_MS = 60 * 60_000;

/** How the API names a user in a field: accountId on Cloud, name on Data Center. */
export const userField = (client: JiraClient, ref: JiraUserRef): Record<string, string> | null => (client.deployment === 'cloud' ? (ref.accountId ? { accountId: ref.accountId } : null) : ref.name ? { name: ref.name } : null);
/** The id a webhook or changelog names a user by on this deployment. */
export const userId = (client: JiraClient, ref: JiraUserRef | null | undefined): string | null => (ref ? ((client.deployment === 'cloud' ? ref.accountId : ref.name) ?? null) : null);

export class JiraPeople {
  private readonly cache = new Map<string, { ref: Record<string, string> | null; at: number }>();
  /** Jira user id → Slack user id, learnt from lookups this way. */
  private readonly back = new Map<string, string>();

  constructor(
    private readonly client: JiraClient,
    private readonly emailOf: EmailOf | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The assignee value for the Slack user's Jira account, or null. */
  async assignee(slackUserId: string | null, opts: { signal?: AbortSignal; logger?: Logger } = {}): Promise<Record<string, string> | null> {
    if (!slackUserId || !this.emailOf) return null;
    const hit = this.cache.get(slackUserId);
    if (hit && this.now() - hit.at < TTL_MS) return hit.ref;
    try {
      const email = await this.emailOf(slackUserId);
      const user = email ? await this.client.userByEmail(email, { signal: opts.signal }) : null;
      const ref = user ? userField(this.client, user) : null;
      const id = userId(this.client, user);
      if (id) this.back.set(id, slackUserId);
      this.cache.set(slackUserId, { ref, at: this.now() });
      return ref;
    } catch (e) {
      opts.logger?.warn({ err: e instanceof Error ? e.message : String(e), user: slackUserId }, 'could not find the Jira user of a Slack user');
      return null;
    }
  }

  /** The Slack user of a Jira user: learnt before, else by the e-mail Jira shows (the cached Slack profiles, then `bySlackEmail`). */
  async slackUserOf(db: Db, ref: JiraUserRef, bySlackEmail: (email: string) => Promise<string | null>, opts: { signal?: AbortSignal } = {}): Promise<string | null> {
    const id = userId(this.client, ref);
    if (id && this.back.has(id)) return this.back.get(id)!;
    const email = ref.emailAddress ?? (id ? (await this.client.user(id, opts).catch(() => null))?.emailAddress : undefined);
    if (!email) return null;
    const row = await db.selectFrom('slack_users').select('user_id').where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
    const found = row?.user_id ?? (await bySlackEmail(email));
    if (found && id) this.back.set(id, found);
    return found;
  }
}
