import { sql, type Kysely } from 'kysely';
import { asciiText, escapedText, isUnstorable } from '../db/storable.js';
import type { Database } from '../db/schema.js';
import { DomainError, refuseInvalid } from '../incidents/errors.js';
import type { Incident } from '../incidents/incident.js';
import { findIncidentById } from '../incidents/repository.js';
import { IncidentTask } from '../incidents/side-effects.js';
import { enqueueTask, SLACK_LANE } from '../outbox/tasks.js';
import { appendTimeline } from '../timeline/timeline.js';
import * as repo from './repository.js';
import { route, worst } from './routing.js';
import type { Signal, SignalGroup } from './signal.js';
import type { AlertBatch, AlertInput } from './sources.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { ServiceContext } from '../context.js';

/** Outbox task kinds for signals. */
export const SignalTask = {
  post: 'signal.post',
  declare: 'signal.declare',
} as const satisfies Record<string, TaskKind>;

export interface IngestResult {
  /** Alerts and groups stored. */
  alerts: number;
  groups: number;
  newGroups: number;
  /** Groups whose data the database refuses (a retry cannot help), with its reason. */
  refused: { groupKey: string; reason: string }[];
}

/** Alerts repeated within one delivery count once each but merge into one row. */
function mergeDuplicates(alerts: AlertInput[]): (AlertInput & { count: number })[] {
  const byKey = new Map<string, AlertInput & { count: number }>();
  for (const a of alerts) {
    const prev = byKey.get(a.dedupKey);
    byKey.set(a.dedupKey, { ...a, count: (prev?.count ?? 0) + 1 });
  }
  return [...byKey.values()];
}

/**
 * Signals: alerts in, grouped and de-duplicated, routed (triage post, auto-declare, drop), classified
 * by people, linked to incidents. Slack posts go through the outbox, at most one per group per interval.
 */
export class SignalService {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * Stores a delivery's alerts: one transaction per group (one database call, see ingestOne), so one
   * group's row lock never waits on another's, and a group the database refuses does not cost the others.
   */
  async ingest(source: string, batches: AlertBatch[]): Promise<IngestResult> {
    const result: IngestResult = { alerts: 0, groups: 0, newGroups: 0, refused: [] };
    let queued = false;
    for (const batch of batches) {
      let r: { isNew: boolean; queued: boolean };
      try {
        r = await this.ingestOne(source, batch);
      } catch (err) {
        if (!isUnstorable(err)) throw err;
        result.refused.push({ groupKey: batch.groupKey, reason: err.message });
        continue;
      }
      result.alerts += batch.alerts.length;
      result.groups += 1;
      if (r.isNew) result.newGroups += 1;
      queued ||= r.queued;
    }
    if (queued) this.ctx.tasks.kick();
    return result;
  }

  /**
   * One group's delivery in one database round trip (repo.ingestDelivery); what the database function
   * leaves to the caller (an auto-declare, an incident's signals all resolving) runs in a transaction.
   */
  private async ingestOne(source: string, batch: AlertBatch): Promise<{ isNew: boolean; queued: boolean }> {
    const now = this.ctx.clock.now();
    const d = this.delivery(source, batch, now);
    const { fresh, alerts, counts } = d;
    const signals = this.ctx.policy.signals;
    const r = await repo.ingestDelivery(this.ctx.db, fresh, alerts, counts, { reopenWindowMs: signals.reopen_window_minutes * 60_000, postIntervalSeconds: signals.post_interval_seconds, lane: SLACK_LANE });
    if (r !== 'transaction') return r;
    return this.ctx.db.transaction().execute((trx) => this.ingestBatch(trx, batch, now, d));
  }

  /** The group a delivery describes (facts and route), its alerts merged by dedup key, and its counts. */
  private delivery(source: string, batch: AlertBatch, now: Date): { fresh: repo.NewGroup; alerts: (AlertInput & { count: number })[]; counts: repo.DeliveryCounts } {
    const firing = batch.alerts.filter((a) => a.status === 'firing');
    const lead = firing[0] ?? batch.alerts[0];
    const severity = worst((firing.length ? firing : batch.alerts).map((a) => a.severity));
    const labels = { ...lead.labels, ...batch.labels };
    const service = lead.service ?? labels.service ?? null;
    const decision = route(this.ctx.policy.signals.rules, this.ctx.policy.signals.triage_channel, { source, labels, severity, service });
    const fresh: repo.NewGroup = {
      source,
      groupKey: batch.groupKey,
      title: batch.title,
      description: batch.description,
      severity,
      service,
      labels,
      link: batch.link,
      status: firing.length ? 'firing' : 'resolved',
      route: decision,
      at: now,
    };
    const alerts = mergeDuplicates(batch.alerts);
    const counts = { listed: alerts.length, listedFiring: alerts.filter((a) => a.status === 'firing').length, unlisted: batch.unlisted ?? 0 };
    return { fresh, alerts, counts };
  }

