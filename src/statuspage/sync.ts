/**
 * Mirrors what the public status page publishes to an Atlassian Statuspage page: an incident's first
 * approved post creates the Statuspage incident, later posts update it (status, body, per-component
 * status, notifications); a change published as maintenance creates a scheduled incident, later
 * revisions update it, and a maintenance withdrawn from the page (its change rejected) has its
 * scheduled incident deleted. Each post or revision is sent once, across retries and replicas
 * (links.ts): a call whose answer was lost is looked up on Statuspage (by the reference in its
 * metadata) before anything is sent again. Failures surface as RetryLater / PermanentFailure for the
 * outbox.
 */
import type { Db } from '../db/database.js';
import { PermanentFailure, RetryLater } from '../jobs/task-runner.js';
import { StatuspageRefused, StatuspageUnavailable, type StatuspageClient, type StatuspageIncident, type StatuspageIncidentWrite } from './client.js';
import {
  claimSend,
  clearPending,
  ensureStatuspageLink,
  findStatuspageLink,
  recordFailed,
  recordFound,
  recordSent,
  subjectRef,
  WITHDRAWN_SEND,
  type StatuspageLink,
  type StatuspageSubject,
} from './links.js';
import type { PublicComponentState, PublicIncidentPost, PublicMaintenance } from './types.js';

export interface StatuspageSyncOptions {
  db: Db;
  client: StatuspageClient;
  pageId: string;
  /** Status page component name → Statuspage component id (policy `status_page.atlassian.components`). */
  components: Record<string, string>;
}

export interface PublishOptions {
  signal?: AbortSignal;
}

/** What a publish did: `sent` is false when the post or revision had been sent already. */
export interface PublishResult {
  statuspageIncidentId: string;
  sent: boolean;
}

/** What a withdrawal did: `sent` is true when this call deleted the Statuspage incident. */
export interface WithdrawResult {
  /** The Statuspage incident that was (or is now) deleted; null when none was ever created. */
  statuspageIncidentId: string | null;
  sent: boolean;
}

export interface StatuspageSync {
  publishIncidentPost(post: PublicIncidentPost, opts?: PublishOptions): Promise<PublishResult>;
  publishMaintenance(m: PublicMaintenance, opts?: PublishOptions): Promise<PublishResult>;
  /** Deletes the scheduled incident created for a change's maintenance, if any, once. */
  withdrawMaintenance(changeId: string, opts?: PublishOptions): Promise<WithdrawResult>;
}

/** The key under which our reference is kept in a Statuspage incident's metadata. */
export const METADATA_KEY = 'incident_officer';

interface Send {
  subject: StatuspageSubject;
  sendId: string;
  name: string;
  status: string;
  /** The `incident` object to send; `existing` is null when it creates the Statuspage incident. */
  write(existing: { lastStatus: string | null } | null): StatuspageIncidentWrite;
}

