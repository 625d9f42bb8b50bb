import type { Kysely } from 'kysely';
import { canonicalServices, findService } from '../catalog/catalog.js';
import { openIncidentsOn } from '../catalog/service.js';
import type { Database } from '../db/schema.js';
import { DomainError, refuseInvalid } from '../incidents/errors.js';
import type { Incident } from '../incidents/incident.js';
import { updateIncident } from '../incidents/repository.js';
import type { IncidentHooks, IncidentService } from '../incidents/service.js';
import { enqueueTask } from '../outbox/tasks.js';
import { appendTimeline, timelinePayloads, type TimelineEvent } from '../timeline/timeline.js';
import { changeRef, isChangeImpact, isChangeLikelihood, needsCab, parseChangeRef, riskFor, type Change } from './change.js';
import * as repo from './repository.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { ServiceContext } from '../context.js';

/** Outbox tasks: "what changed?" in an incident channel; the CAB request; the decision; the requester's receipt. */
export const ChangeTask = { recent: 'change.recent', cab: 'change.cab', decided: 'change.decided', recorded: 'change.recorded' } as const satisfies Record<string, TaskKind>;

export const CHANGE_TITLE_MAX = 150;
const MAX_WINDOW_DAYS = 31;
const HOUR = 3_600_000;

/** A planned change as a person submits it; `create` refuses what is missing or wrong, field by field. */
export interface NewChange {
  title: string;
  description: string;
  services: string[];
  startsAt?: Date;
  endsAt?: Date;
  /** One of CHANGE_IMPACTS. */
  impact?: string;
  /** One of CHANGE_LIKELIHOODS. */
  likelihood?: string;
  rollbackPlan: string;
  /** The requester when nobody else is named. */
  implementerId?: string;
  requestedBy: string;
}

export interface Deployment {
  externalId: string;
  services: string[];
  title?: string;
  description?: string;
  version?: string;
  environment?: string;
  deployedAt?: Date;
  deployedBy?: string;
  url?: string;
}

/**
 * Change records: planned changes with an impact × likelihood risk (CAB approval above the policy's
 * threshold), deployments reported by CI/CD, "what changed?" at declaration and triage, and the
 * change an incident is linked to as its cause.
 */
