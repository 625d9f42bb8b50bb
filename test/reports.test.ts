import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentsCsv, timelineCsv, type IncidentRow } from '../src/reports/export.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import { declareIncident, lastResponse, messageText, submitModal } from './support/flows.js';
import { validateBlocks } from './support/block-kit-validator.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

const clock = new FakeClock('2026-11-23T09:00:00Z');
let t: TestApp;
let weekly: string;
beforeAll(async () => {
  const { FakeSlack } = await import('./support/fake-slack.js');
  const fake = await FakeSlack.start();
  weekly = fake.addChannel({ name: 'leadership' }).id;
  t = await startTestApp({ fake, clock, policy: { reports: { recurring_threshold: 3, recurring_window_days: 30, weekly: { channel: weekly, day: 'mon', time: '09:00', timezone: 'Europe/Berlin' }, link_minutes: 60, session_hours: 8 } } });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben'], ['UCAT', 'cat']]) t.fake.addUser({ id, name });
});
afterAll(async () => {
  await t?.stop();
  await t?.fake.close();
});

async function triage(channelId: string, userId: string, impact: string, urgency: string) {
  await t.slack.command({ text: 'triage', userId, channelId });
  await submitModal(t, userId, 'incident_triage', {
    category: { category: input.select('network') },
    impact: { impact: input.select(impact) },
    urgency: { urgency: input.select(urgency) },
    severity: { severity: input.select('SEV2') },
    services: { services: input.text('vpn') },
    business_impact: { business_impact: input.text(null) },
    classification: { classification: input.radio('incident') },
    reason: { reason: input.text(null) },
  });
}

