import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError } from '../incidents/errors.js';
import { isPrivate, type Incident } from '../incidents/incident.js';
import { findIncidentById } from '../incidents/repository.js';
import { IncidentTask } from '../incidents/side-effects.js';
import type { OncallService } from '../oncall/service.js';
import { enqueueTask } from '../outbox/tasks.js';
import type { Policy } from '../policy/schema.js';
import { appendTimeline, type TimelineKind, type TimelinePayloads } from '../timeline/timeline.js';
import * as repo from './repository.js';
import type { Page, PageLevel, PageTarget } from './repository.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { ServiceContext } from '../context.js';

/** Outbox task kinds for paging. */
export const PagingTask = {
  notify: 'paging.notify',
  refresh: 'paging.refresh',
  invite: 'paging.invite',
  unanswered: 'paging.unanswered',
  pagerduty: 'paging.pagerduty',
} as const satisfies Record<string, TaskKind>;

/** The priority that decides paging: the triaged one, else the one at the severity's rank (SEV1 → P1, SEV2 → P2…). */
export function pagingPriority(policy: Policy, incident: Pick<Incident, 'priority' | 'severity'>): string | null {
  if (incident.priority) return incident.priority;
  const i = policy.severities.findIndex((s) => s.id === incident.severity);
  return i >= 0 ? (policy.priorities[i]?.id ?? null) : null;
}

/** PagerDuty's dedup key for an incident: trigger, acknowledge and resolve all name it. */
export function pagerdutyDedupKey(incidentId: string): string {
  return `incident-officer-${incidentId}`;
}

/**
 * Pages: who is asked, level by level, to respond; acknowledgements (which feed MTTA), declines,
 * and escalation when nobody acknowledges in time. Slack DMs and PagerDuty events go through the outbox.
 */
