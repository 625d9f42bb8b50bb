import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { startFakeServiceNow, type FakeServiceNow, type Rec } from './support/fake-servicenow.js';
import { FakeSlack, type FakeChannel } from './support/fake-slack.js';
import { declareIncident, messageText } from './support/flows.js';
import { ask, homeText, resolveIncident } from './support/follow-up.js';
import { eventually } from './support/wait.js';
import { pressHomeActionButton, publishReview, reassignFromHome, serviceNowEnv, serviceNowPolicy, synced as syncedIn, entryText } from './support/servicenow.js';

let sn: FakeServiceNow;
let fake: FakeSlack;
let t: TestApp;

beforeAll(async () => {
  sn = await startFakeServiceNow();
  fake = await FakeSlack.start();
  t = await startTestApp({
    fake,
    env: serviceNowEnv(sn),
    policy: { itsm: serviceNowPolicy(sn, { operators: ['UOPS'] }) },
  });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UOPS', 'ops']]) t.fake.addUser({ id, name });
});
afterAll(async () => {
  await t?.stop();
  await fake?.close();
  await sn?.close();
});

const incidentOf = (c: FakeChannel) => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();

const synced = <T>(check: () => T | undefined | false, label: string) => syncedIn(t, check, label);

describe('ServiceNow records beyond the incident, driven through Slack', () => {
  it('keeps one incident_task per follow-up action: created with due date and owner, closed when done, reopened, re-dated when snoozed, re-described when reassigned', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Queue backlog', severity: 'SEV2', commander: 'UBEN' });
    const ref = `INC-${(await incidentOf(channel)).number}`;
    const inc = await synced(() => sn.records('incident').find((r) => r.correlation_id === ref), 'the incident record');

    const added = await ask(t, 'action <@UANA> Add an age alarm on the retry queue due 2026-12-20', 'UBEN', channel.id);
    const actionRef = /A-\d+/.exec(JSON.stringify(added))![0];
    const tasksOf = () => sn.records('incident_task').filter((r) => r.correlation_id === `${ref}/${actionRef}`);
    const task: Rec = await synced(() => tasksOf()[0], 'the incident_task');
    expect(task).toMatchObject({
      incident: inc.sys_id,
      short_description: `${actionRef}: Add an age alarm on the retry queue`,
      due_date: '2026-12-20 23:59:59',
      state: '1',
      correlation_display: 'Incident Officer',
      sys_created_by: 'incident.officer',
    });
    expect(task.description).toMatch(new RegExp(`^Follow-up action ${actionRef} of ${ref}, tracked in Incident Officer\\. Owner \\(in Slack\\): (ana|UANA)\\.$`));
    expect(task.number).toMatch(/^TASK\d{7}$/);

    // Done in Slack → Closed Complete.
    expect((await ask(t, `action done ${actionRef}`, 'UANA', channel.id)).text).toBe(`${actionRef} is done :white_check_mark:.`);
    await synced(() => sn.record('incident_task', task.sys_id)!.state === '3', 'the task closed');
    expect(sn.record('incident_task', task.sys_id)).toMatchObject({ state: '3', close_notes: 'Done in Incident Officer.', active: 'false' });

    // Reopened in Slack → open again.
    expect((await ask(t, `action reopen ${actionRef}`, 'UANA', channel.id)).text).toBe(`${actionRef} is open again.`);
    await synced(() => sn.record('incident_task', task.sys_id)!.state === '1', 'the task reopened');
    expect(sn.journal(task.sys_id, 'work_notes').map(entryText)).toEqual(['Reopened in Incident Officer.']);

    // Snoozed and reassigned from the owner's Home tab → the task's due date and description follow.
    await pressHomeActionButton(t, 'UANA', 'Add an age alarm', /snooze/);
    const snoozed = await eventually(async () => (await t.app.db.selectFrom('follow_up_actions').select('snoozed_until').where('title', '=', 'Add an age alarm on the retry queue').executeTakeFirstOrThrow()).snoozed_until);
    await synced(() => sn.record('incident_task', task.sys_id)!.due_date === `${snoozed} 23:59:59`, 'the task re-dated');
    expect(sn.journal(task.sys_id, 'work_notes').map(entryText)).toContain(`Postponed in Incident Officer to ${snoozed}.`);

    await reassignFromHome(t, 'UANA', 'Add an age alarm', 'UBEN');
    await synced(() => /Owner \(in Slack\): (ben|UBEN)\.$/.test(sn.record('incident_task', task.sys_id)!.description), 'the task reassigned');
    expect(sn.journal(task.sys_id, 'work_notes').map(entryText).some((v) => /^Reassigned in Incident Officer to (ben|UBEN)\.$/.test(v))).toBe(true);

    // One task for the action, created once; each sync is a timeline row.
    await t.settle();
    expect(tasksOf()).toHaveLength(1);
    expect(sn.apiCalls().filter((c) => c.method === 'POST' && c.path === '/api/now/table/incident_task')).toHaveLength(1);
    const incidentId = (await incidentOf(channel)).id;
    const rows = await t.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', incidentId).where('kind', '=', 'itsm_synced').orderBy('id').execute();
    const taskRows = rows.map((r) => r.payload as { table: string; event: string; number: string }).filter((p) => p.table === 'incident_task');
    expect(taskRows.map((p) => p.event)).toEqual(['action.created', 'action.done', 'action.reopened', 'action.snoozed', 'action.reassigned']);
    expect(taskRows.every((p) => p.number === task.number)).toBe(true);
  });

  it('an action added after the record\'s creation was given up: the record is created first, then its task', async () => {
    // The account may not create incidents for now: 403 is permanent, so the declaration's delivery is given up.
    sn.deny({ table: 'incident', operation: 'create' });
    let channel: FakeChannel;
    let incidentId: string;
    try {
      channel = await declareIncident(t, { userId: 'UANA', title: 'Billing export late', severity: 'SEV3', commander: 'UBEN' });
      incidentId = (await incidentOf(channel)).id;
      await synced(async () => (await t.app.db.selectFrom('servicenow_links').select('sync_state').where('incident_id', '=', incidentId).executeTakeFirst())?.sync_state === 'failed', 'the creation given up');
    } finally {
      sn.store.acl.length = 0;
    }
    const ref = `INC-${(await incidentOf(channel)).number}`;
    expect(sn.records('incident').filter((r) => r.correlation_id === ref)).toHaveLength(0);

    const actionRef = /A-\d+/.exec(JSON.stringify(await ask(t, 'action <@UANA> Re-run the billing export due 2026-12-22', 'UBEN', channel.id)))![0];
    const task: Rec = await synced(() => sn.records('incident_task').find((r) => r.correlation_id === `${ref}/${actionRef}`), 'the incident_task');
    const inc = sn.records('incident').filter((r) => r.correlation_id === ref);
    expect(inc).toHaveLength(1);
    expect(inc[0]).toMatchObject({ short_description: `${ref}: Billing export late`, state: '1' });
    expect(task).toMatchObject({ incident: inc[0].sys_id, short_description: `${actionRef}: Re-run the billing export` });
    expect(inc[0].sys_created_on <= task.sys_created_on).toBe(true);
    // Linked, in sync again, and shown as a bookmark.
    await synced(() => channel.bookmarks.some((b) => b.title === `ServiceNow ${inc[0].number}`), 'the bookmark');
    expect(await t.app.db.selectFrom('servicenow_links').select(['sys_id', 'sync_state', 'last_error']).where('incident_id', '=', incidentId).executeTakeFirstOrThrow()).toEqual({ sys_id: inc[0].sys_id, sync_state: 'synced', last_error: null });
    const rows = await t.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', incidentId).where('kind', '=', 'itsm_synced').orderBy('id').execute();
    expect(rows.map((r) => r.payload as { event: string; table: string; created: boolean })).toEqual([
      expect.objectContaining({ event: 'action.created', table: 'incident', created: true }),
      expect.objectContaining({ event: 'action.created', table: 'incident_task', created: true }),
    ]);
  });

  it('`/incident itsm test` names a task table the account may not read', async () => {
    sn.deny({ table: 'incident_task', operation: 'read' });
    try {
      const answer = messageText(await ask(t, 'itsm test', 'UANA', 'CGENERAL'));
      expect(answer).toMatch(/read incident_task \(the tasks of follow-up actions\): ServiceNow answered 403 User Not Authorized/);
      expect(answer).not.toContain('read problem ');
    } finally {
      sn.store.acl.length = 0;
    }
  });
});

