import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { startFakeServiceNow, type FakeServiceNow } from './support/fake-servicenow.js';
import { FakeSlack, type FakeChannel } from './support/fake-slack.js';
import { declareIncident, messageText, submitModal, triageValues } from './support/flows.js';
import { ask, card } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import { answerTo, linkedSysId, openModal, recordOf as recordIn, serviceNowEnv, serviceNowPolicy, synced as syncedIn, entryText } from './support/servicenow.js';

let sn: FakeServiceNow;
let fake: FakeSlack;
let business: FakeChannel;
let t: TestApp;

const snEnv = () => serviceNowEnv(sn);
const snPolicy = () => ({
  // Read back only when a test polls, so that nothing but the test's own steps runs meanwhile.
  itsm: serviceNowPolicy(sn, { poll_seconds: 3600 }),
  comms: { technical: {}, business: { channel: business.id }, executive: {} },
  // No review gate before closing.
  reviews: { required_priorities: [], due_days: 5, remind_before_days: 2 },
});

beforeAll(async () => {
  sn = await startFakeServiceNow();
  fake = await FakeSlack.start();
  business = fake.addChannel({ name: 'stakeholders' });
  t = await startTestApp({ fake, env: snEnv(), policy: snPolicy() });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
});
afterAll(async () => {
  await t?.stop();
  await fake?.close();
  await sn?.close();
});

const command = async (channelId: string, text: string, userId = 'UBEN') => {
  const res = await t.slack.command({ text, userId, channelId });
  expect(res.status).toBe(200);
};
const incidentOf = (c: FakeChannel) => t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', c.id).executeTakeFirstOrThrow();
const recordsOf = (ref: string) => sn.records('incident').filter((r) => r.correlation_id === ref);

const synced = <T>(check: () => T | undefined | false, label: string) => syncedIn(t, check, label);

const recordOf = (c: FakeChannel) => recordIn(t, sn, c);

