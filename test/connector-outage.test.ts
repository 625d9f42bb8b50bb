import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itsmSchema } from '../src/policy/itsm-schema.js';
import { FakeClock } from './support/clock.js';
import { startTestApp, type TestApp } from './support/app.js';
import { adfText, startFakeJira, type FakeJira } from './support/fake-jira.js';
import { startFakeServiceNow, type FakeServiceNow, type Rec } from './support/fake-servicenow.js';
import { FakeSlack, type FakeChannel } from './support/fake-slack.js';
import { declareIncident, messageText, submitModal } from './support/flows.js';
import { ask, homeText, incidentOf, resolveIncident, run } from './support/follow-up.js';
import { jiraEnv } from './support/jira.js';
import { outboxTimePasses } from './support/outbox-time.js';
import { serviceNowEnv, synced as syncedIn } from './support/servicenow.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

/*
 * ServiceNow and Jira down for hours (a maintenance window answering 503 with Retry-After): the
 * connectors keep every event and catch up once the systems are back. The outbox keeps its time by
 * the database's clock, so time passes for it (outboxTimePasses) as the app's FakeClock moves.
 */
const clock = new FakeClock(new Date());
let sn: FakeServiceNow;
let jira: FakeJira;
let fake: FakeSlack;
let t: TestApp;

beforeAll(async () => {
  sn = await startFakeServiceNow();
  jira = await startFakeJira('cloud');
  fake = await FakeSlack.start();
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UOPS', 'ops']]) fake.addUser({ id, name, email: `${name}@example.com` });
  const itsm = itsmSchema.parse({
    servicenow: { instance_url: sn.url, poll_seconds: 3600, operators: ['UOPS'] },
    jira: { base_url: jira.url, deployment: 'cloud', project: 'OPS', issue_type: 'Incident' },
  });
  t = await startTestApp({ fake, clock, env: { ...serviceNowEnv(sn), ...jiraEnv(jira) }, policy: { itsm, reviews: { required_priorities: [], due_days: 5, remind_before_days: 2 } } as never });
});
afterAll(async () => {
  await t?.stop();
  await fake?.close();
  await sn?.close();
  await jira?.close();
});

const MINUTE = 60_000;
const synced = <T>(check: () => T | undefined | false, label: string) => syncedIn(t, check, label);

/**
 * `minutes` pass, for the app and the outbox, once what the last request started is done; then
 * whatever fell due runs (a failing delivery: one more try).
 */
async function minutesPass(minutes: number): Promise<void> {
  await t.settle();
  clock.advanceMinutes(minutes);
  await outboxTimePasses(t.app.db, minutes * MINUTE);
  await t.settle();
}

/** Both systems answer 503 "come back in 5 minutes" to every call until they recover. */
function maintenance(): void {
  sn.failNext(1_000_000, 503, 300);
  jira.failNext(1_000_000, 503, 300);
}

async function declared(title: string): Promise<{ channel: FakeChannel; id: string; ref: string; record: Rec; issueKey: string }> {
  const channel = await declareIncident(t, { userId: 'UANA', title, severity: 'SEV2', commander: 'UBEN' });
  const incident = await incidentOf(t, channel);
  const ref = `INC-${incident.number}`;
  const record = await synced(() => sn.records('incident').find((r) => r.correlation_id === ref), 'the record');
  const issue = await synced(() => jira.issues().find((i) => (i.fields.labels as string[]).includes(`io-${ref}`)), 'the issue');
  await t.settle();
  return { channel, id: incident.id, ref, record, issueKey: issue.key };
}

const homeOf = (userId: string) => homeText(t, userId);

const syncedEvents = async (incidentId: string, system: string) =>
  (await t.app.db.selectFrom('timeline_events').select(['payload']).where('incident_id', '=', incidentId).where('kind', '=', 'itsm_synced').orderBy('id').execute())
    .map((r) => r.payload as { system: string; event: string })
    .filter((p) => p.system === system)
    .map((p) => p.event);