describe('problem and change records, driven through Slack', () => {
  const insertChange = async (title: string, url: string | null) =>
    (await t.app.db
      .insertInto('changes')
      .values({ title, services: [], starts_at: new Date(), ends_at: new Date(), requested_by: 'webhook', source: 'webhook', status: 'deployed', url, created_at: new Date() } as never)
      .returning('id')
      .executeTakeFirstOrThrow()).id;

  it('a linked problem becomes one problem record, referenced by each incident linked to it', async () => {
    const first = await declareIncident(t, { userId: 'UANA', title: 'Stale prices', severity: 'SEV3', commander: 'UBEN' });
    const second = await declareIncident(t, { userId: 'UANA', title: 'Stale prices again', severity: 'SEV3', commander: 'UBEN' });
    const refs = [`INC-${(await incidentOf(first)).number}`, `INC-${(await incidentOf(second)).number}`];
    const incs = await Promise.all(refs.map((ref) => synced(() => sn.records('incident').find((r) => r.correlation_id === ref), `the record of ${ref}`)));
    const { id } = await t.app.db
      .insertInto('problems')
      .values({ team_id: (await incidentOf(first)).team_id, title: 'Price cache never expires', description: 'TTL missing on the price cache', owner_id: 'UBEN', created_by: 'UBEN', created_at: new Date(), updated_at: new Date() } as never)
      .returning('id')
      .executeTakeFirstOrThrow();

    for (const c of [first, second]) expect((await ask(t, `problem link PRB-${id}`, 'UBEN', c.id)).text).toMatch(new RegExp(`is now linked to \\*PRB-${id}\\*`));
    const problem: Rec = await synced(() => sn.records('problem').find((r) => r.correlation_id === `PRB-${id}`), 'the problem record');
    expect(problem).toMatchObject({ short_description: `PRB-${id}: Price cache never expires`, description: 'TTL missing on the price cache', correlation_display: 'Incident Officer' });
    expect(problem.number).toMatch(/^PRB\d{7}$/);
    for (const inc of incs) await synced(() => sn.record('incident', inc.sys_id)!.problem_id === problem.sys_id, `problem_id on ${inc.number}`);
    await t.settle();
    expect(sn.records('problem').filter((r) => r.correlation_id === `PRB-${id}`)).toHaveLength(1);

    // An action of an incident linked to a problem is a problem task.
    const added = await ask(t, 'action <@UBEN> Set a TTL on the price cache due 2026-12-21', 'UBEN', first.id);
    const actionRef = /A-\d+/.exec(JSON.stringify(added))![0];
    const ptask: Rec = await synced(() => sn.records('problem_task').find((r) => r.correlation_id === `${refs[0]}/${actionRef}`), 'the problem_task');
    expect(ptask).toMatchObject({ problem: problem.sys_id, short_description: `${actionRef}: Set a TTL on the price cache`, due_date: '2026-12-21 23:59:59', state: '1' });
    await ask(t, `action done ${actionRef}`, 'UBEN', first.id);
    await synced(() => sn.record('problem_task', ptask.sys_id)!.state === '3', 'the problem task closed');
    expect(sn.records('incident_task').filter((r) => r.correlation_id === `${refs[0]}/${actionRef}`)).toHaveLength(0);
  });

  it('the change that caused an incident: caused_by when it has a change request in ServiceNow, else a work note', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Login loop', severity: 'SEV3', commander: 'UBEN' });
    const ref = `INC-${(await incidentOf(channel)).number}`;
    const inc = await synced(() => sn.records('incident').find((r) => r.correlation_id === ref), 'the incident record');

    const chg = sn.as('change.manager').insert('change_request', { short_description: 'Deploy auth v9', state: '-1' });
    const withCounterpart = await insertChange('Deploy auth v9', `${sn.url}/nav_to.do?uri=${encodeURIComponent(`change_request.do?sys_id=${chg.sys_id}`)}`);
    expect((await ask(t, `cause CHG-${withCounterpart}`, 'UBEN', channel.id)).text).toContain(`CHG-${withCounterpart} (Deploy auth v9) is recorded as the cause of ${ref}`);
    await synced(() => sn.record('incident', inc.sys_id)!.caused_by === chg.sys_id, 'caused_by');
    expect(sn.journal(inc.sys_id, 'work_notes').map(entryText)).toContain(`Caused by change CHG-${withCounterpart} (${chg.number}), recorded in Incident Officer.`);

    const ownOnly = await insertChange('Rotate session keys', null);
    await ask(t, `cause CHG-${ownOnly}`, 'UBEN', channel.id);
    const note = `Caused by change CHG-${ownOnly} (Rotate session keys), recorded in Incident Officer; it has no change request in ServiceNow.`;
    await synced(() => sn.journal(inc.sys_id, 'work_notes').some((j) => entryText(j) === note), 'the cause as a work note');
    expect(sn.record('incident', inc.sys_id)!.caused_by).toBe('');

    await ask(t, 'cause clear', 'UBEN', channel.id);
    await synced(() => sn.journal(inc.sys_id, 'work_notes').some((j) => entryText(j) === `Change CHG-${ownOnly} is no longer recorded as the cause.`), 'the cleared cause');

    // A cause the service desk set in ServiceNow is theirs: naming one of ours without a counterpart keeps it.
    const theirs = sn.as('change.manager').insert('change_request', { short_description: 'Network maintenance', state: '-1' });
    sn.as('change.manager').update('incident', inc.sys_id, { caused_by: theirs.sys_id });
    await ask(t, `cause CHG-${ownOnly}`, 'UBEN', channel.id);
    await synced(() => sn.journal(inc.sys_id, 'work_notes').filter((j) => entryText(j) === note).length === 2, 'the cause noted again');
    expect(sn.record('incident', inc.sys_id)!.caused_by).toBe(theirs.sys_id);
  });
});

