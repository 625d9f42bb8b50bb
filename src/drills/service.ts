import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { DomainError } from '../incidents/errors.js';
import type { Incident } from '../incidents/incident.js';
import type { IncidentHooks, IncidentService } from '../incidents/service.js';
import type { ScheduledJob } from '../jobs/scheduler.js';
import { enqueueTask } from '../outbox/tasks.js';
import { scenarioSchema, type Milestone, type Scenario } from '../policy/preparedness.js';
import type { Policy } from '../policy/schema.js';
import { appendTimeline } from '../timeline/timeline.js';
import { scorecard, type Scorecard } from './scorecard.js';
import type { TaskKind } from '../outbox/kinds.js';
import type { ServiceContext } from '../context.js';

/** Outbox tasks: post one inject; post the scorecard. */
export const DrillTask = { inject: 'drill.inject', scorecard: 'drill.scorecard' } as const satisfies Record<string, TaskKind>;

const MINUTE = 60_000;

export function findScenario(policy: Policy, name: string): Scenario | undefined {
  const n = name.trim().toLowerCase();
  return policy.drills.scenarios.find((s) => s.name === n);
}

/**
 * Sends the injects of a drill that are due at `now` and were not sent yet. The (drill, inject)
 * primary key makes each inject go out once, however many replicas run this or how often.
 */
async function sendDueInjects(trx: Kysely<Database>, incidentId: string, script: Scenario, startedAt: Date, now: Date): Promise<number> {
  let sent = 0;
  for (const [index, inject] of script.injects.entries()) {
    if (startedAt.getTime() + inject.at_minutes * MINUTE > now.getTime()) continue;
    const claimed = await trx
      .insertInto('drill_injects')
      .values({ incident_id: incidentId, inject_index: index, fired_at: now })
      .onConflict((oc) => oc.columns(['incident_id', 'inject_index']).doNothing())
      .returning('inject_index')
      .executeTakeFirst();
    if (!claimed) continue;
    await appendTimeline(trx, { incidentId, actorId: null, kind: 'drill_inject', payload: { index, at_minutes: inject.at_minutes, text: inject.text }, at: now });
    await enqueueTask(trx, { kind: DrillTask.inject, incidentId, payload: { index, atMinutes: inject.at_minutes, text: inject.text } });
    sent++;
  }
  return sent;
}

/**
 * Tabletop exercises: `/incident drill <scenario>` declares an exercise incident (marked as such
 * everywhere, excluded from metrics and real paging), its injects are posted at their minutes, and
 * when it is resolved a scorecard compares the milestones with the scenario's expectations.
 */
export class DrillService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  scenarios(): Scenario[] {
    return this.ctx.policy.drills.scenarios;
  }

  async start(input: { teamId: string; scenario: string; facilitatorId: string }): Promise<{ incident: Incident; scenario: Scenario }> {
    const scenario = findScenario(this.ctx.policy, input.scenario);
    if (!scenario) {
      const names = this.ctx.policy.drills.scenarios.map((s) => `\`${s.name}\``).join(', ');
      throw new DomainError('not_found', names ? `No drill scenario called "${input.scenario}". Scenarios: ${names}.` : 'No drill scenarios are configured (policy `drills`).');
    }
    const { incident } = await this.incidents.declare(
      {
        teamId: input.teamId,
        title: scenario.title,
        description: scenario.description,
        severity: scenario.severity ?? this.ctx.policy.severities[0].id,
        kind: scenario.kind,
        services: scenario.services,
        // Naming a commander is one of the milestones the exercise measures.
        commanderId: null,
        reporterId: input.facilitatorId,
        isDrill: true,
      },
      {
        within: async (trx, incident) => {
          await trx
            .insertInto('drills')
            .values({ incident_id: incident.id, scenario: scenario.name, script: JSON.stringify(scenario), started_by: input.facilitatorId, started_at: incident.declaredAt, scorecard: null, scored_at: null })
            .execute();
          await sendDueInjects(trx, incident.id, scenario, incident.declaredAt, incident.declaredAt);
        },
      },
    );
    return { incident, scenario };
  }

  /** The scorecard is computed and posted when a drill is resolved (again after a reopen). */
  hooks(): IncidentHooks {
    return { resolved: (trx, incident) => this.score(trx, incident) };
  }

  private async score(trx: Kysely<Database>, incident: Incident): Promise<void> {
    if (!incident.isDrill) return;
    const drill = await trx.selectFrom('drills').selectAll().where('incident_id', '=', incident.id).executeTakeFirst();
    const script = drill ? scenarioSchema.safeParse(drill.script) : undefined;
    if (!drill || !script?.success) return;
    const commander = await trx.selectFrom('incident_roles').select(sql<Date | null>`min(assigned_at)`.as('at')).where('incident_id', '=', incident.id).where('role', '=', 'commander').executeTakeFirst();
    const update = await trx.selectFrom('timeline_events').select(sql<Date | null>`min(at)`.as('at')).where('incident_id', '=', incident.id).where('kind', '=', 'update').executeTakeFirst();
    const injects = await trx.selectFrom('drill_injects').select((eb) => eb.fn.countAll<string>().as('n')).where('incident_id', '=', incident.id).executeTakeFirstOrThrow();
    const reached: Record<Milestone, Date | null> = {
      commander_named: commander?.at ?? null,
      triaged: incident.acknowledgedAt,
      first_update: update?.at ?? null,
      resolved: incident.resolvedAt,
    };
    const card: Scorecard = scorecard(script.data, drill.started_at, reached, Number(injects.n));
    const now = this.ctx.clock.now();
    await trx.updateTable('drills').set({ scorecard: JSON.stringify(card), scored_at: now }).where('incident_id', '=', incident.id).execute();
    await appendTimeline(trx, { incidentId: incident.id, actorId: null, kind: 'drill_scored', payload: { scenario: card.scenario, met: card.met, timed: card.timed, rows: card.rows }, at: now });
    await enqueueTask(trx, { kind: DrillTask.scorecard, incidentId: incident.id, payload: { scorecard: card } });
  }
}

/** Every 30 seconds: sends the injects that became due in running drills (and catches up after downtime). */
export function drillInjectsJob(db: Db, onQueued: () => void): ScheduledJob {
  return {
    name: 'drill-injects',
    cron: '*/30 * * * * *',
    async run(now) {
      const running = await db
        .selectFrom('drills as d')
        .innerJoin('incidents as i', 'i.id', 'd.incident_id')
        .select(['d.incident_id', 'd.script', 'd.started_at'])
        .where('i.resolved_at', 'is', null)
        .where('i.closed_at', 'is', null)
        .execute();
      let sent = 0;
      for (const d of running) {
        const script = scenarioSchema.safeParse(d.script);
        if (!script.success) continue;
        sent += await db.transaction().execute((trx) => sendDueInjects(trx, d.incident_id, script.data, d.started_at, now));
      }
      if (sent) onQueued();
    },
  };
}
