import { sql, type Kysely } from 'kysely';

/**
 * One alert delivery to one group in one call (one database round trip, in autocommit): the group's
 * upsert and its alerts', a new episode when it fires again after its reopen window, the recount and
 * post scheduling, and the post's outbox task. Each is its own statement, so the recount sees the
 * upsert and, after the group's row lock, every delivery committed before it. A delivery that needs
 * more (an auto-declare, or the last firing group of an incident resolving) raises SQLSTATE IOSLW
 * before anything commits, and the caller does it in a transaction of its own instead.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
create function ingest_signal_delivery(
  p_source text, p_group_key text, p_facts jsonb, p_alerts jsonb, p_at timestamptz,
  p_reopen_ms bigint, p_post_interval int, p_listed int, p_listed_firing int, p_unlisted int, p_lane text
) returns table (is_new boolean, queued boolean)
language plpgsql volatile as $fn$
declare
  v_id bigint;
  v_inserted boolean;
  v_before_status text;
  v_before_resolved timestamptz;
  v_is_new boolean;
  v_scheduled_before timestamptz;
  v_reported_firing int := case when p_listed_firing > 0 then p_listed_firing + p_unlisted else 0 end;
  v_g signal_groups%rowtype;
  v_run_at timestamptz;
begin
  insert into signal_groups as sg (source, group_key, title, description, severity, service, labels, link, first_seen_at,
      route_action, route, channel_id, classification, classification_reason, classified_by, classified_at, incident_id,
      post_channel_id, post_ts, posted_at, post_scheduled_for, status, last_seen_at, delivery_count, resolved_at, posting_until)
    values (p_source, p_group_key, p_facts->>'title', p_facts->>'description', p_facts->>'severity', p_facts->>'service',
      p_facts->'labels', p_facts->>'link', p_at, p_facts->>'route_action', p_facts->'route', p_facts->>'channel_id',
      null, null, null, null, null, null, null, null, null, p_facts->>'status', p_at, 0, null, null)
    on conflict (source, group_key) do update set last_seen_at = p_at, version = sg.version + 1
    returning sg.id, (sg.xmax = 0), sg.status, sg.resolved_at into v_id, v_inserted, v_before_status, v_before_resolved;

  insert into signals as s (group_id, source, dedup_key, title, description, severity, service, labels, link, status, count,
      first_seen_at, last_seen_at, resolved_at)
    select v_id, p_source, t.k, t.t, t.d, t.v, t.s, t.l, t.u, t.st, t.n, p_at, p_at, case when t.st = 'resolved' then p_at end
    from jsonb_to_recordset(p_alerts) as t(k text, t text, d text, v text, s text, l jsonb, u text, st text, n int)
    on conflict (source, dedup_key) do update set
      count = s.count + excluded.count, last_seen_at = excluded.last_seen_at, status = excluded.status,
      resolved_at = case when excluded.status = 'resolved' then coalesce(s.resolved_at, excluded.last_seen_at) end,
      title = excluded.title, description = excluded.description, severity = excluded.severity,
      service = excluded.service, labels = excluded.labels, link = excluded.link;

  v_is_new := v_inserted;
  if not v_inserted and v_before_status = 'resolved' and p_facts->>'status' = 'firing' and v_before_resolved is not null
     and p_at - date_trunc('milliseconds', v_before_resolved) > p_reopen_ms * interval '1 millisecond' then
    update signal_groups set episode = episode + 1, title = p_facts->>'title', description = p_facts->>'description',
        severity = p_facts->>'severity', service = p_facts->>'service', labels = p_facts->'labels', link = p_facts->>'link',
        first_seen_at = p_at, route_action = p_facts->>'route_action', route = p_facts->'route', channel_id = p_facts->>'channel_id',
        classification = null, classification_reason = null, classified_by = null, classified_at = null, incident_id = null,
        post_channel_id = null, post_ts = null, posted_at = null, post_scheduled_for = null
      where id = v_id;
    v_is_new := true;
  end if;

  select post_scheduled_for into v_scheduled_before from signal_groups where id = v_id;
  update signal_groups g set
      signal_count = greatest(a.n, p_listed + p_unlisted),
      firing_count = greatest(a.f, v_reported_firing),
      unlisted_count = p_unlisted,
      delivery_count = g.delivery_count + 1,
      status = case when a.f > 0 then 'firing' else 'resolved' end,
      resolved_at = case when a.f > 0 then null else coalesce(g.resolved_at, p_at) end,
      post_scheduled_for = case when g.route_action <> 'drop' and g.post_scheduled_for is null and g.channel_id is not null
        then greatest(now(), coalesce(g.posted_at + make_interval(secs => p_post_interval), now())) else g.post_scheduled_for end
    from (select count(*)::int as n, (count(*) filter (where status = 'firing'))::int as f from signals where group_id = v_id) a
    where g.id = v_id
    returning g.* into v_g;

  if (v_is_new and v_g.route_action = 'declare')
     or (v_g.incident_id is not null and (v_is_new or v_before_status = 'firing') and v_g.status = 'resolved') then
    raise exception 'signal delivery needs its transaction' using errcode = 'IOSLW';
  end if;

  queued := false;
  if v_scheduled_before is null and v_g.post_scheduled_for is not null then
    v_run_at := date_trunc('milliseconds', v_g.post_scheduled_for);
    insert into slack_tasks (kind, incident_id, payload, dedupe_key, run_at, last_error, locked_until, done_at, lane, idempotency_key)
      values ('signal.post', null, jsonb_build_object('groupId', v_id::text),
        'signal.post:' || v_id || ':' || (extract(epoch from v_run_at) * 1000)::bigint, v_run_at, null, null, null, p_lane, null)
      on conflict (dedupe_key) where done_at is null do nothing;
    queued := true;
  end if;
  is_new := v_is_new;
  return next;
end
$fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists ingest_signal_delivery(text, text, jsonb, jsonb, timestamptz, bigint, int, int, int, int, text)`.execute(db);
}
