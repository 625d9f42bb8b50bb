import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChains } from '../src/audit/verify.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, lastModal, lastResponse, messageText, submitModal } from './support/flows.js';
import { validateBlocks } from './support/block-kit-validator.js';
import { input } from './support/slack-requests.js';
import { resolveIncident } from './support/follow-up.js';
import { eventually } from './support/wait.js';

const clock = new FakeClock('2026-11-24T14:05:00Z');
let t: TestApp;
let channel: FakeChannel;
let incidentId: string;
beforeAll(async () => {
  t = await startTestApp({ clock });
  for (const [id, name] of [['UCAROL', 'carol'], ['UDAN', 'dan']]) t.fake.addUser({ id, name });
  channel = await declareIncident(t, { userId: 'UCAROL', title: 'Checkout errors' });
  incidentId = (await t.app.db.selectFrom('incidents').select('id').where('channel_id', '=', channel.id).executeTakeFirstOrThrow()).id;
});
afterAll(() => t?.stop());

/** `npm run verify-audit`, the command an auditor runs (asynchronously: the fake Slack lives in this process). */
const verifyCli = () =>
  new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/verify-audit.ts'], { env: { PATH: process.env.PATH!, DATABASE_URL: t.database.url }, timeout: 60_000 });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout }));
  });

const reply = async (userId: string, text: string) => lastResponse(t, (await t.slack.command({ text, userId, channelId: channel.id })).responseUrl);

/** Opens the correction modal as `userId` and submits it with these times and reason. */
async function correct(userId: string, times: Record<string, string | null>, reason: string) {
  const before = new Set(t.fake.views.keys());
  await t.slack.command({ text: 'timestamps', userId, channelId: channel.id });
  const view = await eventually(() => {
    const v = lastModal(t, userId, 'incident_timestamps');
    return before.has(v.id) ? undefined : v;
  }, 3_000, 'timestamps modal');
  expect(validateBlocks(view.blocks, 'modal')).toEqual([]);
  const values: Record<string, Record<string, unknown>> = { time_reason: { time_reason: input.text(reason) } };
  for (const b of view.blocks.filter((b: any) => b.element?.type === 'datetimepicker')) {
    const key = b.block_id.slice('time_'.length);
    const initial = b.element.initial_date_time;
    values[b.block_id] = { [b.block_id]: input.dateTime(key in times ? times[key] : initial ? new Date(initial * 1000) : null) };
  }
  const res = await t.slack.viewSubmission({ userId, view, values });
  await t.settle();
  return { res, view };
}

