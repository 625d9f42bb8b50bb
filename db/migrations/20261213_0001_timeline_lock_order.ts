import { sql, type Kysely } from 'kysely';

/**
 * Appending to an incident's timeline takes the incident row's key-share lock before the chain's
 * per-incident lock. The row's foreign key takes that row lock anyway, but only after the insert
 * (so after the chain lock): a transaction that had locked the incident for update and then appended
 * (a role change) and one that appended first (a note) waited for each other, and PostgreSQL ended
 * one of them as a deadlock. In this order the second simply waits for the first to commit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function timeline_chain() returns trigger language plpgsql as $$
    declare last record;
    begin
      perform 1 from incidents where id = new.incident_id for key share;
      perform pg_advisory_xact_lock(hashtextextended('timeline:' || new.incident_id::text, 0));
      select seq, hash into last from timeline_events where incident_id = new.incident_id order by seq desc limit 1;
      new.seq := coalesce(last.seq, 0) + 1;
      new.prev_hash := coalesce(last.hash, '');
      new.hash := timeline_row_hash(new.prev_hash, timeline_row_content(new.incident_id, new.seq, new.at, new.actor_id, new.kind, new.payload, new.dedupe_key));
      return new;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function timeline_chain() returns trigger language plpgsql as $$
    declare last record;
    begin
      perform pg_advisory_xact_lock(hashtextextended('timeline:' || new.incident_id::text, 0));
      select seq, hash into last from timeline_events where incident_id = new.incident_id order by seq desc limit 1;
      new.seq := coalesce(last.seq, 0) + 1;
      new.prev_hash := coalesce(last.hash, '');
      new.hash := timeline_row_hash(new.prev_hash, timeline_row_content(new.incident_id, new.seq, new.at, new.actor_id, new.kind, new.payload, new.dedupe_key));
      return new;
    end $$`.execute(db);
}
