import { sql, type Kysely } from 'kysely';

/**
 * A tamper-evident timeline: rows are append-only (UPDATE, DELETE and TRUNCATE are refused) and
 * hash-chained per incident. Each row gets a per-incident sequence number and
 * hash = sha256(prev_hash | content), computed by the database under a per-incident lock so
 * concurrent appends cannot fork the chain.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('timeline_events').addColumn('seq', 'integer').addColumn('prev_hash', 'text').addColumn('hash', 'text').execute();

  await sql`
    create function timeline_row_content(incident_id bigint, seq integer, at timestamptz, actor_id text, kind text, payload jsonb, dedupe_key text)
    returns text language sql immutable as $$
      select concat_ws('|', incident_id::text, seq::text, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        coalesce(actor_id, ''), kind, payload::text, coalesce(dedupe_key, ''))
    $$`.execute(db);

  await sql`
    create function timeline_row_hash(prev_hash text, content text) returns text language sql immutable as $$
      select encode(sha256(convert_to(coalesce(prev_hash, '') || '|' || content, 'UTF8')), 'hex')
    $$`.execute(db);

  // Existing rows, chained in the order they were written.
  await sql`
    do $$
    declare r record; prev text; last_incident bigint := null; n integer := 0;
    begin
      for r in select * from timeline_events order by incident_id, id loop
        if last_incident is distinct from r.incident_id then prev := ''; n := 0; last_incident := r.incident_id; end if;
        n := n + 1;
        update timeline_events set seq = n, prev_hash = prev,
          hash = timeline_row_hash(prev, timeline_row_content(r.incident_id, n, r.at, r.actor_id, r.kind, r.payload, r.dedupe_key))
        where id = r.id returning hash into prev;
      end loop;
    end $$`.execute(db);

  await sql`alter table timeline_events alter column seq set not null, alter column prev_hash set not null, alter column hash set not null`.execute(db);
  await sql`create unique index timeline_events_chain_key on timeline_events (incident_id, seq)`.execute(db);

  await sql`
    create function timeline_chain() returns trigger language plpgsql as $$
    declare last record;
    begin
      perform pg_advisory_xact_lock(hashtextextended('timeline:' || new.incident_id::text, 0));
      select seq, hash into last from timeline_events where incident_id = new.incident_id order by seq desc limit 1;
      new.seq := coalesce(last.seq, 0) + 1;
      new.prev_hash := coalesce(last.hash, '');
      new.hash := timeline_row_hash(new.prev_hash, timeline_row_content(new.incident_id, new.seq, new.at, new.actor_id, new.kind, new.payload, new.dedupe_key));
      return new;
    end $$`.execute(db);
  await sql`create trigger timeline_chain before insert on timeline_events for each row execute function timeline_chain()`.execute(db);

  await sql`
    create function timeline_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'timeline rows are append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger timeline_append_only before update or delete on timeline_events for each row execute function timeline_append_only()`.execute(db);
  await sql`create trigger timeline_no_truncate before truncate on timeline_events for each statement execute function timeline_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists timeline_no_truncate on timeline_events`.execute(db);
  await sql`drop trigger if exists timeline_append_only on timeline_events`.execute(db);
  await sql`drop trigger if exists timeline_chain on timeline_events`.execute(db);
  await sql`drop function if exists timeline_append_only(), timeline_chain(), timeline_row_hash(text, text), timeline_row_content(bigint, integer, timestamptz, text, text, jsonb, text)`.execute(db);
  await sql`drop index if exists timeline_events_chain_key`.execute(db);
  await db.schema.alterTable('timeline_events').dropColumn('seq').dropColumn('prev_hash').dropColumn('hash').execute();
}
