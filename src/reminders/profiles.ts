import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Zone } from '../calendar/calendar.js';

/** The parts of a Slack profile that reminders and documents use. */
export interface Profile {
  userId: string;
  name: string;
  realName: string;
  /** IANA timezone from Slack (users.info `tz`). */
  tz: string | null;
  /** Seconds east of UTC (users.info `tz_offset`), used when the zone name is unknown here. */
  tzOffset: number;
  deleted: boolean;
  /** users.info `profile.email` (needs users:read.email); null when Slack gives none. */
  email?: string | null;
  /** users.info `is_bot` (apps and bot users). */
  isBot?: boolean;
}

/** Fetches profiles from Slack; returns those it could get (users that do not exist come back deleted). */
export interface ProfileSource {
  fetch(userIds: string[]): Promise<Profile[]>;
}

/**
 * Slack profiles cached in Postgres with a refresh age, so that a reminder run asks Slack only about
 * people it has not seen lately. Zone names PostgreSQL does not know are stored as null (the offset
 * then applies), so local-time arithmetic in SQL never fails on them.
 */
export class ProfileCache {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly source: ProfileSource,
    private readonly refreshHours: number,
  ) {}

  /** Ids among `userIds` whose profile is missing or older than the refresh age. */
  async stale(userIds: string[]): Promise<string[]> {
    const ids = [...new Set(userIds.filter(Boolean))];
    if (!ids.length) return [];
    const cutoff = new Date(this.clock.now().getTime() - this.refreshHours * 3_600_000);
    const fresh = await this.db.selectFrom('slack_users').select('user_id').where('user_id', 'in', ids).where('fetched_at', '>=', cutoff).execute();
    const known = new Set(fresh.map((r) => r.user_id));
    return ids.filter((id) => !known.has(id));
  }

  /** Fetches and stores the profiles of `userIds` that are stale; returns how many were fetched. */
  async refresh(userIds: string[]): Promise<number> {
    const stale = await this.stale(userIds);
    if (!stale.length) return 0;
    const profiles = await this.source.fetch(stale);
    await this.save(profiles);
    return profiles.length;
  }

  async save(profiles: Profile[]): Promise<void> {
    if (!profiles.length) return;
    const rows = profiles.map((p) => ({ user_id: p.userId, name: p.name, real_name: p.realName, tz: p.tz, tz_offset: p.tzOffset, deleted: p.deleted, email: p.email ?? null, is_bot: p.isBot ?? false }));
    await sql`
      with valid as materialized (select name from pg_timezone_names)
      insert into slack_users (user_id, name, real_name, tz, tz_offset, deleted, email, is_bot, fetched_at)
      select v.user_id, v.name, v.real_name, (select name from valid where name = v.tz), coalesce(v.tz_offset, 0), coalesce(v.deleted, false), nullif(v.email, ''), coalesce(v.is_bot, false), ${this.clock.now()}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(user_id text, name text, real_name text, tz text, tz_offset integer, deleted boolean, email text, is_bot boolean)
      on conflict (user_id) do update set name = excluded.name, real_name = excluded.real_name, tz = excluded.tz,
        tz_offset = excluded.tz_offset, deleted = excluded.deleted, email = excluded.email, is_bot = excluded.is_bot, fetched_at = excluded.fetched_at`.execute(this.db);
  }

  /** Display names by user id (real name, else handle), for documents. */
  async names(userIds: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(userIds.filter(Boolean))];
    if (!ids.length) return new Map();
    await this.refresh(ids).catch(() => 0);
    const rows = await this.db.selectFrom('slack_users').select(['user_id', 'name', 'real_name']).where('user_id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.user_id, r.real_name || r.name]));
  }

  /** Whether a Slack user is a bot or app (refreshed when stale); false when Slack could not say. */
  async isBot(userId: string): Promise<boolean> {
    await this.refresh([userId]).catch(() => 0);
    const row = await this.db.selectFrom('slack_users').select('is_bot').where('user_id', '=', userId).executeTakeFirst();
    return row?.is_bot ?? false;
  }

  /** A person's e-mail address as Slack gives it (refreshed when stale), or null: none, a deleted user, or Slack unreachable and never fetched. */
  async email(userId: string): Promise<string | null> {
    await this.refresh([userId]).catch(() => 0);
    const row = await this.db.selectFrom('slack_users').select(['email', 'deleted']).where('user_id', '=', userId).executeTakeFirst();
    return row && !row.deleted ? row.email : null;
  }
}

/** Zones of the given people, as stored (UTC for those never fetched). */
export async function zonesOf(db: Db, userIds: string[]): Promise<Map<string, Zone>> {
  const ids = [...new Set(userIds)];
  const rows = ids.length ? await db.selectFrom('slack_users').select(['user_id', 'tz', 'tz_offset']).where('user_id', 'in', ids).execute() : [];
  return new Map(rows.map((r) => [r.user_id, { tz: r.tz, offsetSeconds: r.tz_offset }]));
}