  /** The same delivery in the caller's transaction, statement by statement, with what the function leaves out. */
  private async ingestBatch(trx: Kysely<Database>, batch: AlertBatch, now: Date, { fresh, alerts, counts }: ReturnType<SignalService['delivery']>): Promise<{ isNew: boolean; queued: boolean }> {
    const firing = batch.alerts.filter((a) => a.status === 'firing');
    const { group: before, inserted } = await repo.upsertGroupWithSignals(trx, fresh, alerts);
    let isNew = inserted;
    const window = this.ctx.policy.signals.reopen_window_minutes * 60_000;
    if (!inserted && before.status === 'resolved' && firing.length && before.resolvedAt && now.getTime() - before.resolvedAt.getTime() > window) {
      await repo.restartGroup(trx, before.id, fresh);
      isNew = true;
    }
    const { group, scheduledFor } = await repo.refreshGroup(trx, before.id, counts, now, this.ctx.policy.signals.post_interval_seconds);

    let queued = false;
    if (isNew && group.route.action === 'declare') {
      await enqueueTask(trx, { kind: SignalTask.declare, payload: { groupId: group.id, episode: group.episode }, dedupeKey: `${SignalTask.declare}:${group.id}:${group.episode}` });
      queued = true;
    }
    const wasFiring = isNew ? true : before.status === 'firing';
    if (group.incidentId && wasFiring && group.status === 'resolved') await this.maybeAllResolved(trx, group);
    if (await this.enqueuePost(trx, group.id, scheduledFor)) queued = true;
    return { isNew, queued };
  }

  /** Schedules the group's post (the outbox coalesces repeats into one post or update per interval). */
  private async schedulePost(trx: Kysely<Database>, groupId: string, now = false): Promise<boolean> {
    const at = now ? await repo.schedulePostNow(trx, groupId) : await repo.schedulePost(trx, groupId, this.ctx.policy.signals.post_interval_seconds);
    return this.enqueuePost(trx, groupId, at);
  }

  private async enqueuePost(trx: Kysely<Database>, groupId: string, at: Date | undefined): Promise<boolean> {
    if (!at) return false;
    await enqueueTask(trx, { kind: SignalTask.post, payload: { groupId }, dedupeKey: `${SignalTask.post}:${groupId}:${at.getTime()}`, runAt: at });
    return true;
  }

  /** When the last firing group of an incident resolves, the timeline records it and the channel is told. */
  private async maybeAllResolved(trx: Kysely<Database>, group: SignalGroup): Promise<void> {
    const incidentId = group.incidentId!;
    if ((await repo.countFiringForIncident(trx, incidentId)) > 0) return;
    const event = await appendTimeline(trx, {
      incidentId,
      actorId: null,
      kind: 'signals_resolved',
      payload: { group_id: group.id, title: group.title, source: group.source },
      dedupeKey: `signals_resolved:${incidentId}:${group.id}:${group.resolvedAt?.getTime()}`,
      at: this.ctx.clock.now(),
    });
    if (event) await enqueueTask(trx, { kind: IncidentTask.broadcast, incidentId, payload: { eventId: event.id, target: 'channel' } });
  }

  /** Links a group to an incident inside the caller's transaction: classification, timeline, channel notice, post update. */
  async linkInTransaction(trx: Kysely<Database>, groupId: string, incident: Incident, actorId: string | null, how: 'declared' | 'linked' | 'auto'): Promise<SignalGroup | undefined> {
    const current = await repo.findGroup(trx, groupId, { forUpdate: true });
    if (!current) return undefined;
    if (current.incidentId === incident.id) return current;
    const group = await repo.setClassification(trx, groupId, { classification: 'incident', reason: null, by: actorId, at: this.ctx.clock.now(), incidentId: incident.id });
    const event = await appendTimeline(trx, {
      incidentId: incident.id,
      actorId,
      kind: 'signal_linked',
      payload: { group_id: group.id, source: group.source, title: group.title, severity: group.severity, status: group.status, alerts: group.signalCount, firing: group.firingCount, link: group.link, how },
      at: this.ctx.clock.now(),
    });
    await enqueueTask(trx, { kind: IncidentTask.broadcast, incidentId: incident.id, payload: { eventId: event!.id, target: 'channel' } });
    await this.schedulePost(trx, groupId, true);
    if (group.status === 'resolved') await this.maybeAllResolved(trx, group);
    return group;
  }