describe('/incident stats', () => {
  it('summarises the period with trends against the previous one, in valid Block Kit', async () => {
    // Previous week: one P1 acknowledged in 20 minutes. This week: two, acknowledged in 10 and 30.
    clock.set('2026-11-18T10:00:00Z');
    const old = await declareIncident(t, { userId: 'UANA', title: 'VPN down (old)' });
    clock.advanceMinutes(20);
    await triage(old.id, 'UANA', 'extensive', 'critical');
    for (const [day, ack] of [['2026-11-24T10:00:00Z', 10], ['2026-11-25T10:00:00Z', 30]] as const) {
      clock.set(day);
      const c = await declareIncident(t, { userId: 'UANA', title: `VPN down ${day.slice(5, 10)}` });
      clock.advanceMinutes(ack);
      await triage(c.id, 'UANA', 'extensive', 'critical');
    }
    clock.set('2026-11-26T12:00:00Z');
    const r = await lastResponse(t, (await t.slack.command({ text: 'stats 7d', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
    expect(validateBlocks(r.blocks, 'message')).toEqual([]);
    const text = messageText(r);
    expect(text).toContain('*2* incidents :arrow_up_small: +100% :warning:');
    expect(text).toMatch(/\*MTTA\* 20m mean · p50 20m · p90 28m → 0%/);
    expect(text).toContain('P1 2 · P2 0');
    expect(text).toContain(':repeat: *Recurring issues*');
    expect(text).toMatch(/\*vpn\* \/ network: 3×/);
    expect(text).toContain('*Follow-up* 0 open actions, 0 overdue (–) · reviews published 0/0 (–)');
    const usage = await lastResponse(t, (await t.slack.command({ text: 'stats forever', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
    expect(usage.text).toMatch(/Usage: `\/incident stats \[7d\|30d\|90d\|quarter\]`/);
  });
});

describe('App Home', () => {
  it('lists my open incidents and roles, paginated, with the 30-day numbers', async () => {
    clock.set('2026-11-26T13:00:00Z');
    for (let i = 0; i < 17; i++) {
      await t.slack.command({ text: `declare Home ${i}`, userId: 'UCAT', channelId: 'CGENERAL' });
      const view = await eventually(() => [...t.fake.views.values()].filter((v) => v.user === 'UCAT' && !v.closed && v.view.callback_id === 'incident_declare').at(-1));
      await t.slack.viewSubmission({ userId: 'UCAT', view: { ...view.view, id: view.id }, values: { title: { title: input.text(`Home ${i}`) }, description: { description: input.text(null) }, severity: { severity: input.select('SEV3') }, kind: { kind: input.radio('service') }, services: { services: input.text(null) }, commander: { commander: input.user('UCAT') } } });
      clock.advanceMinutes(1);
    }
    await t.settle();
    await t.slack.event({ type: 'app_home_opened', user: 'UCAT', channel: 'D0HOME', tab: 'home' });
    const home = await eventually(() => t.fake.views.get(t.fake.homeViews.get('UCAT') ?? '')?.view);
    expect(validateBlocks(home.blocks, 'home')).toEqual([]);
    const text = messageText({ blocks: home.blocks });
    expect(text).toContain('Home 16');
    expect(text).not.toContain('Home 1\n');
    expect(text).toContain('you: Incident commander');
    expect(text).toContain('1–15 of 17');
    expect(text).toContain('Last 30 days');
    const older = home.blocks.find((b: any) => b.block_id === 'home_pager').elements.find((e: any) => e.action_id === 'home_page:next');
    await t.slack.blockAction({ userId: 'UCAT', actionId: older.action_id, value: older.value, actionType: 'button' });
    await eventually(() => messageText({ blocks: t.fake.views.get(t.fake.homeViews.get('UCAT')!)!.view.blocks }).includes('16–17 of 17'));
    const page2 = messageText({ blocks: t.fake.views.get(t.fake.homeViews.get('UCAT')!)!.view.blocks });
    expect(page2).toContain('Home 0');
    expect(page2).toContain('Home 1\n');
  });
});

describe('weekly leadership report', () => {
  it('is posted once per week at the policy time (catching up once after downtime)', async () => {
    const reports = () => t.fake.messagesIn(weekly).filter((m) => messageText(m).includes('Weekly incident report'));
    clock.set('2026-11-30T07:59:00Z'); // 08:59 in Berlin, Monday
    await t.app.scheduler.runNow('weekly-report');
    await t.settle();
    // The previous week's report had not been sent: it goes out once, now.
    expect(reports().map((m) => m.text)).toEqual([expect.stringContaining('2026-W48')]);
    await t.app.scheduler.runNow('weekly-report');
    clock.set('2026-11-30T08:00:00Z'); // 09:00 Berlin
    await t.app.scheduler.runNow('weekly-report');
    await t.settle();
    expect(reports().map((m) => m.text)).toEqual([expect.stringContaining('2026-W48'), expect.stringContaining('2026-W49')]);
    await t.restart();
    clock.advanceMinutes(5);
    await t.app.scheduler.runNow('weekly-report');
    await t.settle();
    expect(reports()).toHaveLength(2);
    const last = reports()[1];
    expect(validateBlocks(last.blocks, 'message')).toEqual([]);
    expect(messageText(last)).toContain('P1/P2 incidents this week');
    expect(messageText(last)).toContain('*Overdue follow-up actions* (0)');
  });
});

describe('exports', () => {
  it('sends incidents with their metrics as CSV by DM, security incidents redacted for outsiders', async () => {
    clock.set('2026-12-01T09:00:00Z');
    await declareIncident(t, { userId: 'UBEN', title: 'Stolen laptop', kind: 'security' });
    clock.advanceMinutes(1);
    const r = await lastResponse(t, (await t.slack.command({ text: 'export 7d', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
    expect(r.text).toMatch(/^Sent \d+ incidents \(last 7 days\) to you as a CSV file\.$/);
    const file = [...t.fake.files.values()].find((f) => f.filename === 'incidents-7d.csv')!;
    expect(file.channels).toEqual([t.fake.ims.get('UANA')]);
    const [header, ...lines] = file.content.trim().split('\n');
    expect(header).toBe(
      'ref,title,kind,priority,severity,category,services,status,impact_started_at,detected_at,declared_at,acknowledged_at,mitigated_at,resolved_at,closed_at,' +
        'corrected,recorded_detected_at,recorded_declared_at,recorded_acknowledged_at,recorded_mitigated_at,recorded_resolved_at,recorded_closed_at,' +
        'mtta_seconds,mttr_seconds,mttm_seconds,mttd_seconds,response_sla_met,resolution_sla_met',
    );
    expect(lines.some((l) => l.includes('Security incident (restricted),security')), file.content).toBe(true);
    expect(file.content).not.toContain('Stolen laptop');
    await t.slack.command({ text: 'export 7d', userId: 'UBEN', channelId: 'CGENERAL' });
    await eventually(() => [...t.fake.files.values()].some((f) => f.channels.includes(t.fake.ims.get('UBEN') ?? '-') && f.content.includes('Stolen laptop')));
  });
});

describe('CSV cells a spreadsheet would run as formulas', () => {
  it('are neutralised with a leading quote in /incident export and /dashboard/export.csv, the text kept', async () => {
    clock.set('2026-12-02T09:00:00Z');
    await declareIncident(t, { userId: 'UANA', title: '=HYPERLINK("http://evil","x")' });
    await declareIncident(t, { userId: 'UANA', title: "=cmd|' /C calc'!A0" });
    await declareIncident(t, { userId: 'UANA', title: '@SUM(1+1)', services: '+checkout' });
    clock.advanceMinutes(1);
    await t.slack.command({ text: 'export 30d', userId: 'UANA', channelId: 'CGENERAL' });
    const file = await eventually(() => [...t.fake.files.values()].find((f) => f.filename === 'incidents-30d.csv' && f.completed));
    expect(file.content).toContain(`,"'=HYPERLINK(""http://evil"",""x"")",`);
    expect(file.content).toContain(`,'=cmd|' /C calc'!A0,`);
    expect(file.content).toContain(`,'@SUM(1+1),`);
    expect(file.content).toContain(`,'+checkout,`);
    expect(file.content).not.toMatch(/(^|,)[=+@-]/m);

    // The dashboard's export of the same incidents.
    const reply = await lastResponse(t, (await t.slack.command({ text: 'dashboard', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
    const link = /(http:\/\/localhost:\d+\/dashboard\?token=\S+)/.exec(reply.text)![1].replace('localhost', '127.0.0.1');
    const cookie = (await fetch(link, { redirect: 'manual' })).headers.get('set-cookie')!.split(';')[0];
    const csv = await (await fetch(`${t.url}/dashboard/export.csv?period=30d`, { headers: { cookie } })).text();
    expect(csv).toContain(`,"'=HYPERLINK(""http://evil"",""x"")",`);
    expect(csv).toContain(`,'=cmd|' /C calc'!A0,`);
    expect(csv).not.toMatch(/(^|,)[=+@-]/m);
  });

  it('only text cells: numbers we write (a negative duration) stay numbers', () => {
    const row: IncidentRow = {
      id: '1', ref: 'INC-1', title: '-1 day of data lost', restricted: false, kind: 'service', priority: 'P2', severity: 'SEV2', category: null,
      services: ['search'], status: 'resolved', impact_started_at: null, detected_at: '2026-12-02T09:00:00.000Z', declared_at: '2026-12-02T09:00:00.000Z', acknowledged_at: '2026-12-02T08:59:30.000Z', mitigated_at: null,
      resolved_at: null, closed_at: null, corrected: [], recorded_detected_at: '2026-12-02T09:00:00.000Z', recorded_declared_at: '2026-12-02T09:00:00.000Z', recorded_acknowledged_at: '2026-12-02T08:59:30.000Z',
      recorded_mitigated_at: null, recorded_resolved_at: null, recorded_closed_at: null, mtta_seconds: -30, mttr_seconds: null, mttm_seconds: null, mttd_seconds: null, response_sla_met: true, resolution_sla_met: null, channel_id: null, type: null, fields: {},
    };
    expect(incidentsCsv([row]).split('\n')[1]).toBe(
      "INC-1,'-1 day of data lost,service,P2,SEV2,,search,resolved,,2026-12-02T09:00:00.000Z,2026-12-02T09:00:00.000Z,2026-12-02T08:59:30.000Z,,,,,2026-12-02T09:00:00.000Z,2026-12-02T09:00:00.000Z,2026-12-02T08:59:30.000Z,,,,-30,,,,true,",
    );
    const timeline = timelineCsv([{ seq: 1, at: '2026-12-02T09:00:00.000Z', actor: '\t=1+1', kind: 'note', payload: { text: '=1+1' }, hash: 'ab' }]);
    expect(timeline.split('\n')[1]).toBe(`1,2026-12-02T09:00:00.000Z,'\t=1+1,note,"{""text"":""=1+1""}",ab`);
  });
});
