import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutEntryRef } from '../src/integrations/entry-marker.js';
import type { TestApp } from './support/app.js';
import type { FakeServiceNow, RecordedSnCall } from './support/fake-servicenow.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, messageText, submitModal, triageValues } from './support/flows.js';
import { openModal, recordOf as recordIn, startServiceNowApp, synced as syncedIn } from './support/servicenow.js';

/*
 * Work notes and comments are posted once, however often their delivery is tried: ServiceNow may
 * store a write whose answer is lost (a 5xx after the commit, a dropped connection).
 */

let sn: FakeServiceNow;
let t: TestApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ sn, t, stop } = await startServiceNowApp({ servicenow: { poll_seconds: 3600 }, users: [['UANA', 'ana'], ['UBEN', 'ben']] }));
});
afterAll(() => stop?.());

const synced = <T>(check: () => T | undefined | false | Promise<T | undefined | false>, label: string) => syncedIn(t, check, label);
const command = async (channelId: string, text: string) => expect((await t.slack.command({ text, userId: 'UBEN', channelId })).status).toBe(200);
const incidentId = async (c: FakeChannel) => (await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', c.id).executeTakeFirstOrThrow()).id;
/** The timeline row that records the event's sync (written once the delivery succeeded). */
const syncedEvent = async (c: FakeChannel, type: string) => {
  const rows = await t.app.db.selectFrom('timeline_events').select('payload').where('incident_id', '=', await incidentId(c)).where('kind', '=', 'itsm_synced').execute();
  return rows.some((r) => (r.payload as { event: string }).event === type);
};
const notes = (sysId: string, element: 'work_notes' | 'comments' = 'work_notes') => sn.journal(sysId, element).map((j) => j.value);
const REF_LINE = /\n\n\(Incident Officer ref [0-9a-f]{10}\)$/;
/** The PATCH of an incident record adding a work note. */
const noteWrite = (c: RecordedSnCall) => c.method === 'PATCH' && c.path.startsWith('/api/now/table/incident/') && typeof (c.body as { work_notes?: unknown }).work_notes === 'string';
const journalLookups = (from: number) => sn.apiCalls().slice(from).filter((c) => c.method === 'GET' && c.path === '/api/now/table/sys_journal_field');

describe('ServiceNow journal entries across retries', () => {
  it('a note stored by ServiceNow whose answer was a 500 is on the record once after the retry', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Mail queue stuck', severity: 'SEV3', commander: 'UBEN' });
    const record = await recordIn(t, sn, channel);
    await t.settle();
    const from = sn.apiCalls().length;
    sn.failAfterStoring(1, 500, noteWrite);
    await command(channel.id, 'note Restarted the relay');
    await synced(() => syncedEvent(channel, 'incident.note_added'), 'the note synced');

    const patches = sn.apiCalls().slice(from).filter((c) => c.method === 'PATCH');
    expect(patches[0]).toMatchObject({ status: 500, stored: true });
    expect(notes(record.sys_id).map(withoutEntryRef)).toEqual(['Restarted the relay']);
    expect(notes(record.sys_id)[0]).toMatch(REF_LINE);
    // The retry looked for the entry by its reference before writing anything.
    expect(journalLookups(from)).toHaveLength(1);
    expect(journalLookups(from)[0].query.sysparm_query).toContain(`element_id=${record.sys_id}`);
    expect(journalLookups(from)[0].query.sysparm_query).toMatch(/valueLIKEIncident Officer ref [0-9a-f]{10}/);
  });

  it('a triage whose connection dropped after ServiceNow stored it: the work note once, the impact and urgency written', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Checkout errors', severity: 'SEV2', commander: 'UBEN' });
    const record = await recordIn(t, sn, channel);
    await t.settle();
    const from = sn.apiCalls().length;
    sn.failAfterStoring(1, 'drop', noteWrite);
    await command(channel.id, 'triage');
    await openModal(t, 'UBEN', 'incident_triage');
    await submitModal(t, 'UBEN', 'incident_triage', triageValues({ impact: 'significant', urgency: 'high', severity: 'SEV2', business: 'Customers cannot pay' }));
    await synced(() => syncedEvent(channel, 'incident.triaged'), 'the triage synced');

    const patches = sn.apiCalls().slice(from).filter(noteWrite);
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({ status: 0, stored: true });
    // The retry wrote the rest of the update without the note already there.
    const retried = sn.apiCalls().slice(sn.apiCalls().indexOf(patches[0]) + 1).filter((c) => c.method === 'PATCH');
    expect(retried.map((c) => Object.keys(c.body as object).sort())).toEqual([['impact', 'urgency']]);
    expect(sn.record('incident', record.sys_id)).toMatchObject({ impact: '1', urgency: '2', priority: '2', state: '2' });
    expect(notes(record.sys_id).filter((n) => n.includes('Business impact: Customers cannot pay'))).toHaveLength(1);
  });

  it('a first attempt looks nothing up: one PATCH carrying the note and its reference line', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Disk pressure', severity: 'SEV3', commander: 'UBEN' });
    const record = await recordIn(t, sn, channel);
    await t.settle();
    const from = sn.apiCalls().length;
    await command(channel.id, 'note Freed 40 GB on db-2');
    await synced(() => syncedEvent(channel, 'incident.note_added'), 'the note synced');

    const calls = sn.apiCalls().slice(from);
    expect(journalLookups(from)).toEqual([]);
    expect(calls.filter((c) => c.method !== 'GET')).toHaveLength(1);
    expect((calls.find((c) => c.method === 'PATCH')!.body as { work_notes: string }).work_notes).toMatch(/^Freed 40 GB on db-2\n\n\(Incident Officer ref [0-9a-f]{10}\)$/);
    expect(notes(record.sys_id).map(withoutEntryRef)).toEqual(['Freed 40 GB on db-2']);
  });

  it('reading back: an entry ending with our reference line is not shown in the channel; the service desk\'s own entries are', async () => {
    sn.addUser({ user_name: 'sam.desk', name: 'Sam Desk', email: 'sam@example.com' });
    const channel = await declareIncident(t, { userId: 'UANA', title: 'VPN flaps', severity: 'SEV3', commander: 'UBEN' });
    const record = await recordIn(t, sn, channel);
    await command(channel.id, 'note Failed over to the second tunnel');
    await synced(() => syncedEvent(channel, 'incident.note_added'), 'the note synced');
    const ours = notes(record.sys_id)[0];
    // Copied back under another account (a business rule, another integration user): still ours.
    sn.as('sam.desk').update('incident', record.sys_id, { work_notes: ours });
    sn.as('sam.desk').update('incident', record.sys_id, { work_notes: 'Tunnel 1 back since 10:05' });
    await t.app.scheduler.runNow('servicenow.poll');
    await t.settle();
    await synced(() => channel.messages.map((m) => messageText(m)).some((m) => m.includes('Tunnel 1 back since 10:05')), 'the desk\'s note in the channel');
    const texts = channel.messages.map((m) => messageText(m));
    expect(texts.filter((m) => m.includes('Failed over to the second tunnel') && m.includes('ServiceNow'))).toEqual([]);
  });
});
