import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { DomainError, refuseInvalid } from '../incidents/errors.js';
import type { Incident } from '../incidents/incident.js';
import type { IncidentService } from '../incidents/service.js';
import { IncidentTask } from '../incidents/side-effects.js';
import type { ServiceContext } from '../context.js';
import { effectiveIncidentsSql } from './effective.js';
import { differsAtMinute, orderProblems, RECORDED_COLUMN, TIME_KEYS, TIME_LABELS, type KeyTime, type KeyTimes, type TimeKey } from './keys.js';

export interface CorrectionInput {
  incidentId: string;
  actorId: string;
  /** The times as submitted; a key left out (or empty) keeps its time. */
  values: Partial<Record<TimeKey, Date | null>>;
  reason: string;
}

/** Reads an incident's key timestamps, as recorded and as they count. */
export async function keyTimes(db: Db, incidentId: string): Promise<KeyTime[]> {
  const { rows } = await sql<Record<string, any>>`${effectiveIncidentsSql(sql`i.id = ${incidentId}`)}`.execute(db);
  const row = rows[0];
  if (!row) throw new DomainError('not_found', 'That incident no longer exists.');
  const corrected = new Set<string>(row.corrected_keys ?? []);
  return TIME_KEYS.map((key) => {
    const column = RECORDED_COLUMN[key];
    return {
      key,
      recorded: column ? (row[`recorded_${column}`] ?? null) : null,
      effective: column ? (row[column] ?? null) : (row.impact_started_at ?? null),
      corrected: corrected.has(key),
    };
  });
}

/** Which keys a person may set on this incident now: resolved and closed only once it is. */
export function settableKeys(incident: Pick<Incident, 'resolvedAt' | 'closedAt'>): TimeKey[] {
  return TIME_KEYS.filter((k) => (k === 'resolved' ? incident.resolvedAt !== null : k === 'closed' ? incident.closedAt !== null : true));
}

/**
 * Key timestamps people can correct. A correction is a new row (here and in the timeline): the
 * recorded time and every earlier timeline row stay as they were, so the hash chain holds.
 */
export class TimestampService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly incidents: IncidentService,
  ) {}

  times(incidentId: string): Promise<KeyTime[]> {
    return keyTimes(this.ctx.db, incidentId);
  }

  /** Records the corrections of the keys whose time changed; refuses (by key) times out of order or in the future. */
  async correct(input: CorrectionInput): Promise<{ corrected: TimeKey[] }> {
    const reason = input.reason.trim();
    refuseInvalid({ reason: reason ? undefined : 'Say why, for the record.' });
    return this.incidents.applyChange(input.incidentId, async (trx, incident, t) => {
      const current = await keyTimes(trx, incident.id);
      const allowed = new Set(settableKeys(incident));
      const times = Object.fromEntries(current.map((k) => [k.key, k.effective])) as KeyTimes;
      const changed = new Set<TimeKey>();
      for (const key of TIME_KEYS) {
        const to = input.values[key];
        if (!to || !differsAtMinute(to, times[key])) continue;
        if (!allowed.has(key)) throw new DomainError('invalid_input', `The incident is not ${TIME_LABELS[key]} yet.`, key);
        times[key] = to;
        changed.add(key);
      }
      if (!changed.size) throw new DomainError('invalid_input', 'No time was changed.', 'reason');
      refuseInvalid(orderProblems(times, changed, t.now));
      for (const key of TIME_KEYS.filter((k) => changed.has(k))) {
        const was = current.find((k) => k.key === key)!;
        await trx.insertInto('incident_time_corrections').values({ incident_id: incident.id, key, recorded: was.recorded, corrected: times[key]!, reason, actor_id: input.actorId, at: t.now }).execute();
        const row = await t.append({ actorId: input.actorId, kind: 'timestamp_corrected', payload: { key, from: was.effective?.toISOString() ?? null, to: times[key]!.toISOString(), reason } });
        await t.enqueue({ kind: IncidentTask.broadcast, payload: { eventId: row!.id, target: 'channel' } });
      }
      return { corrected: [...changed] };
    });
  }
}