export function createStatuspageSync(opts: StatuspageSyncOptions): StatuspageSync {
  const { db, client, pageId } = opts;

  /** Statuspage component ids for status page component names; an unmapped name can never succeed. */
  function componentId(name: string): string {
    const found = Object.hasOwn(opts.components, name) ? opts.components[name] : undefined;
    if (!found) throw new PermanentFailure(`Status page component "${name}" has no Statuspage component id: add it to status_page.atlassian.components`);
    return found;
  }

  function metadata(subject: StatuspageSubject, sendId: string): StatuspageIncidentWrite['metadata'] {
    return { [METADATA_KEY]: { ref: subjectRef(subject), send: sendId } };
  }

  const ours = (i: StatuspageIncident, subject: StatuspageSubject) => (i.metadata[METADATA_KEY] as { ref?: unknown } | undefined)?.ref === subjectRef(subject);
  const lastSend = (i: StatuspageIncident) => (i.metadata[METADATA_KEY] as { send?: unknown } | undefined)?.send;

  /**
   * Settles a pending send whose outcome is unknown: finds the Statuspage incident (by id, or by the
   * name it was created with and our reference) and, if the send landed, records it as sent.
   */
  async function settle(link: StatuspageLink, subject: StatuspageSubject, signal?: AbortSignal): Promise<void> {
    const pending = link.pending!;
    let found: StatuspageIncident | null | undefined;
    if (link.statuspageIncidentId) {
      found = await client.getIncident(pageId, link.statuspageIncidentId, { signal });
      if (!found) throw new PermanentFailure(`Statuspage incident ${link.statuspageIncidentId} no longer exists (deleted on Statuspage)`);
    } else {
      const candidates = await client.listIncidents(pageId, { q: pending.name ?? undefined, limit: 100 }, { signal });
      found = candidates.find((i) => ours(i, subject));
      if (found) await recordFound(db, link.id, found.id);
    }
    if (found && lastSend(found) === pending.sendId) await recordSent(db, link.id, { statuspageIncidentId: found.id, sendId: pending.sendId, status: found.status });
    else await clearPending(db, link.id, pending.sendId);
  }

  const inFlight = (subject: StatuspageSubject) => new RetryLater(`Statuspage: ${subjectRef(subject)} has a call in flight on another replica`, 5_000);
  const refuseWithdrawn = (link: StatuspageLink, subject: StatuspageSubject) => {
    if (link.sentIds.includes(WITHDRAWN_SEND)) throw new PermanentFailure(`Statuspage: ${subjectRef(subject)} was withdrawn; nothing more is sent for it`);
  };

  async function publish(send: Send, signal?: AbortSignal): Promise<PublishResult> {
    let link = await ensureStatuspageLink(db, send.subject);
    refuseWithdrawn(link, send.subject);
    if (link.pending && !link.sentIds.includes(send.sendId)) {
      if (link.pending.inFlight) throw inFlight(send.subject);
      await settle(link, send.subject, signal);
      link = (await findStatuspageLink(db, send.subject))!;
    }
    if (link.sentIds.includes(send.sendId)) return { statuspageIncidentId: link.statuspageIncidentId!, sent: false };
    if (!(await claimSend(db, link.id, send.sendId, send.name))) {
      const now = (await findStatuspageLink(db, send.subject))!;
      if (now.sentIds.includes(send.sendId)) return { statuspageIncidentId: now.statuspageIncidentId!, sent: false };
      refuseWithdrawn(now, send.subject);
      throw inFlight(send.subject);
    }
    const body = { ...send.write(link.statuspageIncidentId ? { lastStatus: link.lastStatus } : null), metadata: metadata(send.subject, send.sendId) };
    let answer: StatuspageIncident;
    try {
      answer = link.statuspageIncidentId ? await client.updateIncident(pageId, link.statuspageIncidentId, body, { signal }) : await client.createIncident(pageId, body, { signal });
    } catch (e) {
      await recordFailure(link, send.sendId, e);
      throw e;
    }
    await recordSent(db, link.id, { statuspageIncidentId: answer.id, sendId: send.sendId, status: send.status });
    return { statuspageIncidentId: answer.id, sent: true };
  }

  async function recordFailure(link: StatuspageLink, sendId: string, e: unknown): Promise<void> {
    // A refusal or a rate limit did nothing; no answer (or a 5xx) may hide a call that landed.
    const applied = e instanceof StatuspageRefused || (e instanceof StatuspageUnavailable && e.rateLimited) ? 'no' : 'unknown';
    await recordFailed(db, link.id, sendId, applied, (e as Error).message);
  }

  /**
   * Deletes the subject's Statuspage incident once, and marks the link withdrawn (also when none was
   * created, so a publish still under way cannot create one afterwards). A DELETE may safely be sent
   * again (404 then says an earlier one landed), so a withdrawal whose answer was lost is simply
   * retried; a create whose answer was lost is looked for first, since it may have made the incident.
   */
  async function withdraw(subject: StatuspageSubject, signal?: AbortSignal): Promise<WithdrawResult> {
    let link = await ensureStatuspageLink(db, subject);
    const already = (l: StatuspageLink) => ({ statuspageIncidentId: l.statuspageIncidentId, sent: false });
    if (link.sentIds.includes(WITHDRAWN_SEND)) return already(link);
    if (link.pending) {
      if (link.pending.inFlight) throw inFlight(subject);
      if (!link.statuspageIncidentId && link.pending.sendId !== WITHDRAWN_SEND) await settle(link, subject, signal);
      else await clearPending(db, link.id, link.pending.sendId);
      link = (await findStatuspageLink(db, subject))!;
    }
    if (!(await claimSend(db, link.id, WITHDRAWN_SEND, null))) {
      const now = (await findStatuspageLink(db, subject))!;
      if (now.sentIds.includes(WITHDRAWN_SEND)) return already(now);
      throw inFlight(subject);
    }
    let deleted = false;
    if (link.statuspageIncidentId) {
      try {
        deleted = (await client.deleteIncident(pageId, link.statuspageIncidentId, { signal })) !== null;
      } catch (e) {
        await recordFailure(link, WITHDRAWN_SEND, e);
        throw e;
      }
    }
    await recordSent(db, link.id, { statuspageIncidentId: link.statuspageIncidentId, sendId: WITHDRAWN_SEND, status: WITHDRAWN_SEND });
    return { statuspageIncidentId: link.statuspageIncidentId, sent: deleted };
  }

  return {
    async publishIncidentPost(post, o = {}) {
      const components: Record<string, PublicComponentState> = {};
      for (const c of post.components) components[componentId(c.name)] = c.state;
      return publish(
        {
          subject: { incidentId: post.incidentId },
          sendId: post.postId,
          name: post.title,
          status: post.status,
          write: () => ({ name: post.title, status: post.status, body: post.body, component_ids: Object.keys(components), components, deliver_notifications: post.notify }),
        },
        o.signal,
      );
    },

    async publishMaintenance(m, o = {}) {
      const ids = m.components.map(componentId);
      // Components are under maintenance only while the work runs; Statuspage shows them as affected throughout.
      const state: PublicComponentState | undefined = m.status === 'in_progress' ? 'under_maintenance' : m.status === 'completed' ? 'operational' : undefined;
      const components = state ? Object.fromEntries(ids.map((id) => [id, state])) : undefined;
      return publish(
        {
          subject: { changeId: m.changeId },
          sendId: m.revision,
          name: m.title,
          status: m.status,
          write: (existing) => ({
            name: m.title,
            status: m.status,
            body: m.body,
            component_ids: ids,
            ...(components ? { components } : {}),
            scheduled_for: m.scheduledFor,
            scheduled_until: m.scheduledUntil,
            // Our change record moves the status (a change may start late or overrun its window).
            ...(existing ? {} : { scheduled_remind_prior: true, scheduled_auto_in_progress: false, scheduled_auto_completed: false }),
            // Subscribers hear of the maintenance and of each change of status, not of every edit.
            deliver_notifications: !existing || existing.lastStatus !== m.status,
          }),
        },
        o.signal,
      );
    },

    withdrawMaintenance: (changeId, o = {}) => withdraw({ changeId }, o.signal),
  };
}
