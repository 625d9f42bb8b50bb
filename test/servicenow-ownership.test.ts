import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itsmSchema } from '../src/policy/itsm-schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { startFakeServiceNow, type FakeServiceNow, type Rec } from './support/fake-servicenow.js';
import { FakeSlack, type FakeChannel } from './support/fake-slack.js';
import { declareIncident, messageText, submitModal, triageValues } from './support/flows.js';
import { eventually } from './support/wait.js';
import { linkedSysId, recordOf as recordIn, serviceNowEnv, serviceNowPolicy } from './support/servicenow.js';

let sn: FakeServiceNow;
let fake: FakeSlack;
let t: TestApp;

beforeAll(async () => {
  sn = await startFakeServiceNow();
  fake = await FakeSlack.start();
  t = await startTestApp({
    fake,
    env: serviceNowEnv(sn),
    // Polled only when a test says so, so that poll counts are exact.
    policy: { itsm: serviceNowPolicy(sn, { poll_seconds: 3600, fields: { description: 'servicenow', impact: 'servicenow', urgency: 'servicenow' } }) },
  });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
  sn.addUser({ user_name: 'dee.desk', name: 'Dee Desk' });
});
afterAll(async () => {
  await t?.stop();
  await fake?.close();
  await sn?.close();
});

const poll = async () => {
  await t.app.scheduler.runNow('servicenow.poll');
  await t.settle();
};
const texts = (c: FakeChannel) => c.messages.map((m) => messageText(m));

const recordOf = (c: FakeChannel) => recordIn(t, sn, c);

describe('field ownership', () => {
  it('a bot-owned field changed in ServiceNow: the conflict is shown once and the value set back', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Cache misses', severity: 'SEV3', commander: 'UBEN' });
    const record = await recordOf(channel);
    const ours = record.short_description;
    sn.as('dee.desk').update('incident', record.sys_id, { short_description: 'Cache problem (desk)' });
    await poll();
    await poll();
    expect(sn.record('incident', record.sys_id)!.short_description).toBe(ours);
    const conflicts = texts(channel).filter((m) => m.includes('Dee Desk changed short_description to "Cache problem (desk)"; Incident Officer owns it, so it is set back to'));
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toContain(ours);
  });

  it('a ServiceNow-owned field changed there: announced, naming who, and never written back', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Queue lag', severity: 'SEV3', commander: 'UBEN', description: 'Consumers fall behind' });
    const record = await recordOf(channel);
    sn.as('dee.desk').update('incident', record.sys_id, { description: 'Kafka consumers lag on partition 3' });
    await poll();
    await poll();
    expect(texts(channel).filter((m) => m.includes('Dee Desk changed description to "Kafka consumers lag on partition 3" in ServiceNow'))).toHaveLength(1);
    expect(sn.record('incident', record.sys_id)!.description).toBe('Kafka consumers lag on partition 3');
    const incident = await t.app.db.selectFrom('incidents').select('description').where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(incident.description).toBe('Consumers fall behind');

    // Triage here does not write the impact and urgency the service desk owns.
    sn.as('dee.desk').update('incident', record.sys_id, { impact: '3', urgency: '2' });
    await poll();
    await t.slack.command({ text: 'triage', userId: 'UBEN', channelId: channel.id });
    await submitModal(t, 'UBEN', 'incident_triage', triageValues({ impact: 'extensive', urgency: 'critical', severity: 'SEV1', business: 'Orders delayed' }));
    await eventually(async () => {
      await t.settle();
      return sn.record('incident', record.sys_id)!.state === '2' || undefined;
    }, 15_000, 'the triage synced');
    expect(sn.record('incident', record.sys_id)).toMatchObject({ impact: '3', urgency: '2' });
  });

  it('counts poll runs and failures', async () => {
    const count = async (outcome: string) => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      return Number(text.match(new RegExp(`^incident_officer_servicenow_polls_total\\{outcome="${outcome}"\\} (\\d+)`, 'm'))?.[1] ?? 0);
    };
    const ok = await count('ok');
    const failed = await count('error');
    await poll();
    expect(await count('ok')).toBe(ok + 1);
    sn.failNext(100, 503);
    try {
      await t.app.scheduler.runNow('servicenow.poll').catch(() => undefined);
    } finally {
      sn.recover();
    }
    expect(await count('error')).toBe(failed + 1);
  });
});