describe('key timestamps', () => {
  it('shows them to anyone, and only the commander or deputy may correct them', async () => {
    clock.set('2026-11-24T14:20:00Z');
    const r = await reply('UDAN', 'timestamps');
    const text = messageText(r);
    expect(text).toContain('key timestamps');
    expect(text).toMatch(/\*Declared\* <!date\^\d+\^\{date_short\} \{time\}\|2026-11-24 14:05 UTC>/);
    expect(text).toMatch(/\*Detected\* <!date\^\d+[^>]*\|2026-11-24 14:05 UTC>/);
    expect(text).toContain('*Impact started* –');
    expect(text).toMatch(/_Only the Incident commander or the Deputy commander may correct the key timestamps of INC-\d+\._/);
    expect([...t.fake.views.values()].some((v) => v.user === 'UDAN')).toBe(false);
  });

  it('refuses times out of order or in the future under their inputs, and stores nothing', async () => {
    const { res, view } = await correct('UCAROL', { impact_started: '2026-11-24T14:10:00Z', acknowledged: '2026-11-24T15:00:00Z' }, 'Dashboards show it earlier');
    expect(view.blocks.map((b: any) => b.block_id)).not.toContain('time_resolved');
    expect(res.viewErrors).toEqual([]);
    expect(res.body).toEqual({
      response_action: 'errors',
      errors: { time_impact_started: 'Must not be after detected.', time_acknowledged: 'This is in the future.' },
    });
    expect(await t.app.db.selectFrom('incident_time_corrections').selectAll().execute()).toEqual([]);
  });

  it('records a correction as a new timeline row, leaving the recorded time and the chain intact', async () => {
    const { res } = await correct('UCAROL', { impact_started: '2026-11-24T13:25:00Z' }, 'Error rate rose at 13:25');
    expect(res.body).toBeFalsy();
    const rows = await t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', incidentId).where('kind', '=', 'timestamp_corrected').execute();
    expect(rows.map((r) => r.payload)).toEqual([{ key: 'impact_started', from: null, to: '2026-11-24T13:25:00.000Z', reason: 'Error rate rose at 13:25' }]);
    const posted = await eventually(() => channel.messages.find((m) => m.text?.includes('corrected')));
    expect(posted.text).toMatch(/^:clock3: Impact started corrected to <!date\^\d+\^\{date_short\} \{time\}\|2026-11-24 13:25 UTC> by <@UCAROL>: Error rate rose at 13:25$/);
    expect((await verifyChains(t.app.db)).broken).toEqual([]);
    expect((await reply('UCAROL', 'timeline verify')).text).toMatch(/^:white_check_mark: .* timeline is intact/);

    // Detected moved too: "from" names the time it counted as, the recorded one stays.
    await correct('UCAROL', { detected: '2026-11-24T13:40:00Z' }, 'PagerDuty alert at 13:40');
    const incident = await t.app.db.selectFrom('incidents').select(['detected_at', 'declared_at']).where('id', '=', incidentId).executeTakeFirstOrThrow();
    expect(incident.detected_at.toISOString()).toBe('2026-11-24T14:05:00.000Z');
    const shown = messageText(await reply('UDAN', 'timestamps'));
    expect(shown).toMatch(/\*Detected\* <!date\^\d+[^>]*\|2026-11-24 13:40 UTC> _\(corrected; recorded <!date\^\d+[^>]*\|2026-11-24 14:05 UTC>\)_/);
    expect(shown).toMatch(/\*Impact started\* <!date\^\d+[^>]*\|2026-11-24 13:25 UTC> _\(corrected; recorded not set\)_/);
  });

  it('feeds the corrected times to /incident stats and the dashboard; resolved incidents can be corrected too', async () => {
    clock.set('2026-11-24T16:05:00Z');
    await resolveIncident(t, channel, 'UCAROL', 'Rolled back the release');
    clock.set('2026-11-24T16:30:00Z');
    const before = messageText(await reply('UDAN', 'stats 7d'));
    expect(before).toMatch(/\*MTTR\* 2h 0m mean/);
    expect(before).toMatch(/\*Time to detect\* 15m mean/);
    expect(before).toContain(':clock3: Corrected timestamps, used above: INC-1 (impact started, detected)');

    // Resolving also recorded the mitigation (16:05): resolved alone cannot move before it.
    const refused = await correct('UCAROL', { resolved: '2026-11-24T15:05:00Z' }, 'Recovery was complete at 15:05');
    expect(refused.res.body).toEqual({ response_action: 'errors', errors: { time_resolved: 'Must not be before mitigated.' } });
    const { res } = await correct('UCAROL', { mitigated: '2026-11-24T15:00:00Z', resolved: '2026-11-24T15:05:00Z' }, 'Recovery was complete at 15:05; the resolve came later');
    expect(res.body).toBeFalsy();
    const after = await reply('UDAN', 'stats 7d');
    expect(validateBlocks(after.blocks, 'message')).toEqual([]);
    expect(messageText(after)).toMatch(/\*MTTR\* 1h 0m mean/);
    expect(messageText(after)).toMatch(/\*Time to mitigate\* 55m mean/);
    expect(messageText(after)).toContain('INC-1 (impact started, detected, mitigated, resolved)');

    // The dashboard: the MTTR card and the incident's row; its page shows corrected and recorded times.
    const link = /(http:\/\/localhost:\d+\/dashboard\?token=\S+)/.exec((await reply('UCAROL', 'dashboard')).text)![1].replace('localhost', '127.0.0.1');
    const signIn = await fetch(link, { redirect: 'manual' });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const overview = await (await fetch(`${t.url}/dashboard?period=7d`, { headers: { cookie } })).text();
    expect(overview).toMatch(/MTTR<\/span><b>1\.0h<\/b>/);
    expect(overview).toContain('(corrected)');
    // The review document (shown on the incident's page) measures from the corrected times too.
    await t.slack.command({ text: 'review', userId: 'UCAROL', channelId: channel.id });
    await submitModal(t, 'UCAROL', 'review_modal', { pir_summary: { pir_summary: input.text('A bad release broke checkout.') }, pir_owner: { pir_owner: input.user('UCAROL') } });
    const page = await (await fetch(`${t.url}/dashboard/incidents/${incidentId}`, { headers: { cookie } })).text();
    expect(page).toContain('<tr><th>Resolved</th><td>2026-11-24T15:05:00.000Z (corrected; recorded 2026-11-24T16:05:00.000Z)</td></tr>');
    expect(page).toContain('| Impact started | 2026-11-24 13:25 UTC (corrected; recorded not set) |');
    expect(page).toContain('| Time to detect | 15m |');
    expect(page).toContain('| Time to resolve | 1h 0m |');
    const csv = await (await fetch(`${t.url}/dashboard/export.csv?period=7d`, { headers: { cookie } })).text();
    // Both: as they count, which were corrected, as recorded.
    expect(csv).toContain(
      'INC-1,Checkout errors,service,P2,SEV2,,,resolved,2026-11-24T13:25:00.000Z,2026-11-24T13:40:00.000Z,2026-11-24T14:05:00.000Z,,2026-11-24T15:00:00.000Z,2026-11-24T15:05:00.000Z,,' +
        'impact_started;detected;mitigated;resolved,2026-11-24T14:05:00.000Z,2026-11-24T14:05:00.000Z,,2026-11-24T16:05:00.000Z,2026-11-24T16:05:00.000Z,,,3600,3300,900,false,true',
    );

    expect((await verifyChains(t.app.db)).broken).toEqual([]);
    const cli = await verifyCli();
    expect(cli.stdout).not.toMatch(/BROKEN/);
    expect(cli.status).toBe(0);
  });

  it('the deputy may correct them too', async () => {
    await reply('UCAROL', 'role deputy <@UDAN|dan>');
    await t.settle();
    const { res } = await correct('UDAN', { acknowledged: '2026-11-24T14:20:00Z' }, 'Dan picked it up at 14:20');
    expect(res.body).toBeFalsy();
    const row = await t.app.db.selectFrom('incident_time_corrections').selectAll().where('key', '=', 'acknowledged').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ actor_id: 'UDAN', recorded: null, reason: 'Dan picked it up at 14:20' });
    expect(messageText(await reply('UDAN', 'stats 7d'))).toMatch(/\*MTTA\* 15m mean/);
  });
});