describe('ServiceNow sync, driven through Slack', () => {
  it('keeps one incident record from declaration to closure: mapped fields, notes, comments, resolution, closure', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Checkout errors', severity: 'SEV2', commander: 'UBEN', description: 'Card payments fail at the last step' });
    const incident = await incidentOf(channel);
    const ref = `INC-${incident.number}`;
    let record = await recordOf(channel);
    expect(record).toMatchObject({ short_description: `${ref}: Checkout errors`, description: 'Card payments fail at the last step', correlation_id: ref, correlation_display: 'Incident Officer', state: '1', sys_created_by: 'incident.officer' });
    expect(record.number).toMatch(/^INC\d{7}$/);

    // The number and link on the card and as a bookmark.
    await synced(() => channel.bookmarks.find((b) => b.title === `ServiceNow ${record.number}`), 'the bookmark');
    const bookmark = channel.bookmarks.find((b) => b.title === `ServiceNow ${record.number}`)!;
    expect(bookmark.link).toBe(`${sn.url}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${record.sys_id}`)}`);
    await synced(() => messageText(card(channel)).includes(`ServiceNow <${bookmark.link}|${record.number}>`), 'the number on the card');

    // Triage: P2 from a significant impact and high urgency → impact 1, urgency 2 (stock priority 2).
    await command(channel.id, 'triage');
    await openModal(t, 'UBEN', 'incident_triage');
    await submitModal(t, 'UBEN', 'incident_triage', triageValues({ impact: 'significant', urgency: 'high', severity: 'SEV2', business: 'Customers cannot pay' }));
    record = await synced(() => (sn.record('incident', record.sys_id)!.priority === '2' ? sn.record('incident', record.sys_id) : undefined), 'the triage');
    expect(record).toMatchObject({ impact: '1', urgency: '2', priority: '2', state: '2' });

    // A technical update and a note → work notes; the business audience's update → a comment.
    await command(channel.id, 'note Rolled back the 14:02 deploy');
    await command(channel.id, 'update');
    await t.slack.viewSubmission({ userId: 'UBEN', view: await openModal(t, 'UBEN', 'incident_update'), values: { status: { status: input.select('identified') }, message: { message: input.text('Bad deploy; rolling back.') }, next_update: { next_update: input.select('30') }, audiences: { audiences: input.checkboxes(['business']) } } });
    await t.slack.viewSubmission({ userId: 'UBEN', view: await openModal(t, 'UBEN', 'incident_update_preview'), values: {} });
    await synced(() => sn.journal(record.sys_id, 'comments').length === 1, 'the business comment');
    await t.settle();
    const notes = sn.journal(record.sys_id, 'work_notes').map(entryText);
    expect(notes).toEqual(expect.arrayContaining(['Rolled back the 14:02 deploy', 'Update (identified): Bad deploy; rolling back.']));
    expect(notes.filter((n) => n.includes('Bad deploy'))).toHaveLength(1);
    expect(sn.journal(record.sys_id, 'comments').map(entryText)).toEqual(['Update (identified): Bad deploy; rolling back.']);

    // Resolved with the close code and the summary; closed.
    await command(channel.id, 'resolve');
    await openModal(t, 'UBEN', 'incident_resolve');
    await submitModal(t, 'UBEN', 'incident_resolve', { summary: { summary: input.text('Deploy rolled back; payments flow again.') } });
    record = await synced(() => (sn.record('incident', record.sys_id)!.state === '6' ? sn.record('incident', record.sys_id) : undefined), 'the resolution');
    expect(record).toMatchObject({ close_code: 'Solution provided', close_notes: 'Deploy rolled back; payments flow again.' });
    await command(channel.id, 'close');
    record = await synced(() => (sn.record('incident', record.sys_id)!.state === '7' ? sn.record('incident', record.sys_id) : undefined), 'the closure');
    expect(record).toMatchObject({ close_code: 'Solution provided', close_notes: 'Deploy rolled back; payments flow again.', active: 'false' });

    // One record, and a timeline row for each sync.
    expect(recordsOf(ref)).toHaveLength(1);
    const rows = await t.app.db.selectFrom('timeline_events').select(['payload']).where('incident_id', '=', incident.id).where('kind', '=', 'itsm_synced').orderBy('id').execute();
    const events = rows.map((r) => (r.payload as { event: string }).event);
    expect(events).toEqual(expect.arrayContaining(['incident.declared', 'incident.triaged', 'incident.note_added', 'incident.updated', 'incident.resolved', 'incident.closed']));
    expect(rows[0].payload).toMatchObject({ created: true, number: record.number, sys_id: record.sys_id, sent: { correlation_id: ref } });
    const link = await t.app.db.selectFrom('servicenow_links').selectAll().where('incident_id', '=', incident.id).executeTakeFirstOrThrow();
    expect(link).toMatchObject({ sys_id: record.sys_id, number: record.number, sync_state: 'synced', last_error: null });

    // `/incident itsm` shows the record and its sync state.
    const shown = messageText(await answerTo(t, 'itsm', 'UANA', channel.id));
    expect(shown).toContain(`ServiceNow <${bookmark.link}|${record.number}>: in sync`);
  });

  it('ServiceNow down during a declaration: the incident and channel exist at once, the record when it is back', async () => {
    sn.failNext(100_000, 503);
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Search down', severity: 'SEV1', commander: 'UBEN' });
    const incident = await incidentOf(channel);
    const ref = `INC-${incident.number}`;
    // The failure is said in the channel, once, and the link shows it.
    await synced(() => channel.messages.some((m) => messageText(m).includes('Syncing with ServiceNow fails')), 'the failure note');
    const link = await t.app.db.selectFrom('servicenow_links').selectAll().where('incident_id', '=', incident.id).executeTakeFirstOrThrow();
    expect(link).toMatchObject({ sys_id: null, sync_state: 'pending', last_error: expect.stringContaining('503') });
    expect(recordsOf(ref)).toHaveLength(0);

    sn.recover();
    sn.rateLimit(1, 1);
    const record = await recordOf(channel);
    expect(record.short_description).toBe(`${ref}: Search down`);
    await t.settle();
    expect(recordsOf(ref)).toHaveLength(1);
    expect(channel.messages.filter((m) => messageText(m).includes('Syncing with ServiceNow fails'))).toHaveLength(1);
    expect(await t.app.db.selectFrom('servicenow_links').select(['sync_state', 'last_error']).where('incident_id', '=', incident.id).executeTakeFirstOrThrow()).toEqual({ sync_state: 'synced', last_error: null });
  });

  it('keeps a security incident out of the record but its reference', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Leaked API key', severity: 'SEV1', commander: 'UBEN', kind: 'security', description: 'Key AKIA… in a public repo' });
    const record = await recordOf(channel);
    expect(record.description).not.toContain('AKIA');
    await command(channel.id, 'note Rotated the key');
    await t.settle();
    await t.settle();
    expect(sn.journal(record.sys_id).map(entryText).join('\n')).not.toContain('Rotated');
  });
});

describe('/incident itsm test', () => {
  it('checks the connection and lists what the account may not read or write', async () => {
    const lobby = fake.addChannel({ name: 'ops-lobby' });
    const allowed = messageText(await ask(t, 'itsm test', 'UANA', lobby.id));
    expect(allowed).toContain(`:white_check_mark: Connected to ${sn.url}`);
    expect(allowed).toMatch(/write incident \(checked on INC\d+, unchanged\)/);

    sn.deny({ table: 'sys_journal_field', operation: 'read' });
    sn.deny({ table: 'incident', operation: 'read', field: 'close_notes' });
    sn.deny({ table: 'incident', operation: 'write' });
    try {
      const denied = messageText(await ask(t, 'itsm test', 'UANA', lobby.id));
      expect(denied).toContain(':warning: Connected');
      expect(denied).toMatch(/read sys_journal_field \(work notes and comments added in ServiceNow\): ServiceNow answered 403 User Not Authorized/);
      expect(denied).toContain('read incident.close_notes');
      expect(denied).toMatch(/write incident \(checked on INC\d+\): ServiceNow answered 403 Operation Failed/);
    } finally {
      sn.store.acl.length = 0;
    }

    // Outside an incident channel, `/incident itsm` alone says where it works.
    expect(messageText(await ask(t, 'itsm', 'UANA', lobby.id))).toContain('in an incident channel');
  });

  it('names refused credentials', async () => {
    const wrong = await startTestApp({ fake, env: { SERVICENOW_USERNAME: sn.integrationUser.userName, SERVICENOW_PASSWORD: 'pw-not-the-right-one' }, policy: snPolicy() });
    try {
      const lobby = fake.addChannel({ name: 'ops-lobby-2' });
      const answer = messageText(await ask(wrong, 'itsm test', 'UANA', lobby.id));
      expect(answer).toContain(':x: Could not use');
      expect(answer).toContain('sign in: ServiceNow answered 401 User Not Authenticated');
    } finally {
      await wrong.stop();
    }
  });
});

describe('a retry after the record was created but not recorded', () => {
  it('finds the record by correlation_id instead of opening a second one', async () => {
    const last = await t.app.db.selectFrom('incidents').select((eb) => eb.fn.max('number').as('n')).executeTakeFirstOrThrow();
    const ref = `INC-${Number(last.n ?? 0) + 1}`;
    // What an earlier try left: the record exists, the link does not know it.
    const earlier = sn.as(sn.integrationUser.userName).insert('incident', { short_description: `${ref}: Disk full`, correlation_id: ref, correlation_display: 'Incident Officer' });
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Disk full', severity: 'SEV3', commander: 'UBEN' });
    expect(`INC-${(await incidentOf(channel)).number}`).toBe(ref);
    await synced(() => channel.bookmarks.some((b) => b.title === `ServiceNow ${earlier.number}`), 'the bookmark to the earlier record');
    expect(recordsOf(ref)).toHaveLength(1);
  });
});

describe('two replicas', () => {
  it('create one record for one incident', async () => {
    const second = await startTestApp({ fake, database: t.database, env: snEnv(), policy: snPolicy() });
    try {
      const channel = await declareIncident(t, { userId: 'UANA', title: 'Replicated', severity: 'SEV3', commander: 'UBEN' });
      await Promise.all([t.settle(), second.settle()]);
      const ref = `INC-${(await incidentOf(channel)).number}`;
      await recordOf(channel);
      await Promise.all([t.settle(), second.settle()]);
      expect(recordsOf(ref)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});

describe('changes made in ServiceNow', () => {
  const poll = async () => {
    await t.app.scheduler.runNow('servicenow.poll');
    await t.settle();
  };

  it('a work note and a comment by the service desk appear in the channel once; the bot\'s own never come back', async () => {
    sn.addUser({ user_name: 'sam.desk', name: 'Sam Desk', email: 'sam@example.com' });
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Mail queue stuck', severity: 'SEV3', commander: 'UBEN' });
    const record = await recordOf(channel);
    await command(channel.id, 'note Restarted the relay');
    await synced(() => sn.journal(record.sys_id, 'work_notes').length === 1, 'our note');

    sn.as('sam.desk').update('incident', record.sys_id, { work_notes: 'Users report bounces since 09:10' });
    sn.as('sam.desk').update('incident', record.sys_id, { comments: 'Customer asks for an ETA' });
    await poll();
    await poll();
    const texts = channel.messages.map((m) => messageText(m));
    expect(texts.filter((m) => m.includes('Sam Desk added a work note in ServiceNow') && m.includes('Users report bounces since 09:10'))).toHaveLength(1);
    expect(texts.filter((m) => m.includes('Sam Desk added a comment in ServiceNow') && m.includes('Customer asks for an ETA'))).toHaveLength(1);
    // The bot's own note is not echoed back.
    expect(texts.filter((m) => m.includes('Restarted the relay') && m.includes('ServiceNow'))).toHaveLength(0);
    const incident = await incidentOf(channel);
    const received = await t.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', incident.id).where('kind', '=', 'itsm_received').execute();
    expect(received).toHaveLength(2);
  });

  it('a resolution by the service desk is mirrored once, naming who made it, and not sent back', async () => {
    sn.addUser({ user_name: 'kim.desk', name: 'Kim Desk' });
    const channel = await declareIncident(t, { userId: 'UANA', title: 'VPN flapping', severity: 'SEV3', commander: 'UBEN' });
    const record = await recordOf(channel);
    await t.settle();
    sn.as('kim.desk').update('incident', record.sys_id, { state: '6', close_code: 'Workaround provided', close_notes: 'Moved users to the backup concentrator' });
    const callsBefore = sn.apiCalls().filter((c) => c.method === 'PATCH' && c.path.endsWith(record.sys_id)).length;
    await poll();
    await poll();
    const incident = await incidentOf(channel);
    expect(incident.resolved_at).not.toBeNull();
    expect(incident.resolution_summary).toBe(`Resolved in ServiceNow ${record.number} by Kim Desk: Moved users to the backup concentrator`);
    const texts = channel.messages.map((m) => messageText(m));
    expect(texts.filter((m) => m.includes('Kim Desk set the state to Resolved in ServiceNow'))).toHaveLength(1);
    // No echo: the record keeps the service desk's resolution, and is not written again.
    expect(sn.record('incident', record.sys_id)).toMatchObject({ state: '6', close_code: 'Workaround provided', close_notes: 'Moved users to the backup concentrator' });
    expect(sn.apiCalls().filter((c) => c.method === 'PATCH' && c.path.endsWith(record.sys_id)).length).toBe(callsBefore);

  });
});

describe('a resolution not yet in ServiceNow', () => {
  it('is not undone by the record\'s old state when someone comments there meanwhile', async () => {
    sn.addUser({ user_name: 'ray.desk', name: 'Ray Desk' });
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Printer queue', severity: 'SEV4', commander: 'UBEN' });
    const record = await recordOf(channel);
    await t.settle();
    // The account may not write for now: the resolution cannot reach the record.
    sn.deny({ table: 'incident', operation: 'write' });
    try {
      await command(channel.id, 'resolve');
      await submitModal(t, 'UBEN', 'incident_resolve', { summary: { summary: input.text('Cleared the spool.') } });
      const incident = await incidentOf(channel);
      await synced(async () => (await t.app.db.selectFrom('servicenow_links').select('last_error').where('incident_id', '=', incident.id).executeTakeFirst())?.last_error, 'the refused write');
      // The delivery was given up (403 is permanent); the agent, who may write, comments.
      sn.store.acl.length = 0;
      sn.as('ray.desk').update('incident', record.sys_id, { comments: 'Is it fixed?' });
      await t.app.scheduler.runNow('servicenow.poll');
      await t.settle();
      expect((await incidentOf(channel)).resolved_at).not.toBeNull();
      expect(channel.messages.some((m) => messageText(m).includes('Ray Desk added a comment in ServiceNow'))).toBe(true);
    } finally {
      sn.store.acl.length = 0;
    }
  });
});

describe('a change made in ServiceNow that cannot be carried over', () => {
  it('is shown in the channel as a conflict, once, and nothing is overwritten', async () => {
    // Post-incident reviews required for P1 and P2 (the default): closing waits for a published review.
    // Another installation on the same instance: its own number prefix, so its references differ.
    const gated = await startTestApp({ fake, env: snEnv(), policy: { itsm: snPolicy().itsm, number_prefix: 'GATE' } });
    try {
      sn.addUser({ user_name: 'lee.desk', name: 'Lee Desk' });
      const channel = await declareIncident(gated, { userId: 'UANA', title: 'Payments down', severity: 'SEV1', commander: 'UBEN' });
      await gated.slack.command({ text: 'triage', userId: 'UBEN', channelId: channel.id });
      await submitModal(gated, 'UBEN', 'incident_triage', triageValues({ impact: 'extensive', urgency: 'critical', severity: 'SEV1', business: 'No payments' }));
      await gated.slack.command({ text: 'resolve', userId: 'UBEN', channelId: channel.id });
      await submitModal(gated, 'UBEN', 'incident_resolve', { summary: { summary: input.text('Failed over to the standby PSP.') } });
      // A fresh database numbers from INC-1 again: the record is the one this app linked.
      const sysId = await linkedSysId(gated, channel);
      const record = await syncedIn(gated, () => sn.record('incident', sysId)?.state === '6' && sn.record('incident', sysId), 'the resolved record');

      sn.as('lee.desk').update('incident', record.sys_id, { state: '7' });
      for (let i = 0; i < 2; i++) {
        await gated.app.scheduler.runNow('servicenow.poll');
        await gated.settle();
      }
      const incident = await gated.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
      expect(incident.closed_at).toBeNull();
      const conflicts = channel.messages.map((m) => messageText(m)).filter((m) => m.includes('Lee Desk set the state to Closed, which was not carried over here'));
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatch(/review/i);
      expect(sn.record('incident', record.sys_id)!.state).toBe('7');
    } finally {
      await gated.stop();
    }
  });
});