describe('the post-incident review, driven through Slack', () => {
  it('attaches the published document to the incident record, once per published version; drafts stay in Slack', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Late notifications', severity: 'SEV2', commander: 'UBEN' });
    const ref = `INC-${(await incidentOf(channel)).number}`;
    const inc = await synced(() => sn.records('incident').find((r) => r.correlation_id === ref), 'the incident record');
    await resolveIncident(t, channel, 'UBEN', 'Leases restored; backlog drained.');
    const { published, files } = await publishReview(t, channel, 'UBEN');

    const attachmentsOf = () => sn.records('sys_attachment').filter((a) => a.table_name === 'incident' && a.table_sys_id === inc.sys_id);
    const attachment = await synced(() => attachmentsOf()[0], 'the attachment');
    const version = /-v(\d+)\.md$/.exec(published.filename)![1];
    expect(attachment).toMatchObject({ file_name: `${ref}-post-incident-review-v${version}.md`, content_type: 'text/markdown' });
    expect(sn.attachment(attachment.sys_id)!.toString('utf8')).toBe(published.content);
    await t.settle();
    // The draft and in-review versions posted before it are not attached.
    expect(files().length).toBeGreaterThan(1);
    expect(attachmentsOf()).toHaveLength(1);
  });
});

describe('sync failures', () => {
  const home = (userId: string) => homeText(t, userId);

  it('are listed on the Home tab of the integration operators (only theirs) and counted in the deliveries metric', async () => {
    sn.failNext(100_000, 503);
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Slow search', severity: 'SEV2', commander: 'UBEN' });
    const incident = await incidentOf(channel);
    await eventually(async () => (await t.app.db.selectFrom('servicenow_links').select('last_error').where('incident_id', '=', incident.id).executeTakeFirst())?.last_error, 15_000, 'the failing sync');
    await eventually(async () => (await home('UOPS')).includes('ServiceNow sync failing') || undefined, 10_000, 'the Home section');
    const text = await home('UOPS');
    expect(text).toContain(`• *<#${channel.id}> Slow search* (no record yet) — retrying since`);
    expect(text).toMatch(/503/);
    expect(await home('UANA')).not.toContain('ServiceNow sync failing');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/incident_officer_integration_deliveries_total\{subscriber="servicenow",outcome="retry"\} [1-9]/);

    // Back: the record is created and the incident leaves the section. (An incident of an earlier test
    // whose declaration was given up stays listed, until `/incident itsm retry` sends it again.)
    sn.recover();
    const ref = `INC-${incident.number}`;
    await eventually(async () => {
      await t.settle();
      return sn.records('incident').some((r) => r.correlation_id === ref) || undefined;
    }, 60_000, 'the record once ServiceNow is back');
    await eventually(async () => !(await home('UOPS')).includes('Slow search') || undefined, 10_000, 'the incident gone from the section');
  });
});

