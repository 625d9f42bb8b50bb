import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itsmSchema } from '../src/policy/itsm-schema.js';
import { policySchema } from '../src/policy/schema.js';
import type { TestApp } from './support/app.js';
import type { FakeServiceNow, Rec } from './support/fake-servicenow.js';
import type { FakeChannel } from './support/fake-slack.js';
import { messageText } from './support/flows.js';
import { startServiceNowApp, synced as syncedIn, entryText } from './support/servicenow.js';
import { eventually } from './support/wait.js';

let sn: FakeServiceNow;
let t: TestApp;
let stop: () => Promise<void>;
let desk: Rec;
let other: Rec;

beforeAll(async () => {
  ({ sn, t, stop } = await startServiceNowApp({
    // Polled only when a test says so (and once at start-up, which marks where "new" begins).
    servicenow: (fake) => {
      desk = fake.addGroup('Service Desk');
      other = fake.addGroup('Facilities');
      return { poll_seconds: 3600, declare_from: { assignment_groups: [desk.sys_id] } };
    },
    users: [['UANA', 'ana']],
  }));
  sn.addUser({ user_name: 'sam.desk', name: 'Sam Desk' });
  await eventually(async () => (await t.app.db.selectFrom('servicenow_watermarks').select('name').executeTakeFirst()) ?? (await t.app.scheduler.runNow('servicenow.poll'), undefined), 10_000, 'the first look');
});
afterAll(async () => stop?.());

const synced = <T>(check: () => T | undefined | false | Promise<T | undefined | false>, label: string) => syncedIn(t, check, label);
const poll = async () => {
  await t.app.scheduler.runNow('servicenow.poll');
  await t.settle();
};
const declaredFrom = (r: Rec) => t.app.db.selectFrom('incidents').selectAll().where('source_key', '=', `servicenow:${r.sys_id}`).executeTakeFirst();

describe('itsm.servicenow.declare_from', () => {
  it('a new P1 incident of a configured group declares an incident here, linked to its record, once', async () => {
    const p1 = sn.as('sam.desk').insert('incident', { short_description: 'Payments API answers 500', description: 'Errors since 10:05 on every card payment', impact: '1', urgency: '1', assignment_group: desk.sys_id });
    const p3 = sn.as('sam.desk').insert('incident', { short_description: 'Printer on floor 3', impact: '2', urgency: '2', assignment_group: desk.sys_id });
    const elsewhere = sn.as('sam.desk').insert('incident', { short_description: 'Lift stuck', impact: '1', urgency: '1', assignment_group: other.sys_id });
    expect([p1.priority, p3.priority, elsewhere.priority]).toEqual(['1', '3', '1']);
    await poll();

    const incident = await synced(() => declaredFrom(p1), 'the declared incident');
    const ref = `INC-${incident.number}`;
    expect(incident).toMatchObject({ title: 'Payments API answers 500', severity: 'SEV1', kind: 'service' });
    expect(incident.description).toContain('Errors since 10:05 on every card payment');
    expect(incident.description).toContain(`ServiceNow ${p1.number}`);
    // The channel exists, with the record as its bookmark; the record is marked as kept by the bot.
    const channel: FakeChannel = await synced(() => incident.channel_id !== null && t.fake.channels.get(incident.channel_id!), 'the channel') as FakeChannel;
    await synced(() => channel.bookmarks.some((b) => b.title === `ServiceNow ${p1.number}`), 'the bookmark');
    const record = await synced(() => sn.record('incident', p1.sys_id)!.correlation_id === ref && sn.record('incident', p1.sys_id), 'the record marked');
    expect(record).toMatchObject({ correlation_display: 'Incident Officer', short_description: 'Payments API answers 500' });
    expect(sn.journal(p1.sys_id, 'work_notes').map(entryText)).toEqual([`Declared in Incident Officer as ${ref}; kept in step from now on.`]);
    expect(sn.records('incident').filter((r) => r.correlation_id === ref)).toHaveLength(1);

    // Read again: nothing more is declared; the P3 and the other group's incident never are.
    await poll();
    await poll();
    expect(await t.app.db.selectFrom('incidents').select('id').execute()).toHaveLength(1);
    expect(await declaredFrom(p3)).toBeUndefined();
    expect(await declaredFrom(elsewhere)).toBeUndefined();

    // From now on the two are in step: a work note there reaches the channel.
    sn.as('sam.desk').update('incident', p1.sys_id, { work_notes: 'Acquirer confirms an outage on their side' });
    await poll();
    await synced(() => channel.messages.some((m) => messageText(m).includes('Sam Desk added a work note in ServiceNow')), 'the note in the channel');
  });

  it('names a severity the policy does not have', () => {
    const base = { itsm: { servicenow: { instance_url: 'https://acme.service-now.com', declare_from: { assignment_groups: ['a'.repeat(32)], severities: { '1': 'SEV9' } } } } };
    const parsed = policySchema.safeParse(base);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain('itsm.servicenow.declare_from.severities.1');
    expect(itsmSchema.parse({ servicenow: { instance_url: 'https://acme.service-now.com', declare_from: { assignment_groups: ['a'.repeat(32)] } } }).servicenow!.declare_from).toEqual({ assignment_groups: ['a'.repeat(32)], priorities: [1, 2], severities: {} });
  });
});