export class ChangeService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  /** Why these services cannot be named (unknown to the catalog, when there is one), or undefined. */
  private servicesProblem(services: string[]): string | undefined {
    const unknown = this.ctx.policy.services.length ? services.filter((s) => !findService(this.ctx.policy, s)) : [];
    return unknown.length ? `Unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}: use names from the service catalog.` : undefined;
  }

  /** Service names as the catalog spells them; unknown ones are refused when there is a catalog. */
  private services(names: string[]): string[] {
    const services = canonicalServices(this.ctx.policy, names);
    const problem = this.servicesProblem(services);
    if (problem) throw new DomainError('invalid_input', problem, 'services');
    return services;
  }

  /** `within` runs in the recording transaction (e.g. to publish the change as maintenance). */
  async create(input: NewChange, opts: { within?: (trx: Kysely<Database>, change: Change) => Promise<void> } = {}): Promise<Change> {
    const title = input.title.trim();
    const services = canonicalServices(this.ctx.policy, input.services);
    const { startsAt, endsAt } = input;
    const impact = isChangeImpact(input.impact) ? input.impact : undefined;
    const likelihood = isChangeLikelihood(input.likelihood) ? input.likelihood : undefined;
    const window = startsAt && endsAt ? endsAt.getTime() - startsAt.getTime() : 0;
    refuseInvalid<keyof NewChange>({
      title: !title ? 'Say what changes.' : title.length > CHANGE_TITLE_MAX ? `Keep it to ${CHANGE_TITLE_MAX} characters.` : undefined,
      services: services.length ? this.servicesProblem(services) : 'Name at least one service.',
      startsAt: startsAt ? undefined : 'When does the window start?',
      endsAt: !endsAt ? 'When does it end?' : window < 0 ? 'The window ends before it starts.' : window > MAX_WINDOW_DAYS * 24 * HOUR ? `A change window can be at most ${MAX_WINDOW_DAYS} days; split longer work.` : undefined,
      impact: impact ? undefined : 'Choose the impact.',
      likelihood: likelihood ? undefined : 'Choose the likelihood.',
      rollbackPlan: input.rollbackPlan.trim() ? undefined : 'Describe how to roll back.',
    });
    // Each of these was refused above when missing.
    const risk = riskFor(this.ctx.policy, impact!, likelihood!);
    const cab = needsCab(this.ctx.policy, risk);
    const change = await this.ctx.db.transaction().execute(async (trx) => {
      const change = (await repo.insertChange(trx, {
        title,
        description: input.description.trim(),
        services,
        starts_at: startsAt!,
        ends_at: endsAt!,
        impact: impact!,
        likelihood: likelihood!,
        risk,
        rollback_plan: input.rollbackPlan.trim(),
        implementer_id: input.implementerId ?? input.requestedBy,
        requested_by: input.requestedBy,
        source: 'slack',
        status: cab ? 'pending_approval' : 'scheduled',
        created_at: this.ctx.clock.now(),
      }))!;
      await enqueueTask(trx, { kind: ChangeTask.recorded, payload: { changeId: change.id } });
      if (cab) await enqueueTask(trx, { kind: ChangeTask.cab, payload: { changeId: change.id } });
      await opts.within?.(trx, change);
      return change;
    });
    this.ctx.tasks.kick();
    return change;
  }

  isApprover(userId: string): boolean {
    return this.ctx.policy.changes.approvers.includes(userId);
  }

  /** A CAB decision by an approver (never on their own change when another approver exists). */
  async decide(input: { changeId: string; actorId: string; approve: boolean; note?: string }): Promise<Change> {
    this.requireApprover(input.actorId);
    const note = input.note?.trim() ?? '';
    if (!input.approve && !note) throw new DomainError('invalid_input', 'Say why the change is rejected.', 'note');
    const change = await this.ctx.db.transaction().execute(async (trx) => {
      const current = this.requireDecidable(await repo.findChange(trx, input.changeId, { forUpdate: true }), input.actorId);
      const decided = await repo.updateChange(trx, current.id, { status: input.approve ? 'approved' : 'rejected', decided_by: input.actorId, decided_at: this.ctx.clock.now(), decision_note: note || null });
      await enqueueTask(trx, { kind: ChangeTask.decided, payload: { changeId: current.id } });
      return decided;
    });
    this.ctx.tasks.kick();
    return change;
  }

  /** The change, when `actorId` may decide on it now (so a rejection form is opened only then); refused as `decide` would otherwise. */
  async decidable(changeId: string, actorId: string): Promise<Change> {
    this.requireApprover(actorId);
    return this.requireDecidable(await repo.findChange(this.ctx.db, changeId), actorId);
  }

  private requireApprover(actorId: string): void {
    const approvers = this.ctx.policy.changes.approvers;
    if (!this.isApprover(actorId)) throw new DomainError('forbidden', `Only CAB approvers can decide on changes (${approvers.map((a) => `<@${a}>`).join(', ') || 'none configured'}).`);
  }

  private requireDecidable(current: Change | undefined, actorId: string): Change {
    if (!current) throw new DomainError('not_found', 'That change no longer exists.');
    if (current.status !== 'pending_approval') {
      throw new DomainError('invalid_state', current.decidedBy ? `${changeRef(current)} was already ${current.status} by <@${current.decidedBy}>.` : `${changeRef(current)} does not need a CAB decision (${current.status}).`);
    }
    if (current.requestedBy === actorId && this.ctx.policy.changes.approvers.length > 1) throw new DomainError('forbidden', `You requested ${changeRef(current)}; another approver must decide.`);
    return current;
  }

  /** Records where the CAB request was posted (so the decision can update it). */
  async cabPosted(changeId: string, channelId: string, ts: string): Promise<void> {
    await repo.updateChange(this.ctx.db, changeId, { cab_channel_id: channelId, cab_ts: ts });
  }

  find(id: string): Promise<Change | undefined> {
    return repo.findChange(this.ctx.db, id);
  }

  findMany(ids: string[]): Promise<Change[]> {
    return repo.findChanges(this.ctx.db, ids);
  }

  /** `/change list`: recent and upcoming changes (and those awaiting the CAB), or all. */
  list(opts: { all: boolean; limit: number }) {
    return repo.listChanges(this.ctx.db, { since: opts.all ? undefined : new Date(this.ctx.clock.now().getTime() - 7 * 24 * HOUR), limit: opts.limit });
  }

  incidentsCausedBy(changeId: string) {
    return repo.incidentsCausedBy(this.ctx.db, changeId);
  }

  /** Changes on services within the policy's look-back window. */
  recentOn(services: string[], db: Kysely<Database> = this.ctx.db): Promise<Change[]> {
    const now = this.ctx.clock.now();
    return repo.changesOnServices(db, services, new Date(now.getTime() - this.ctx.policy.changes.lookback_hours * HOUR), now);
  }

  /** A deployment from CI/CD, recorded once per external id; open incidents on its services are told. */
  async recordDeployment(d: Deployment): Promise<{ change: Change; created: boolean; incidentsTold: number }> {
    const services = this.services(d.services);
    if (!services.length) throw new DomainError('invalid_input', 'Name at least one service.', 'services');
    const existing = await repo.findChangeByExternalId(this.ctx.db, d.externalId);
    if (existing) return { change: existing, created: false, incidentsTold: 0 };
    const at = d.deployedAt ?? this.ctx.clock.now();
    const title = (d.title?.trim() || `Deploy ${services.join(', ')}${d.version ? ` ${d.version}` : ''}`) + (d.environment ? ` (${d.environment})` : '');
    const result = await this.ctx.db.transaction().execute(async (trx) => {
      const change = await repo.insertChange(trx, {
        title: title.slice(0, CHANGE_TITLE_MAX),
        description: d.description?.trim() ?? '',
        services,
        starts_at: at,
        ends_at: at,
        rollback_plan: '',
        implementer_name: d.deployedBy?.trim() || null,
        requested_by: 'webhook',
        source: 'webhook',
        external_id: d.externalId,
        url: d.url ?? null,
        status: 'deployed',
        created_at: this.ctx.clock.now(),
      });
      if (!change) return undefined;
      const open = await openIncidentsOn(trx, services);
      for (const incident of open) await this.tell(trx, incident, [change], 'deployment');
      return { change, created: true, incidentsTold: open.length };
    });
    if (!result) return { change: (await repo.findChangeByExternalId(this.ctx.db, d.externalId))!, created: false, incidentsTold: 0 };
    this.ctx.tasks.kick();
    return result;
  }

  /** Links a change to an incident as its cause (replacing any earlier link). */
  async linkCause(input: { incidentId: string; changeRef: string; actorId: string }): Promise<{ event?: TimelineEvent; change: Change }> {
    const id = parseChangeRef(input.changeRef);
    if (!id) throw new DomainError('invalid_input', 'Name the change: `/incident cause CHG-12` (`/change list` shows them).', 'changeRef');
    return this.incidents.applyChange(input.incidentId, async (trx, incident, t) => {
      const change = await repo.findChange(trx, id);
      if (!change) throw new DomainError('not_found', `There is no change CHG-${id}.`);
      if (incident.isDrill) throw new DomainError('invalid_state', 'This is an exercise: it cannot be linked to a real change.');
      if (incident.causedByChangeId === change.id) throw new DomainError('invalid_state', `${changeRef(change)} is already recorded as the cause.`);
      await updateIncident(trx, incident.id, { caused_by_change_id: change.id });
      const event = await t.append({ actorId: input.actorId, kind: 'cause_linked', payload: { change_id: change.id, ref: changeRef(change), title: change.title, previous: incident.causedByChangeId } });
      return { event, change };
    });
  }

  async clearCause(input: { incidentId: string; actorId: string }): Promise<{ event?: TimelineEvent }> {
    return this.incidents.applyChange(input.incidentId, async (trx, incident, t) => {
      if (!incident.causedByChangeId) throw new DomainError('invalid_state', 'No change is recorded as the cause.');
      await updateIncident(trx, incident.id, { caused_by_change_id: null });
      return { event: await t.append({ actorId: input.actorId, kind: 'cause_cleared', payload: { change_id: incident.causedByChangeId, ref: `CHG-${incident.causedByChangeId}` } }) };
    });
  }

  /** "What changed?": recent changes on the incident's services, at declaration and at triage. */
  hooks(): IncidentHooks {
    return {
      declared: (trx, incident) => this.showRecent(trx, incident, 'declared'),
      triaged: (trx, incident) => this.showRecent(trx, incident, 'triaged'),
    };
  }

  private async showRecent(trx: Kysely<Database>, incident: Incident, reason: 'declared' | 'triaged'): Promise<void> {
    // Exercises stay out of real change data (and out of "caused by a change" counts).
    if (incident.isDrill || incident.resolvedAt || !incident.services.length) return;
    const recent = await this.recentOn(incident.services, trx);
    if (!recent.length) return;
    const shown = new Set((await timelinePayloads(trx, incident.id, 'changes_shown')).flatMap((p) => p.change_ids));
    const fresh = recent.filter((c) => !shown.has(c.id));
    if (fresh.length) await this.tell(trx, incident, fresh, reason);
  }

  private async tell(trx: Kysely<Database>, incident: Incident, changes: Change[], reason: 'declared' | 'triaged' | 'deployment'): Promise<void> {
    const ids = changes.map((c) => c.id);
    await appendTimeline(trx, { incidentId: incident.id, actorId: null, kind: 'changes_shown', payload: { change_ids: ids, refs: changes.map(changeRef), reason }, at: this.ctx.clock.now() });
    await enqueueTask(trx, { kind: ChangeTask.recent, incidentId: incident.id, payload: { changeIds: ids, reason } });
  }
}
