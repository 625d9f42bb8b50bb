import { DomainError } from '../incidents/errors.js';
import { toIncident, type Incident } from '../incidents/incident.js';
import { privateIncidentsVisibleTo } from './access.js';
import { incidentRows, type IncidentRow, type RowFilter, type TimelineRow } from './export.js';
import { actionCounts, followUpOf, type FollowUpStats } from './follow-up.js';
import { periodFigures, periodTrend, type Stats, type Trend } from './metrics.js';
import { periodOf, type Period, type PeriodKey } from './period.js';
import { recurringIssues, type RecurringIssue } from './recurring.js';
import type { ServiceContext } from '../context.js';
import type { KeyTime } from '../timestamps/keys.js';
import { keyTimes } from '../timestamps/service.js';

export interface Summary {
  period: Period;
  stats: Stats;
  /** The period before, for trend arrows. */
  previous: Trend;
  recurring: RecurringIssue[];
  followUp: FollowUpStats;
}

/** Numbers and lists for leadership and responders: stats, exports, the Home tab, the dashboard. */
export class ReportService {
  constructor(private readonly ctx: ServiceContext) {}

  now(): Date {
    return this.ctx.clock.now();
  }

  async summary(key: PeriodKey, teamId?: string): Promise<Summary> {
    const now = this.ctx.clock.now();
    const period = periodOf(key, now);
    // Each period's figures are one statement (one pass over its incidents; the previous period only
    // what its trends need); the four run side by side.
    const [current, previous, recurring, actions] = await Promise.all([
      periodFigures(this.ctx.db, this.ctx.policy, { teamId, from: period.from, to: period.to, now }),
      periodTrend(this.ctx.db, this.ctx.policy, { teamId, from: period.previous.from, to: period.previous.to, now }),
      recurringIssues(this.ctx.db, this.ctx.policy, { teamId, now }),
      actionCounts(this.ctx.db, { teamId, now }),
    ]);
    return { period, stats: current.stats, previous, recurring, followUp: followUpOf(actions, current.reviews) };
  }

  rows(filter: Omit<RowFilter, 'now'>): Promise<IncidentRow[]> {
    return incidentRows(this.ctx.db, this.ctx.policy, { ...filter, now: this.ctx.clock.now() });
  }

  /** One incident and its timeline, if the viewer may see it (private incidents: participants only). */
  async incidentReport(id: string, viewer: string | undefined): Promise<{ incident: Incident; times: KeyTime[]; timeline: TimelineRow[] }> {
    if (!/^\d+$/.test(id)) throw new DomainError('not_found', 'No such incident.');
    const row = await this.ctx.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('not_found', 'No such incident.');
    const incident = toIncident(row);
    if (incident.kind === 'security' && !(await privateIncidentsVisibleTo(this.ctx.db, viewer, [id])).has(id)) {
      throw new DomainError('forbidden', 'This is a restricted security incident.');
    }
    const [rows, times] = await Promise.all([
      this.ctx.db.selectFrom('timeline_events').select(['seq', 'at', 'actor_id', 'kind', 'payload', 'hash']).where('incident_id', '=', id).orderBy('seq').execute(),
      keyTimes(this.ctx.db, id),
    ]);
    return { incident, times, timeline: rows.map((e) => ({ seq: e.seq, at: e.at.toISOString(), actor: e.actor_id, kind: e.kind, payload: e.payload, hash: e.hash })) };
  }

  /** Open incidents where the user is reporter, commander or holds a role, newest first. */
  async myOpenIncidents(userId: string, opts: { limit: number; offset: number }): Promise<{ incidents: (Incident & { myRoles: string[] })[]; total: number }> {
    const base = this.ctx.db
      .selectFrom('incidents as i')
      .where('i.resolved_at', 'is', null)
      .where('i.closed_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('i.reporter_id', '=', userId),
          eb('i.commander_id', '=', userId),
          eb.exists(eb.selectFrom('incident_roles as r').select('r.id').whereRef('r.incident_id', '=', 'i.id').where('r.user_id', '=', userId).where('r.released_at', 'is', null)),
        ]),
      );
    const [rows, count] = await Promise.all([
      base.selectAll('i').orderBy('i.declared_at', 'desc').limit(opts.limit).offset(opts.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const ids = rows.map((r) => r.id);
    const roles = ids.length ? await this.ctx.db.selectFrom('incident_roles').select(['incident_id', 'role']).where('incident_id', 'in', ids).where('user_id', '=', userId).where('released_at', 'is', null).execute() : [];
    return {
      incidents: rows.map((r) => ({ ...toIncident(r), myRoles: roles.filter((x) => x.incident_id === r.id).map((x) => x.role) })),
      total: Number(count.n),
    };
  }

  /** P1/P2 incidents declared in a window (for the weekly report). */
  async majorIncidents(from: Date, to: Date): Promise<IncidentRow[]> {
    const top = this.ctx.policy.priorities.slice(0, 2).map((p) => p.id);
    const rows = await this.rows({ from, to });
    return rows.filter((r) => top.includes(r.priority));
  }
}