  /** "Link to incident": links the group to an open incident. */
  async link(groupId: string, incidentId: string | undefined, actorId: string): Promise<{ group: SignalGroup; incident: Incident }> {
    if (!incidentId) throw new DomainError('invalid_input', 'Choose an incident.', 'incidentId');
    const out = await this.ctx.db.transaction().execute(async (trx) => {
      const group = await repo.findGroup(trx, groupId, { forUpdate: true });
      if (!group) throw new DomainError('not_found', 'That signal no longer exists.');
      const incident = await findIncidentById(trx, incidentId);
      if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
      if (incident.closedAt) throw new DomainError('invalid_state', 'That incident is closed; choose an open one.');
      if (group.incidentId && group.incidentId !== incident.id) throw new DomainError('invalid_state', 'This signal is already linked to another incident.');
      const linked = await this.linkInTransaction(trx, groupId, incident, actorId, 'linked');
      return { group: linked!, incident };
    });
    this.ctx.tasks.kick();
    return out;
  }

  /** "Not an incident / security event only": recorded with the reason; the post shows it. */
  async classify(groupId: string, actorId: string, classification: string | undefined, reason: string): Promise<SignalGroup> {
    const why = reason.trim();
    const known = classification === 'not_incident' || classification === 'security_event' ? classification : undefined;
    refuseInvalid({ classification: known ? undefined : 'Choose a classification.', reason: why ? undefined : 'Say why, for the record.' });
    const out = await this.ctx.db.transaction().execute(async (trx) => {
      const group = await repo.findGroup(trx, groupId, { forUpdate: true });
      if (!group) throw new DomainError('not_found', 'That signal no longer exists.');
      if (group.incidentId) throw new DomainError('invalid_state', 'This signal is linked to an incident already.');
      const updated = await repo.setClassification(trx, groupId, { classification: known!, reason: why.slice(0, 2000), by: actorId, at: this.ctx.clock.now() });
      await this.schedulePost(trx, groupId, true);
      return updated;
    });
    this.ctx.tasks.kick();
    return out;
  }

  /**
   * Keeps a refused delivery for inspection. What the database cannot store is escaped; a server
   * encoding that lacks some character gets the whole row as ASCII escapes.
   */
  async recordRejection(source: string, reason: string, contentType: string | null, body: string): Promise<string> {
    const row = (text: (s: string) => string) => ({ source: text(source), at: this.ctx.clock.now(), reason: text(reason), contentType: contentType === null ? null : text(contentType), body: text(body) });
    try {
      return await repo.insertRejection(this.ctx.db, row(escapedText));
    } catch (err) {
      if (!isUnstorable(err)) throw err;
      return repo.insertRejection(this.ctx.db, row(asciiText));
    }
  }

  findGroup(id: string): Promise<SignalGroup | undefined> {
    return repo.findGroup(this.ctx.db, id);
  }

  /** What a post shows: the group, its most relevant alerts and the linked incident. */
  async postView(group: SignalGroup): Promise<{ group: SignalGroup; signals: Signal[]; incident?: Incident }> {
    const [signals, incident] = await Promise.all([repo.listSignals(this.ctx.db, group.id, 8), group.incidentId ? findIncidentById(this.ctx.db, group.incidentId) : undefined]);
    return { group, signals, incident };
  }

  claimPost(groupId: string) {
    return repo.claimPost(this.ctx.db, groupId);
  }

  /**
   * Ends a post run (see repo.finishPost): when what it rendered may already be out of date, the
   * next post is scheduled at once rather than left to a later delivery or a busy run's retry.
   */
  async finishPost(groupId: string, claim: number, post?: { channelId: string; ts: string }): Promise<void> {
    const queued = await this.ctx.db.transaction().execute(async (trx) => this.enqueuePost(trx, groupId, await repo.finishPost(trx, groupId, claim, post)));
    if (queued) this.ctx.tasks.kick();
  }

  /** Deletes rejected deliveries older than the policy keeps them. */
  async prune(now: Date): Promise<void> {
    await this.ctx.db.deleteFrom('webhook_rejections').where('received_at', '<', sql<Date>`${now}::timestamptz - make_interval(days => ${this.ctx.policy.signals.keep_rejections_days})`).execute();
  }
}