describe('an outside system down for hours', () => {
  it('a 3-hour maintenance in ServiceNow and Jira, while the incident is updated and resolved: both catch up once back, each event once and in order', async () => {
    const { channel, id, record, issueKey } = await declared('Payments timing out');
    maintenance();

    await run(t, 'update', 'UBEN', channel.id);
    await submitModal(t, 'UBEN', 'incident_update', { status: { status: input.select('identified') }, message: { message: input.text('Gateway pool exhausted; raising it.') }, next_update: { next_update: input.select('30') } });
    await minutesPass(20);
    await resolveIncident(t, channel, 'UBEN', 'Pool raised; payments flow again.');
    // Three hours of 503s with Retry-After: 5 minutes, each a try of the oldest event waiting.
    for (let i = 0; i < 36; i++) await minutesPass(5);
    expect(sn.record('incident', record.sys_id)!.state).not.toBe('6');
    const waiting = await t.app.db.selectFrom('slack_tasks').select(['lane', 'attempts', 'failed']).where('incident_id', '=', id).where('lane', 'like', 'integration:%').where('failed', '=', true).execute();
    expect(waiting).toEqual([]);

    sn.recover();
    jira.recover();
    await minutesPass(5);
    const resolved = await synced(() => (sn.record('incident', record.sys_id)!.state === '6' ? sn.record('incident', record.sys_id) : undefined), 'the record resolved');
    expect(resolved.close_notes).toBe('Pool raised; payments flow again.');
    const issue = await synced(() => (jira.issue(issueKey).status.category === 'done' ? jira.issue(issueKey) : undefined), 'the issue done');

    // Each event applied once, in the order it happened.
    const notes = sn.journal(record.sys_id, 'work_notes').map((j) => String(j.value));
    expect(notes.filter((n) => n.includes('Gateway pool exhausted; raising it.'))).toHaveLength(1);
    expect(await syncedEvents(id, 'servicenow')).toEqual(['incident.declared', 'incident.updated', 'incident.resolved']);
    expect(issue.comments.map((c) => adfText(c.body)).filter((c) => c.includes('Gateway pool exhausted; raising it.'))).toHaveLength(1);
    const jiraEvents = await syncedEvents(id, 'jira');
    expect(jiraEvents.indexOf('incident.updated')).toBeGreaterThan(-1);
    expect(jiraEvents.indexOf('incident.resolved')).toBeGreaterThan(jiraEvents.indexOf('incident.updated'));
    expect(new Set(jiraEvents).size).toBe(jiraEvents.length);

    const itsm = messageText(await ask(t, 'itsm', 'UBEN', channel.id));
    expect(itsm).toMatch(/ServiceNow <[^>]+>: in sync/);
    expect(itsm).toMatch(/Jira <[^>]+> \(Done\): in sync/);
    expect(itsm).not.toMatch(/given up/);
  });

  it('a delivery still failing a day after its event is given up, shown with its age and error, and sent again by an operator', async () => {
    const { channel, id, record } = await declared('Search index stale');
    sn.failNext(1_000_000, 503, 300);
    const notedAt = Math.floor(clock.now().getTime() / 1000);
    await run(t, 'note Reindexing from the snapshot of 02:00.', 'UBEN', channel.id);
    await minutesPass(5);
    await minutesPass(23 * 60);
    expect(await t.app.db.selectFrom('servicenow_links').select('sync_state').where('incident_id', '=', id).executeTakeFirstOrThrow()).toEqual({ sync_state: 'pending' });
    await minutesPass(60);

    const [task] = await t.app.db.selectFrom('slack_tasks').select(['failed', 'last_error', 'done_at']).where('incident_id', '=', id).where('lane', '=', 'integration:servicenow').where('failed', '=', true).execute();
    expect(task.last_error).toMatch(/^given up after retrying for 24 h \(\d+ attempts\): ServiceNow .*503/);
    expect(await t.app.db.selectFrom('servicenow_links').select('sync_state').where('incident_id', '=', id).executeTakeFirstOrThrow()).toEqual({ sync_state: 'failed' });

    // Where people look: the sync state, and the event that never got there.
    const shown = messageText(await ask(t, 'itsm', 'UBEN', channel.id));
    expect(shown).toMatch(/ServiceNow <[^>]+>: failed \(given up\)/);
    const date = (unix: string) => `<!date\\^${unix}\\^[^|]+\\|[^>]+>`;
    expect(shown).toMatch(new RegExp(`1 ServiceNow sync given up \\(never applied there\\); \`/incident itsm retry\` sends it again:\n• \`incident.note_added\` of ${date(String(notedAt))}, given up ${date('\\d+')}: given up after retrying for 24 h`));

    const home = await homeOf('UOPS');
    expect(home).toContain('ServiceNow sync failing');
    expect(home).toMatch(new RegExp(`• \\*<#${channel.id}> Search index stale\\* \\(${record.number}\\) — 1 sync given up since <!date[^>]+>: ServiceNow .* answered 503: .* \\(\`/incident itsm retry\` in its channel sends it again\\)`));
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/incident_officer_integration_deliveries_total\{subscriber="servicenow",outcome="failed"\} 1\n/);

    // Only ServiceNow's operators may send it again; once back, it is applied, once.
    sn.recover();
    expect(messageText(await ask(t, 'itsm retry', 'UBEN', channel.id))).toBe('ServiceNow: only its operators (`operators` in its policy) may send given-up syncs again.');
    expect(messageText(await ask(t, 'itsm retry', 'UOPS', channel.id))).toBe('ServiceNow: 1 given-up sync queued again, in their original order; `/incident itsm` shows how they go.');
    await synced(() => sn.journal(record.sys_id, 'work_notes').some((j) => String(j.value).includes('Reindexing from the snapshot of 02:00.')), 'the note applied');
    await eventually(async () => (await t.app.db.selectFrom('servicenow_links').select('sync_state').where('incident_id', '=', id).executeTakeFirstOrThrow()).sync_state === 'synced', 10_000, 'in sync again');
    expect(sn.journal(record.sys_id, 'work_notes').filter((j) => String(j.value).includes('Reindexing from the snapshot of 02:00.'))).toHaveLength(1);
    const after = messageText(await ask(t, 'itsm', 'UBEN', channel.id));
    expect(after).toMatch(/ServiceNow <[^>]+>: in sync/);
    expect(after).not.toMatch(/given up/);
    await eventually(async () => !(await homeOf('UOPS')).includes('Search index stale') || undefined, 10_000, 'the incident gone from the Home tab');
    expect(messageText(await ask(t, 'itsm retry', 'UOPS', channel.id))).toBe('Nothing was given up: every sync of this incident went through or is still being retried.');
  });

  it('a given-up resolution followed by a reopening that went through is not sent again: the record stays open', async () => {
    const { channel, id, record } = await declared('Checkout errors');
    sn.failNext(1_000_000, 503, 300);
    await resolveIncident(t, channel, 'UBEN', 'Rolled back the release.');
    await minutesPass(5);
    await minutesPass(24 * 60 + 60);
    expect((await t.app.db.selectFrom('slack_tasks').select('failed').where('incident_id', '=', id).where('lane', '=', 'integration:servicenow').where('failed', '=', true).execute())).toHaveLength(1);

    // Back; the incident is reopened, and that reaches the record.
    sn.recover();
    expect(messageText(await ask(t, 'reopen Errors are back', 'UBEN', channel.id))).toContain('open again');
    const delivered = (type: string) =>
      t.app.db.selectFrom('slack_tasks').select('id').where('incident_id', '=', id).where('lane', '=', 'integration:servicenow').where('failed', '=', false).where('done_at', 'is not', null).where(sql<boolean>`payload->'event'->>'type' = ${type}`).executeTakeFirst();
    await synced(async () => Boolean(await delivered('incident.reopened')), 'the reopening delivered');
    expect(sn.record('incident', record.sys_id)!.state).not.toBe('6');

    const shown = messageText(await ask(t, 'itsm', 'UBEN', channel.id));
    expect(shown).not.toMatch(/:x:/);
    expect(shown).toContain('1 earlier ServiceNow sync was given up before a later one went through; not sent again');
    expect(await homeOf('UOPS')).not.toContain('Checkout errors');
    // Sending the resolution now would resolve the record of an open incident.
    expect(messageText(await ask(t, 'itsm retry', 'UOPS', channel.id))).toBe('Nothing to send again: the syncs given up were each followed by a later one that went through (`/incident itsm` lists them).');
    await minutesPass(5);
    expect(sn.record('incident', record.sys_id)!.state).not.toBe('6');
    expect(await delivered('incident.resolved')).toBeUndefined();
    expect(await syncedEvents(id, 'servicenow')).not.toContain('incident.resolved');
  });
});
