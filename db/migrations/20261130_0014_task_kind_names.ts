import { sql, type Kysely } from 'kysely';

/**
 * Outbox task kinds follow one convention, `<domain>.<verb or thing>` with the domain in the
 * singular. Tasks still pending under a former name (queued by the previous version) are renamed so
 * they run after the upgrade; their dedupe keys, which start with the kind, are renamed with them so
 * a new task still coalesces with a pending one. Finished rows keep the name they ran under.
 */
const RENAMED: [from: string, to: string][] = [
  ['changes.recent', 'change.recent'],
  ['incident.bridge', 'escalation.bridge'],
  ['reminders.refresh', 'reminder.refresh'],
  ['signals.post', 'signal.post'],
  ['signals.declare', 'signal.declare'],
];

async function rename(db: Kysely<any>, pairs: [string, string][]): Promise<void> {
  for (const [from, to] of pairs) {
    await sql`update slack_tasks set kind = ${to} where kind = ${from} and done_at is null`.execute(db);
    await sql`
      update slack_tasks set dedupe_key = ${to} || substr(dedupe_key, ${from.length + 1})
      where done_at is null and starts_with(dedupe_key, ${`${from}:`})`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await rename(db, RENAMED);
}

export async function down(db: Kysely<any>): Promise<void> {
  await rename(
    db,
    RENAMED.map(([from, to]) => [to, from]),
  );
}
