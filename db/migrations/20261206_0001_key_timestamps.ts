import { sql, type Kysely } from 'kysely';

/**
 * Key timestamps people can correct. `detected_at` is when the problem was first noticed as
 * recorded (the first alert's time for an incident declared from a signal, else the declaration).
 * A correction never overwrites a recorded time: it is a row here (and a timeline row), naming the
 * recorded value it corrects, so a later recording (resolved again after a reopen) is not hidden
 * by an old correction. Impact start has no recorded value: only corrections set it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('detected_at', 'timestamptz').execute();
  // Incidents declared from an alert group: its first alert; the rest: their declaration.
  await sql`
    update incidents i set detected_at = least(i.declared_at, coalesce((
      select min(g.first_seen_at) from signal_groups g
      join timeline_events t on t.incident_id = i.id and t.kind = 'signal_linked'
        and t.payload->>'group_id' = g.id::text and t.payload->>'how' in ('declared', 'auto')
      where g.incident_id = i.id), i.declared_at))`.execute(db);
  await db.schema.alterTable('incidents').alterColumn('detected_at', (c) => c.setNotNull()).execute();
  // An insert that does not say (an older writer, a script) was detected when it was declared.
  await sql`
    create function incidents_detected_default() returns trigger language plpgsql as $$
    begin
      if new.detected_at is null then new.detected_at := new.declared_at; end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger incidents_detected_default before insert on incidents for each row execute function incidents_detected_default()`.execute(db);

  await db.schema
    .createTable('incident_time_corrections')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('incident_id', 'bigint', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull().check(sql`key in ('impact_started', 'detected', 'declared', 'acknowledged', 'mitigated', 'resolved', 'closed')`))
    // The recorded value this correction applies to (null for impact start).
    .addColumn('recorded', 'timestamptz')
    .addColumn('corrected', 'timestamptz', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('incident_time_corrections_incident').on('incident_time_corrections').columns(['incident_id', 'key', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('incident_time_corrections').execute();
  await sql`drop trigger incidents_detected_default on incidents`.execute(db);
  await sql`drop function incidents_detected_default()`.execute(db);
  await db.schema.alterTable('incidents').dropColumn('detected_at').execute();
}