describe('itsm.servicenow.fields', () => {
  it('takes the defaults and an override, and names a bad key or owner', () => {
    const parsed = itsmSchema.parse({ servicenow: { instance_url: 'https://acme.service-now.com', fields: { category: 'both' } } }).servicenow!;
    expect(parsed.fields).toMatchObject({ short_description: 'bot', category: 'both', assignment_group: 'servicenow', state: 'both' });
    const badKey = itsmSchema.safeParse({ servicenow: { instance_url: 'https://acme.service-now.com', fields: { colour: 'bot' } } });
    expect(badKey.success).toBe(false);
    expect(JSON.stringify(badKey.error!.issues)).toContain('colour');
    const badOwner = itsmSchema.safeParse({ servicenow: { instance_url: 'https://acme.service-now.com', fields: { impact: 'nobody' } } });
    expect(badOwner.success).toBe(false);
    expect(badOwner.error!.issues[0].path).toEqual(['servicenow', 'fields', 'impact']);
  });
});

describe('a field both own', () => {
  it('changed in ServiceNow since the last sync is not written over: the conflict is shown in the channel', async () => {
    const both = await startTestApp({
      fake,
      env: serviceNowEnv(sn),
      policy: { number_prefix: 'LWW', itsm: serviceNowPolicy(sn, { fields: { impact: 'both', urgency: 'both' } }) },
    });
    try {
      const channel = await declareIncident(both, { userId: 'UANA', title: 'Login slow', severity: 'SEV3', commander: 'UBEN' });
      const sysId = await linkedSysId(both, channel);
      await both.slack.command({ text: 'triage', userId: 'UBEN', channelId: channel.id });
      await submitModal(both, 'UBEN', 'incident_triage', triageValues({ impact: 'moderate', urgency: 'medium', severity: 'SEV3', business: 'Sign-in takes a minute' }));
      await eventually(async () => {
        await both.settle();
        return sn.record('incident', sysId)!.state === '2' || undefined;
      }, 15_000, 'the first triage synced');
      // Changed there, not yet read back: the next triage must not overwrite it silently.
      sn.as('dee.desk').update('incident', sysId, { impact: '3' });
      await both.slack.command({ text: 'triage', userId: 'UBEN', channelId: channel.id });
      await submitModal(both, 'UBEN', 'incident_triage', triageValues({ impact: 'extensive', urgency: 'critical', severity: 'SEV1', business: 'Nobody can sign in' }));
      await eventually(async () => {
        await both.settle();
        return channel.messages.some((m) => messageText(m).includes('changed impact there since the last sync')) || undefined;
      }, 15_000, 'the conflict');
      expect(sn.record('incident', sysId)).toMatchObject({ impact: '3', urgency: '1' });
      expect(channel.messages.filter((m) => messageText(m).includes('changed impact there since the last sync'))).toHaveLength(1);
    } finally {
      await both.stop();
    }
  });
});

describe('assigned_to changed in ServiceNow', () => {
  let fay: Rec;
  let gus: Rec;
  beforeAll(() => {
    t.fake.addUser({ id: 'UFAY', name: 'fay', email: 'fay@example.com' });
    fay = sn.addUser({ user_name: 'fay', name: 'Fay Commander', email: 'fay@example.com' });
    gus = sn.addUser({ user_name: 'gus', name: 'Gus Agent', email: 'gus@example.com' });
  });

  it('owned by the bot (the default): the conflict is shown once, naming who and whom, and the commander set back', async () => {
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Disk latency', severity: 'SEV3', commander: 'UFAY' });
    const record = await recordOf(channel);
    expect(record.assigned_to).toBe(fay.sys_id);
    sn.as('dee.desk').update('incident', record.sys_id, { assigned_to: gus.sys_id });
    await poll();
    await poll();
    expect(sn.record('incident', record.sys_id)!.assigned_to).toBe(fay.sys_id);
    const conflicts = texts(channel).filter((m) => m.includes('Dee Desk changed assigned_to to "Gus Agent"; Incident Officer owns it, so it is set back to "Fay Commander"'));
    expect(conflicts).toHaveLength(1);
  });

  it('owned by ServiceNow: announced once, naming who and whom, and kept', async () => {
    const theirs = await startTestApp({ fake, env: serviceNowEnv(sn), policy: { number_prefix: 'ASG', itsm: serviceNowPolicy(sn, { poll_seconds: 3600, fields: { assigned_to: 'servicenow' } }) } });
    try {
      const channel = await declareIncident(theirs, { userId: 'UANA', title: 'Disk latency again', severity: 'SEV3', commander: 'UFAY' });
      const sysId = await linkedSysId(theirs, channel);
      sn.as('dee.desk').update('incident', sysId, { assigned_to: gus.sys_id });
      for (let i = 0; i < 2; i++) {
        await theirs.app.scheduler.runNow('servicenow.poll');
        await theirs.settle();
      }
      expect(texts(channel).filter((m) => m.includes('Dee Desk changed assigned_to to "Gus Agent" in ServiceNow'))).toHaveLength(1);
      expect(sn.record('incident', sysId)!.assigned_to).toBe(gus.sys_id);
    } finally {
      await theirs.stop();
    }
  });
});