describe('ServiceNow people, matched by their Slack e-mail address', () => {
  let eva: Rec;
  let fin: Rec;
  beforeAll(() => {
    t.fake.addUser({ id: 'UEVA', name: 'eva', email: 'eva@example.com' });
    t.fake.addUser({ id: 'UFIN', name: 'fin', email: 'fin.ops@example.com' });
    // In Slack with an address ServiceNow does not know; and one without an address at all.
    t.fake.addUser({ id: 'UGIL', name: 'gil', email: 'gil@elsewhere.example' });
    t.fake.addUser({ id: 'UHAL', name: 'hal' });
    eva = sn.addUser({ user_name: 'eva', name: 'Eva Reporter', email: 'eva@example.com' });
    fin = sn.addUser({ user_name: 'fin', name: 'Fin Commander', email: 'fin.ops@example.com' });
  });

  it('sets the reporter as caller, the commander (and a new one) as assignee, and an action owner as the task assignee', async () => {
    const channel = await declareIncident(t, { userId: 'UEVA', title: 'Queue backlog', severity: 'SEV2', commander: 'UFIN' });
    const ref = `INC-${(await incidentOf(channel)).number}`;
    const inc: Rec = await synced(() => sn.records('incident').find((r) => r.correlation_id === ref), 'the incident record');
    expect(inc).toMatchObject({ caller_id: eva.sys_id, assigned_to: fin.sys_id });

    await ask(t, 'action <@UFIN> Add an age alarm on the retry queue due 2026-12-20', 'UEVA', channel.id);
    const task: Rec = await synced(() => sn.records('incident_task').find((r) => r.correlation_id.startsWith(`${ref}/`)), 'the incident_task');
    expect(task.assigned_to).toBe(fin.sys_id);

    await t.slack.command({ text: 'role commander <@UEVA|eva>', userId: 'UFIN', channelId: channel.id });
    await synced(() => sn.record('incident', inc.sys_id)!.assigned_to === eva.sys_id, 'the new commander assigned');
    expect(sn.journal(inc.sys_id, 'work_notes').map(entryText).some((v) => /^Incident commander .* assigned in Slack\.$/.test(v))).toBe(true);

    // A commander ServiceNow does not know: the record is left unassigned, not with the previous one.
    await t.slack.command({ text: 'role commander <@UGIL|gil>', userId: 'UEVA', channelId: channel.id });
    await synced(() => sn.record('incident', inc.sys_id)!.assigned_to === '', 'the record unassigned');
  });

  it('leaves the fields empty for people without a match, and the sync goes on', async () => {
    const channel = await declareIncident(t, { userId: 'UHAL', title: 'Mail queue stuck', severity: 'SEV3', commander: 'UGIL' });
    const ref = `INC-${(await incidentOf(channel)).number}`;
    const inc: Rec = await synced(() => sn.records('incident').find((r) => r.correlation_id === ref), 'the incident record');
    expect(inc.caller_id ?? '').toBe('');
    expect(inc.assigned_to ?? '').toBe('');

    await ask(t, 'action <@UHAL> Drain the mail queue due 2026-12-21', 'UGIL', channel.id);
    const task: Rec = await synced(() => sn.records('incident_task').find((r) => r.correlation_id.startsWith(`${ref}/`)), 'the incident_task');
    expect(task.assigned_to ?? '').toBe('');
    expect(task.description).toMatch(/Owner \(in Slack\): hal\.$/);
    const link = await t.app.db.selectFrom('servicenow_links').selectAll().innerJoin('incidents', 'incidents.id', 'servicenow_links.incident_id').where('incidents.channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(link.last_error ?? null).toBeNull();
  });
});