describe('declared from ServiceNow, with OAuth client credentials', () => {
  // An OAuth token names no user: the connector learns who it is from the records it writes, so the
  // agent who created the record is not taken for the connector.
  let oauth: Awaited<ReturnType<typeof startServiceNowApp>>;
  let group: Rec;
  beforeAll(async () => {
    oauth = await startServiceNowApp({
      servicenow: (fake) => {
        group = fake.addGroup('Service Desk');
        return { poll_seconds: 3600, declare_from: { assignment_groups: [group.sys_id] } };
      },
      users: [['UANA', 'ana']],
      oauth: true,
    });
    oauth.sn.addUser({ user_name: 'sam.desk', name: 'Sam Desk' });
    await eventually(async () => (await oauth.t.app.db.selectFrom('servicenow_watermarks').select('name').executeTakeFirst()) ?? (await oauth.t.app.scheduler.runNow('servicenow.poll'), undefined), 10_000, 'the first look');
  });
  afterAll(async () => oauth?.stop());

  it("the agent's work notes and resolution there reach the incident; the connector's own writes do not come back", async () => {
    const { sn: fake, t: app } = oauth;
    const poll = async () => {
      await app.app.scheduler.runNow('servicenow.poll');
      await app.settle();
    };
    const record = fake.as('sam.desk').insert('incident', { short_description: 'VPN concentrator down', impact: '1', urgency: '1', assignment_group: group.sys_id });
    await poll();
    const incident = await syncedIn(app, () => app.app.db.selectFrom('incidents').selectAll().where('source_key', '=', `servicenow:${record.sys_id}`).executeTakeFirst(), 'the declared incident');
    const channel = (await syncedIn(app, () => incident.channel_id !== null && app.fake.channels.get(incident.channel_id!), 'the channel')) as FakeChannel;
    await syncedIn(app, () => fake.record('incident', record.sys_id)!.correlation_id === `INC-${incident.number}`, 'the record marked');
    fake.as('sam.desk').update('incident', record.sys_id, { work_notes: 'Failover to the second concentrator started' });
    await poll();
    await syncedIn(app, () => channel.messages.some((m) => messageText(m).includes('Sam Desk added a work note in ServiceNow')), 'the note in the channel');
    expect(channel.messages.filter((m) => messageText(m).includes('Declared in Incident Officer'))).toHaveLength(0);
    // Who the connector is was learned from its first write, and is kept for other replicas and restarts.
    expect(await app.app.db.selectFrom('servicenow_identity').select(['instance_url', 'user_name']).execute()).toEqual([{ instance_url: fake.url, user_name: fake.integrationUser.userName }]);

    fake.as('sam.desk').update('incident', record.sys_id, { state: '6', close_code: 'Solved (Permanently)', close_notes: 'Failover complete' });
    await poll();
    const resolved = await syncedIn(app, async () => (await app.app.db.selectFrom('incidents').select('resolved_at').where('id', '=', incident.id).executeTakeFirstOrThrow()).resolved_at, 'resolved from ServiceNow');
    expect(resolved).toBeInstanceOf(Date);
  });
});