export class PagingService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly oncall: OncallService,
    /** PagerDuty is configured: pages are sent there too. */
    private readonly pagerdutyEnabled: boolean,
  ) {}

  private timeoutFor(l: { after_minutes?: number }): number {
    return l.after_minutes ?? this.ctx.policy.paging.ack_timeout_minutes;
  }

  /** The escalation path from the policy; with none, the first rotation alone. */
  private path(): PageLevel[] {
    const levels: { rotation?: string; users?: string[]; after_minutes?: number }[] = this.ctx.policy.paging.escalation.length
      ? this.ctx.policy.paging.escalation
      : this.ctx.policy.oncall.rotations.slice(0, 1).map((r) => ({ rotation: r.name }));
    return levels.map((l) => ({ ...(l.rotation ? { rotation: l.rotation } : { users: l.users }), after_minutes: this.timeoutFor(l) }));
  }

  /** A rotation first, then the rest of the escalation path after it (or the whole path if it is not on it). */
  levelsForRotation(rotation: string): PageLevel[] {
    const path = this.path();
    const at = path.findIndex((l) => l.rotation === rotation);
    if (at >= 0) return path.slice(at);
    return [{ rotation, after_minutes: this.ctx.policy.paging.ack_timeout_minutes }, ...path];
  }

  /** Incident hook: declaring at a paging priority pages the escalation path (once per incident). */
  async onDeclared(trx: Kysely<Database>, incident: Incident): Promise<void> {
    // Exercises never page real on-call people.
    if (incident.isDrill) return;
    const priority = pagingPriority(this.ctx.policy, incident);
    if (priority && this.ctx.policy.paging.priorities.includes(priority)) await this.pageIncident(trx, incident, incident.reporterId);
  }

  /** Incident hook: triage raising the priority to a paging one pages (once per incident). */
  async onPriorityChanged(trx: Kysely<Database>, incident: Incident, _from: string | null, to: string): Promise<void> {
    if (incident.isDrill) return;
    if (this.ctx.policy.paging.priorities.includes(to)) await this.pageIncident(trx, incident, null);
  }

  /** Incident hook: resolution cancels open pages and resolves the PagerDuty alert. */
  async onResolved(trx: Kysely<Database>, incident: Incident): Promise<void> {
    for (const page of await repo.openPagesOfIncident(trx, incident.id)) {
      await repo.updatePage(trx, page.id, { status: 'cancelled', escalate_at: null });
      await this.refreshAll(trx, page.id);
    }
    if (await repo.closePagerdutyAlert(trx, incident.id, 'resolved_at', this.ctx.clock.now())) {
      await enqueueTask(trx, { kind: PagingTask.pagerduty, payload: { incidentId: incident.id, action: 'resolve' }, dedupeKey: `${PagingTask.pagerduty}:resolve:${incident.id}` });
    }
  }

  private async pageIncident(trx: Kysely<Database>, incident: Incident, requestedBy: string | null): Promise<Page | undefined> {
    const levels = this.path();
    const page = levels.length
      ? await this.create(trx, { incident, levels, requestedBy, reason: incident.title, sourceKey: `incident:${incident.id}` })
      : undefined;
    if (this.pagerdutyEnabled && (await repo.startPagerdutyAlert(trx, incident.id, pagerdutyDedupKey(incident.id), this.ctx.clock.now()))) {
      await enqueueTask(trx, { kind: PagingTask.pagerduty, payload: { incidentId: incident.id, action: 'trigger' }, dedupeKey: `${PagingTask.pagerduty}:trigger:${incident.id}` });
    }
    return page;
  }

  /** `/incident page <rotation|@user>`: pages now, linked to the incident of the channel if there is one. */
  async page(input: { rotation?: string; userId?: string; incidentId?: string; requestedBy: string; reason: string }): Promise<{ page: Page; targets: PageTarget[] }> {
    let levels: PageLevel[];
    if (input.rotation) {
      if (!this.oncall.rotation(input.rotation)) throw new DomainError('not_found', `There is no rotation named ${input.rotation}.`);
      levels = this.levelsForRotation(this.oncall.rotation(input.rotation)!.name);
    } else if (input.userId) {
      levels = [{ users: [input.userId], after_minutes: this.ctx.policy.paging.ack_timeout_minutes }];
    } else {
      throw new DomainError('invalid_input', 'Say whom to page: a rotation or @someone.', 'rotation');
    }
    const out = await this.ctx.db.transaction().execute(async (trx) => {
      const incident = input.incidentId ? await findIncidentById(trx, input.incidentId) : undefined;
      const reason = input.reason.trim() || (incident ? incident.title : 'You are needed');
      const page = await this.create(trx, { incident, levels, requestedBy: input.requestedBy, reason: reason.slice(0, 500), sourceKey: null });
      return { page: page!, targets: await repo.targetsOf(trx, page!.id) };
    });
    this.ctx.tasks.kick();
    return out;
  }

  private async create(trx: Kysely<Database>, p: { incident?: Incident; levels: PageLevel[]; requestedBy: string | null; reason: string; sourceKey: string | null }): Promise<Page | undefined> {
    const page = await repo.insertPage(trx, { incidentId: p.incident?.id ?? null, requestedBy: p.requestedBy, reason: p.reason, levels: p.levels, at: this.ctx.clock.now(), sourceKey: p.sourceKey });
    if (!page) return undefined;
    await this.notifyLevel(trx, page, 0, 'paged');
    return page;
  }

  /** Pages the people of one level (skipping levels that resolve to nobody) and sets when to escalate. */
  private async notifyLevel(trx: Kysely<Database>, page: Page, level: number, kind: 'paged' | 'page_escalated'): Promise<Page> {
    const now = this.ctx.clock.now();
    for (let l = level; l < page.levels.length; l++) {
      const spec = page.levels[l];
      let users: { userId: string; rotation: string | null }[] = (spec.users ?? []).map((u) => ({ userId: u, rotation: null }));
      if (spec.rotation) {
        const on = await this.oncall.whoIsOn(spec.rotation, now);
        users = on ? [{ userId: on.userId, rotation: spec.rotation }] : [];
      }
      if (!users.length) continue;
      const added = await repo.insertTargets(trx, page.id, l, users, now);
      for (const t of added) await enqueueTask(trx, { kind: PagingTask.notify, payload: { targetId: t.id }, dedupeKey: `${PagingTask.notify}:${t.id}` });
      const updated = await repo.updatePage(trx, page.id, { level: l, escalate_at: new Date(now.getTime() + spec.after_minutes * 60_000) });
      if (page.incidentId) {
        await enqueueTask(trx, { kind: PagingTask.invite, incidentId: page.incidentId, payload: { users: users.map((u) => u.userId) } });
        await this.record(trx, page.incidentId, null, kind, { page_id: page.id, level: l + 1, users: users.map((u) => u.userId), rotation: spec.rotation ?? null });
      }
      if (l > 0) for (const t of await repo.targetsOf(trx, page.id)) if (t.level < l) await this.refresh(trx, t.id);
      return updated;
    }
    return this.giveUp(trx, page);
  }

  /** Nobody left to page: the page is unanswered; whoever asked and the incident channel are told. */
  private async giveUp(trx: Kysely<Database>, page: Page): Promise<Page> {
    const updated = await repo.updatePage(trx, page.id, { status: 'unanswered', escalate_at: null });
    if (page.incidentId) await this.record(trx, page.incidentId, null, 'page_unanswered', { page_id: page.id, levels: page.levels.length });
    if (page.requestedBy) await enqueueTask(trx, { kind: PagingTask.unanswered, payload: { pageId: page.id }, dedupeKey: `${PagingTask.unanswered}:${page.id}` });
    await this.refreshAll(trx, page.id);
    return updated;
  }

  private async record<K extends TimelineKind>(trx: Kysely<Database>, incidentId: string, actorId: string | null, kind: K, payload: TimelinePayloads[K]): Promise<void> {
    const event = await appendTimeline(trx, { incidentId, actorId, kind, payload, at: this.ctx.clock.now() });
    await enqueueTask(trx, { kind: IncidentTask.broadcast, incidentId, payload: { eventId: event!.id, target: 'channel' } });
  }

  private async refresh(trx: Kysely<Database>, targetId: string): Promise<void> {
    await enqueueTask(trx, { kind: PagingTask.refresh, payload: { targetId }, dedupeKey: `${PagingTask.refresh}:${targetId}` });
  }

  private async refreshAll(trx: Kysely<Database>, pageId: string): Promise<void> {
    for (const t of await repo.targetsOf(trx, pageId)) await this.refresh(trx, t.id);
  }

  /** Acknowledge or Decline from a paged person's DM. */
  async respond(pageId: string, userId: string, response: 'acknowledged' | 'declined'): Promise<{ page: Page; changed: boolean }> {
    const out = await this.ctx.db.transaction().execute(async (trx) => {
      const page = await repo.findPage(trx, pageId, { forUpdate: true });
      if (!page) throw new DomainError('not_found', 'That page no longer exists.');
      const mine = (await repo.targetsOf(trx, page.id)).filter((t) => t.userId === userId);
      if (!mine.length) throw new DomainError('forbidden', 'This page was not sent to you.');
      if (page.status !== 'open') return { page, changed: false };
      const now = this.ctx.clock.now();
      const target = mine[mine.length - 1];
      await repo.respondTarget(trx, target.id, response, now);
      if (response === 'acknowledged') {
        const updated = await repo.updatePage(trx, page.id, { status: 'acknowledged', acknowledged_at: now, acknowledged_by: userId, escalate_at: null });
        if (page.incidentId) {
          await repo.markIncidentAcknowledged(trx, page.incidentId, now);
          await this.record(trx, page.incidentId, userId, 'page_acknowledged', { page_id: page.id, level: page.level + 1, after_seconds: Math.round((now.getTime() - page.createdAt.getTime()) / 1000) });
          if (await repo.closePagerdutyAlert(trx, page.incidentId, 'acknowledged_at', now)) {
            await enqueueTask(trx, { kind: PagingTask.pagerduty, payload: { incidentId: page.incidentId, action: 'acknowledge' }, dedupeKey: `${PagingTask.pagerduty}:acknowledge:${page.incidentId}` });
          }
        }
        await this.refreshAll(trx, page.id);
        return { page: updated, changed: true };
      }
      if (page.incidentId) await this.record(trx, page.incidentId, userId, 'page_declined', { page_id: page.id, level: page.level + 1 });
      await this.refresh(trx, target.id);
      const level = (await repo.targetsOf(trx, page.id)).filter((t) => t.level === page.level);
      // Escalate at once when everyone at the current level has declined.
      if (level.every((t) => (t.id === target.id ? 'declined' : t.response) === 'declined')) {
        return { page: await this.escalate(trx, page), changed: true };
      }
      return { page, changed: true };
    });
    this.ctx.tasks.kick();
    return out;
  }

  private escalate(trx: Kysely<Database>, page: Page): Promise<Page> {
    return page.level + 1 < page.levels.length ? this.notifyLevel(trx, page, page.level + 1, 'page_escalated') : this.giveUp(trx, page);
  }

  /**
   * Escalates every open page whose wait is over, as of `now`. Each page is locked (SKIP LOCKED) and
   * re-checked, so replicas running this at once escalate each page once.
   */
  async escalateDue(now: Date): Promise<number> {
    let count = 0;
    for (const id of await repo.duePageIds(this.ctx.db, now, 200)) {
      const done = await this.ctx.db.transaction().execute(async (trx) => {
        const page = await repo.findPage(trx, id, { forUpdate: true, skipLocked: true });
        if (!page || page.status !== 'open' || !page.escalateAt || page.escalateAt > now) return false;
        await this.escalate(trx, page);
        return true;
      });
      if (done) count++;
    }
    if (count) this.ctx.tasks.kick();
    return count;
  }

  /** What a paged person's DM shows. */
  async targetView(targetId: string): Promise<{ target: PageTarget; page: Page; incident?: Incident; others: PageTarget[] } | undefined> {
    const target = await repo.findTarget(this.ctx.db, targetId);
    if (!target) return undefined;
    const page = (await repo.findPage(this.ctx.db, target.pageId))!;
    const [incident, others] = await Promise.all([page.incidentId ? findIncidentById(this.ctx.db, page.incidentId) : undefined, repo.targetsOf(this.ctx.db, page.id)]);
    return { target, page, incident, others };
  }

  targetMessaged(targetId: string, channelId: string, ts: string): Promise<void> {
    return repo.targetMessaged(this.ctx.db, targetId, channelId, ts);
  }

  findPage(id: string): Promise<Page | undefined> {
    return repo.findPage(this.ctx.db, id);
  }

  /** Everyone a page reached, level by level, with their answers. */
  targetsOf(pageId: string): Promise<PageTarget[]> {
    return repo.targetsOf(this.ctx.db, pageId);
  }

  /** For a PagerDuty event: the incident, the alert record, and whether the incident is private. */
  async pagerdutyContext(incidentId: string) {
    const [incident, alert] = await Promise.all([findIncidentById(this.ctx.db, incidentId), repo.findPagerdutyAlert(this.ctx.db, incidentId)]);
    return incident && alert ? { incident, alert, private: isPrivate(incident) } : undefined;
  }

  pagerdutyTriggerSent(incidentId: string): Promise<void> {
    return repo.pagerdutyTriggerSent(this.ctx.db, incidentId, this.ctx.clock.now());
  }
}
