import { sql, type Kysely } from 'kysely';

/**
 * Outbox lanes. Until now every pending task of an incident waited for the older ones, so one
 * failing step held back the rest of that incident's side effects until it succeeded or was given
 * up. That suits Slack (the card before the updates, the channel before the posts) but not outside
 * systems: a ticketing system that is down for an hour must not hold the incident's Slack messages,
 * nor another system's deliveries. Each task now belongs to a lane: Slack side effects stay in
 * `slack`, and each integration-event subscriber has its own (`integration:<name>`). Order holds
 * per incident within a lane, and each lane is claimed by its own runner.
 *
 * An integration delivery carries an idempotency key (event and subscriber) that stays unique
 * after it ran, unlike `dedupe_key`, which only coalesces pending work.
 *
 * Replicas of the previous version claim tasks of every lane and would give up deliveries they
 * have no handler for: stop them before this runs (README, Upgrades).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table slack_tasks add column lane text not null default 'slack'`.execute(db);
  await sql`alter table slack_tasks add column idempotency_key text`.execute(db);
  await sql`create unique index slack_tasks_idempotency_key on slack_tasks (idempotency_key)`.execute(db);
  await sql`drop index slack_tasks_incident_pending_idx`.execute(db);
  await sql`create index slack_tasks_incident_pending_idx on slack_tasks (incident_id, lane, id) where done_at is null`.execute(db);
  await sql`create index slack_tasks_lane_due_idx on slack_tasks (lane, run_at) where done_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // The previous version knows no lane: deliveries still pending would block the Slack work of their incidents.
  await sql`delete from slack_tasks where lane <> 'slack'`.execute(db);
  await sql`drop index slack_tasks_lane_due_idx`.execute(db);
  await sql`drop index slack_tasks_incident_pending_idx`.execute(db);
  await sql`create index slack_tasks_incident_pending_idx on slack_tasks (incident_id, id) where done_at is null`.execute(db);
  await sql`drop index slack_tasks_idempotency_key`.execute(db);
  await sql`alter table slack_tasks drop column idempotency_key`.execute(db);
  await sql`alter table slack_tasks drop column lane`.execute(db);
}
