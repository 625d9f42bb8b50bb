import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError, refuseInvalid, type FieldProblems } from '../incidents/errors.js';
import { isPrivate, isResolved, type Incident } from '../incidents/incident.js';
import { findIncidentById } from '../incidents/repository.js';
import { findReview } from '../reviews/repository.js';
import { enqueueTask } from '../outbox/tasks.js';
import { appendTimeline } from '../timeline/timeline.js';
import { problemRef, statusFor, type Problem, type ProblemFields } from './problem.js';
import * as repo from './repository.js';
import { ProblemTask } from './side-effects.js';
import type { ServiceContext } from '../context.js';

/** Longest problem title (fits a Slack header). */
export const PROBLEM_TITLE_MAX = 150;
const TEXT_MAX = 3000;

/** Problem records: opened from a resolved incident whose root cause is not settled, linked to more incidents, resolved. */
export class ProblemService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Problems with the fields, by field; empty when fine. */
  check(f: ProblemFields): FieldProblems<keyof ProblemFields> {
    const problems: FieldProblems<keyof ProblemFields> = {};
    const title = f.title.trim();
    if (!title) problems.title = 'Give the problem a title.';
    else if (title.length > PROBLEM_TITLE_MAX) problems.title = `Keep the title to ${PROBLEM_TITLE_MAX} characters (it has ${title.length}).`;
    for (const k of ['description', 'knownError', 'workaround'] as const) {
      if (f[k].length > TEXT_MAX) problems[k] = `Keep this to ${TEXT_MAX} characters (it has ${f[k].length}).`;
    }
    if (!/^[UW][A-Z0-9]+$/.test(f.ownerId)) problems.ownerId = 'Choose who owns the problem.';
    return problems;
  }

  /** Explains why an incident cannot become a problem record, or undefined when it can. */
  async refusal(incident: Incident): Promise<string | undefined> {
    if (!isResolved(incident)) return 'Resolve the incident first: a problem record follows up the cause of a resolved incident.';
    const review = await findReview(this.ctx.db, incident.id);
    if (review?.rootCauseConfirmed) {
      return 'The review records the root cause of this incident as confirmed, so there is no open problem to track. Change that in `/incident review` if the cause is still uncertain.';
    }
    return undefined;
  }

  /** Opens a problem record from a resolved incident and links it. */
  async create(input: ProblemFields & { incidentId: string; actorId: string; sourceKey?: string }): Promise<{ problem: Problem; created: boolean }> {
    refuseInvalid(this.check(input));
    if (input.sourceKey) {
      const existing = await repo.findProblemBySourceKey(this.ctx.db, input.sourceKey);
      if (existing) return { problem: existing, created: false };
    }
    const incident = await findIncidentById(this.ctx.db, input.incidentId);
    if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
    const refusal = await this.refusal(incident);
    if (refusal) throw new DomainError('invalid_state', refusal);
    const id = await this.ctx.db.transaction().execute(async (trx) => {
      const now = this.ctx.clock.now();
      const row = await trx
        .insertInto('problems')
        .values({
          team_id: incident.teamId,
          title: input.title.trim(),
          description: input.description.trim(),
          known_error: input.knownError.trim(),
          workaround: input.workaround.trim(),
          owner_id: input.ownerId,
          status: statusFor(input),
          private: isPrivate(incident),
          created_by: input.actorId,
          created_at: now,
          updated_at: now,
          resolution: null,
          source_key: input.sourceKey ?? null,
        })
        .onConflict((oc) => oc.column('source_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) return undefined;
      await this.attach(trx, row.id, incident, input.actorId, true);
      await enqueueTask(trx, { kind: ProblemTask.announce, incidentId: incident.id, payload: { problemId: row.id, by: input.actorId } });
      return row.id;
    });
    if (id) this.ctx.tasks.kick();
    if (!id) return { problem: (await repo.findProblemBySourceKey(this.ctx.db, input.sourceKey!))!, created: false };
    return { problem: (await repo.findProblem(this.ctx.db, id))!, created: true };
  }

  /** Updates the record's text (known error, workaround…); its status follows unless it is resolved. */
  async update(problemId: string, teamId: string, fields: ProblemFields): Promise<Problem> {
    refuseInvalid(this.check(fields));
    const current = await this.get(problemId, teamId);
    await this.ctx.db
      .updateTable('problems')
      .set({
        title: fields.title.trim(),
        description: fields.description.trim(),
        known_error: fields.knownError.trim(),
        workaround: fields.workaround.trim(),
        owner_id: fields.ownerId,
        ...(current.status === 'resolved' ? {} : { status: statusFor(fields) }),
        updated_at: this.ctx.clock.now(),
      })
      .where('id', '=', problemId)
      .execute();
    return this.get(problemId, teamId);
  }

  /** Links one more incident; `linked` is false when it already was. */
  async link(problemId: string, incidentId: string, actorId: string): Promise<{ problem: Problem; linked: boolean }> {
    const incident = await findIncidentById(this.ctx.db, incidentId);
    if (!incident) throw new DomainError('not_found', 'That incident no longer exists.');
    const problem = await this.get(problemId, incident.teamId);
    if (problem.status === 'resolved') throw new DomainError('invalid_state', `${problemRef(problem)} is resolved; open a new problem record if the cause is back.`);
    const linked = await this.ctx.db.transaction().execute((trx) => this.attach(trx, problemId, incident, actorId, false));
    if (linked) this.ctx.tasks.kick();
    return { problem: await this.get(problemId, incident.teamId), linked };
  }

  async resolve(problemId: string, teamId: string, resolution: string): Promise<Problem> {
    const text = resolution.trim();
    if (!text) throw new DomainError('invalid_input', 'Say how the problem was fixed: `/incident problem resolve PRB-<n> <how>`.', 'resolution');
    const problem = await this.get(problemId, teamId);
    if (problem.status === 'resolved') throw new DomainError('invalid_state', `${problemRef(problem)} is already resolved.`);
    await this.ctx.db.updateTable('problems').set({ status: 'resolved', resolution: text, resolved_at: this.ctx.clock.now(), updated_at: this.ctx.clock.now() }).where('id', '=', problemId).execute();
    return this.get(problemId, teamId);
  }

  async get(problemId: string, teamId: string): Promise<Problem> {
    const p = await repo.findProblem(this.ctx.db, problemId, teamId);
    if (!p) throw new DomainError('not_found', `There is no problem record PRB-${problemId}. \`/incident problems\` lists the open ones.`);
    return p;
  }

  listOpen(teamId: string, limit = 30) {
    return repo.listOpenProblems(this.ctx.db, teamId, limit);
  }

  ofIncident(incidentId: string): Promise<Problem[]> {
    return repo.problemsOfIncident(this.ctx.db, incidentId);
  }

  private async attach(trx: Kysely<Database>, problemId: string, incident: Incident, actorId: string, created: boolean): Promise<boolean> {
    const now = this.ctx.clock.now();
    const linked = await repo.linkIncident(trx, problemId, incident.id, actorId, now);
    if (!linked) return false;
    if (isPrivate(incident)) await trx.updateTable('problems').set({ private: true }).where('id', '=', problemId).execute();
    const row = await appendTimeline(trx, { incidentId: incident.id, actorId, kind: 'problem_linked', payload: { problem_id: problemId, created }, at: now });
    await this.ctx.events.publish(trx, row);
    return true;
  }
}
