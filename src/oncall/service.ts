import { DomainError } from '../incidents/errors.js';
import type { RotationPolicy } from '../policy/signals-schema.js';
import { followingShift, scheduledShift } from './rotation.js';
import type { ServiceContext } from '../context.js';

/** A person put on call by an override, for a span of time. */
export interface Override {
  id: string;
  rotation: string;
  userId: string;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
}

/** Who is on call for a stretch of time, and why. */
export interface OnCall {
  userId: string;
  from: Date;
  until: Date;
  override?: Override;
}

const MAX_OVERRIDE_DAYS = 90;

/** The person on call at `at`: the most recent override covering it, else the schedule. */
export function onCallAt(r: RotationPolicy, overrides: Override[], at: Date): OnCall {
  const t = at.getTime();
  const covering = overrides.filter((o) => o.startsAt.getTime() <= t && t < o.endsAt.getTime()).sort((a, b) => Number(b.id) - Number(a.id))[0];
  const shift = scheduledShift(r, at);
  // The stretch ends at the next change: the override's end, the next handoff, or another override starting.
  const boundaries = [covering ? covering.endsAt.getTime() : shift.end.getTime(), ...overrides.map((o) => o.startsAt.getTime()).filter((s) => s > t)];
  if (covering) boundaries.push(...overrides.filter((o) => o.id !== covering.id && o.endsAt.getTime() > t).map((o) => o.endsAt.getTime()));
  const until = new Date(Math.min(...boundaries));
  if (covering) return { userId: covering.userId, from: covering.startsAt, until, override: covering };
  return { userId: shift.userId, from: shift.start, until };
}

/** On-call rotations from the policy, with overrides kept in the database. */
export class OncallService {
  constructor(private readonly ctx: ServiceContext) {}

  rotations(): RotationPolicy[] {
    return this.ctx.policy.oncall.rotations;
  }

  rotation(name: string): RotationPolicy | undefined {
    return this.ctx.policy.oncall.rotations.find((r) => r.name === name.toLowerCase());
  }

  private async overrides(rotation: string, from: Date): Promise<Override[]> {
    const rows = await this.ctx.db
      .selectFrom('oncall_overrides')
      .selectAll()
      .where('rotation', '=', rotation)
      .where('cancelled_at', 'is', null)
      .where('ends_at', '>', from)
      .orderBy('starts_at')
      .execute();
    return rows.map((r) => ({ id: r.id, rotation: r.rotation, userId: r.user_id, startsAt: r.starts_at, endsAt: r.ends_at, createdBy: r.created_by }));
  }

  /** Who is on call for the rotation now (or at `at`). */
  async whoIsOn(name: string, at: Date = this.ctx.clock.now()): Promise<OnCall | undefined> {
    const r = this.rotation(name);
    if (!r) return undefined;
    return onCallAt(r, await this.overrides(r.name, at), at);
  }

  /** Now, next, and the overrides still to come. */
  async summary(name: string, at: Date = this.ctx.clock.now()): Promise<{ rotation: RotationPolicy; now: OnCall; next: OnCall; overrides: Override[] } | undefined> {
    const r = this.rotation(name);
    if (!r) return undefined;
    const overrides = await this.overrides(r.name, at);
    const now = onCallAt(r, overrides, at);
    let next = onCallAt(r, overrides, now.until);
    // A boundary where the same person carries on (e.g. an override for whoever is scheduled anyway) is not a handoff.
    for (let i = 0; i < 10 && next.userId === now.userId; i++) next = onCallAt(r, overrides, next.until);
    return { rotation: r, now, next, overrides: overrides.filter((o) => o.endsAt > at) };
  }

  /** The scheduled shift after the current one (ignores overrides), for showing the regular order. */
  followingShift(name: string, at: Date = this.ctx.clock.now()) {
    const r = this.rotation(name);
    return r ? followingShift(r, at) : undefined;
  }

  async addOverride(input: { rotation: string; userId: string; from: Date; to: Date; createdBy: string }): Promise<Override> {
    const r = this.rotation(input.rotation);
    if (!r) throw new DomainError('not_found', `There is no rotation named ${input.rotation}.`);
    const now = this.ctx.clock.now();
    if (input.to <= input.from) throw new DomainError('invalid_input', 'The override must end after it starts.', 'to');
    if (input.to <= now) throw new DomainError('invalid_input', 'That override would already be over.', 'to');
    if (input.to.getTime() - input.from.getTime() > MAX_OVERRIDE_DAYS * 86_400_000) throw new DomainError('invalid_input', `An override can last at most ${MAX_OVERRIDE_DAYS} days.`, 'to');
    const row = await this.ctx.db
      .insertInto('oncall_overrides')
      .values({ rotation: r.name, user_id: input.userId, starts_at: input.from, ends_at: input.to, created_by: input.createdBy, created_at: now, cancelled_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { id: row.id, rotation: row.rotation, userId: row.user_id, startsAt: row.starts_at, endsAt: row.ends_at, createdBy: row.created_by };
  }

  async cancelOverride(id: string): Promise<Override> {
    if (!/^\d+$/.test(id)) throw new DomainError('invalid_input', 'Give the override number shown by `/incident oncall <rotation>`.', 'id');
    const row = await this.ctx.db
      .updateTable('oncall_overrides')
      .set({ cancelled_at: this.ctx.clock.now() })
      .where('id', '=', id)
      .where('cancelled_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new DomainError('not_found', `There is no active override #${id}.`);
    return { id: row.id, rotation: row.rotation, userId: row.user_id, startsAt: row.starts_at, endsAt: row.ends_at, createdBy: row.created_by };
  }
}
