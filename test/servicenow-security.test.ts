import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './support/app.js';
import type { FakeServiceNow, Rec } from './support/fake-servicenow.js';
import { declareIncident } from './support/flows.js';
import { ask, incidentOf, resolveIncident } from './support/follow-up.js';
import { publishReview, reassignFromHome, startServiceNowApp, synced as syncedIn, entryText } from './support/servicenow.js';

let sn: FakeServiceNow;
let t: TestApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  // The default itsm.servicenow.security: the title only; no description, no notes.
  ({ sn, t, stop } = await startServiceNowApp({
    servicenow: { poll_seconds: 3600 },
    policy: { reviews: { required_priorities: [], due_days: 5, remind_before_days: 2 } },
    users: [['UVAL', 'valentina'], ['UWES', 'wesley'], ['UBEN', 'ben']],
  }));
});
afterAll(async () => stop?.());

const synced = <T>(check: () => T | undefined | false, label: string) => syncedIn(t, check, label);

/** Everything a ServiceNow user could read of the records the connector wrote: fields, journal entries and attachments. */
function everythingInServiceNow(): string {
  const tables = ['incident', 'incident_task', 'problem', 'problem_task', 'sys_journal_field', 'sys_attachment'];
  const records = tables.flatMap((table) => sn.records(table).map((r) => JSON.stringify(r)));
  const files = sn.records('sys_attachment').map((a) => sn.attachment(a.sys_id)?.toString('utf8') ?? '');
  return [...records, ...files].join('\n');
}

describe('a security incident in ServiceNow (itsm.servicenow.security defaults)', () => {
  it('keeps its details out of the incident record, its tasks, its problem record and its attachments', async () => {
    const channel = await declareIncident(t, { userId: 'UBEN', title: 'Leaked API key', severity: 'SEV3', commander: 'UBEN', kind: 'security', description: 'Key AKIA-DESC in a public repo' });
    const incident = await incidentOf(t, channel);
    const ref = `INC-${incident.number}`;
    const inc: Rec = await synced(() => sn.records('incident').find((r) => r.correlation_id === ref), 'the incident record');
    expect(inc.short_description).toBe(`${ref}: Leaked API key`);

    // A follow-up action: its task is there, titled and described without the action's words or its owner.
    const added = await ask(t, 'action <@UVAL> Revoke AKIA-ACTION in IAM due 2026-12-20', 'UBEN', channel.id);
    const first = /A-\d+/.exec(JSON.stringify(added))![0];
    const task: Rec = await synced(() => sn.records('incident_task').find((r) => r.correlation_id === `${ref}/${first}`), 'the incident_task');
    expect(task).toMatchObject({ incident: inc.sys_id, short_description: `${first}: Follow-up action of ${ref}`, description: `Follow-up action ${first} of ${ref}, tracked in Incident Officer.`, due_date: '2026-12-20 23:59:59' });
    await reassignFromHome(t, 'UVAL', 'Revoke AKIA-ACTION', 'UWES');
    await synced(async () => (await t.app.db.selectFrom('timeline_events').select('id').where('incident_id', '=', incident.id).where('kind', '=', 'itsm_synced').where('payload', '@>', JSON.stringify({ event: 'action.reassigned' }) as never).executeTakeFirst()) !== undefined, 'the reassignment synced');
    expect(sn.journal(task.sys_id, 'work_notes').map(entryText)).toEqual(['Reassigned in Incident Officer.']);
    await ask(t, `action done ${first}`, 'UWES', channel.id);
    await synced(() => sn.record('incident_task', task.sys_id)!.state === '3', 'the task closed');

    // A problem (its own details too), and an action after it: a problem record and a problem task.
    const { id } = await t.app.db
      .insertInto('problems')
      .values({ team_id: incident.team_id, title: 'Keys in repositories', description: 'Root cause AKIA-PROBLEM: no secret scanning', owner_id: 'UBEN', created_by: 'UBEN', created_at: new Date(), updated_at: new Date() } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await ask(t, `problem link PRB-${id}`, 'UBEN', channel.id)).text).toMatch(new RegExp(`is now linked to \\*PRB-${id}\\*`));
    const problem: Rec = await synced(() => sn.records('problem').find((r) => r.correlation_id === `PRB-${id}`), 'the problem record');
    await synced(() => sn.record('incident', inc.sys_id)!.problem_id === problem.sys_id, 'problem_id');
    const second = /A-\d+/.exec(JSON.stringify(await ask(t, 'action <@UWES> Add AKIA-PTASK to the deny list due 2026-12-21', 'UBEN', channel.id)))![0];
    const ptask: Rec = await synced(() => sn.records('problem_task').find((r) => r.correlation_id === `${ref}/${second}`), 'the problem_task');
    expect(ptask).toMatchObject({ problem: problem.sys_id, short_description: `${second}: Follow-up action of ${ref}` });

    // A note, the resolution and the published review.
    await ask(t, 'note Rotated AKIA-NOTE everywhere', 'UBEN', channel.id);
    await resolveIncident(t, channel, 'UBEN', 'Revoked AKIA-SUMMARY and rotated');
    await synced(() => sn.record('incident', inc.sys_id)!.state === '6', 'the resolution');
    const { published } = await publishReview(t, channel, 'UBEN');
    expect(published.content).toContain('broker restart');
    await t.settle();

    expect(sn.records('sys_attachment')).toHaveLength(0);
    const seen = everythingInServiceNow();
    for (const secret of ['AKIA', 'valentina', 'wesley', 'broker restart', 'no secret scanning']) expect(seen, secret).not.toContain(secret);
    expect(problem.description).toBe(`Details of security incident PRB-${id} are kept in Incident Officer.`);
    expect((await t.app.db.selectFrom('servicenow_links').select('last_error').where('incident_id', '=', incident.id).executeTakeFirstOrThrow()).last_error).toBeNull();
  });
});
