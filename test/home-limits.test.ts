import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAction } from '../src/actions/repository.js';
import { insertIncident } from '../src/incidents/repository.js';
import { recordJiraSyncError } from '../src/jira/links.js';
import { itsmSchema } from '../src/policy/itsm-schema.js';
import { policySchema } from '../src/policy/schema.js';
import { ensureLink, recordSyncError } from '../src/servicenow/links.js';
import { startTestApp, type TestApp } from './support/app.js';
import { LIMITS, strayMarkup, validateView } from './support/block-kit-validator.js';
import { FakeClock } from './support/clock.js';
import { startFakeJira, type FakeJira } from './support/fake-jira.js';
import { startFakeServiceNow, type FakeServiceNow } from './support/fake-servicenow.js';
import { FakeSlack } from './support/fake-slack.js';
import { jiraEnv } from './support/jira.js';
import { serviceNowEnv } from './support/servicenow.js';
import { eventually } from './support/wait.js';

/**
 * The Home tab of someone for whom every section is full at once: commander of many open incidents,
 * owner of many overdue actions, with every rotation of the policy on call, and operator of both ITSM
 * connectors while many incidents fail to sync. Texts are at the lengths the product accepts and made of
 * the characters Slack escapes (each takes four or five characters once escaped).
 */
const hostile = (length: number) => '<&>'.repeat(Math.ceil(length / 3)).slice(0, length);

const INCIDENTS = 40;
const ACTIONS = 60; // two for each of the first 30 incidents
const ROTATIONS = 50; // the policy's maximum
const FAILING = 40;

const clock = new FakeClock('2026-11-26T08:00:00Z');
let fake: FakeSlack;
let sn: FakeServiceNow;
let jira: FakeJira;
let t: TestApp;

beforeAll(async () => {
  fake = await FakeSlack.start();
  sn = await startFakeServiceNow();
  jira = await startFakeJira('cloud');
  fake.addUser({ id: 'UANA', name: 'ana' });
  const rotations = Array.from({ length: ROTATIONS }, (_, i) => ({ name: `payments-settlement-ledger-primary-${String(i).padStart(3, '0')}`, members: ['UANA', 'UBEN', 'UCAT'], length: 'daily' }));
  const itsm = itsmSchema.parse({
    servicenow: { instance_url: sn.url, poll_seconds: 5, operators: ['UANA'] },
    jira: { base_url: jira.url, deployment: jira.flavor, project: 'OPS', issue_type: 'Incident', operators: ['UANA'] },
  });
  const { oncall } = policySchema.parse({ oncall: { rotations } });
  t = await startTestApp({ fake, clock, env: { ...serviceNowEnv(sn), ...jiraEnv(jira) }, policy: { itsm, oncall } as never });

  // Built through the repositories: the app finds them as if declared, assigned and failing over weeks.
  for (let n = 1; n <= INCIDENTS; n++) {
    const declaredAt = new Date(clock.now().getTime() - n * 3_600_000);
    const incident = (await insertIncident(t.app.db, { teamId: fake.teamId, number: n, title: hostile(80), description: '', severity: 'SEV2', kind: n % 7 === 0 ? 'security' : 'service', status: 'investigating', services: [], commanderId: 'UANA', reporterId: 'UBEN', sourceKey: null, declaredAt }))!;
    await t.app.db.updateTable('incidents').set({ channel_id: `C0INC${String(n).padStart(4, '0')}` }).where('id', '=', incident.id).execute();
    for (let a = 0; a < 2 && n * 2 <= ACTIONS; a++) {
      await insertAction(t.app.db, { incidentId: incident.id, title: hostile(300), ownerId: 'UANA', team: null, dueDate: '2026-11-02', priority: 'high', trackerUrl: `https://tracker.example.com/${'x'.repeat(470)}`, createdBy: 'UBEN', at: declaredAt, sourceKey: null });
    }
    if (n <= FAILING) {
      await ensureLink(t.app.db, incident.id);
      await recordSyncError(t.app.db, incident.id, n % 2 ? 'pending' : 'failed', hostile(2000));
      await recordJiraSyncError(t.app.db, incident.id, n % 2 ? 'failed' : 'pending', hostile(2000));
    }
  }
});
afterAll(async () => {
  await t?.stop();
  await fake?.close();
  await sn?.close();
  await jira?.close();
});

const mrkdwnTexts = (blocks: any[]): string[] =>
  blocks.flatMap((b) => [b.text, ...(b.fields ?? []), ...(b.elements ?? [])]).filter((x) => x?.type === 'mrkdwn').map((x) => x.text as string);

/** The blocks between a section's header and the next divider. */
function section(blocks: any[], header: string): any[] {
  const start = blocks.findIndex((b) => b.type === 'header' && b.text.text === header);
  expect(start, `the "${header}" section`).toBeGreaterThanOrEqual(0);
  const end = blocks.findIndex((b, i) => i > start && b.type === 'divider');
  return blocks.slice(start + 1, end < 0 ? undefined : end);
}

/** A one-section list: its bullet lines, and the line after them. */
function listed(blocks: any[], header: string): { lines: string[]; footer: string } {
  const body = section(blocks, header);
  expect(body.map((b) => b.type)).toEqual(['section']);
  const all = (body[0].text.text as string).split('\n');
  return { lines: all.filter((l) => l.startsWith('• ')), footer: all.at(-1)! };
}

const publishes = () => fake.callsTo('views.publish').filter((c) => c.args.user_id === 'UANA');

/** The Home tab the app publishes for UANA after `act` (opening the tab, pressing a button), which Slack accepted. */
async function homeAfter(act: () => Promise<unknown>): Promise<any> {
  const before = publishes().length;
  await act();
  const publish = await eventually(() => publishes()[before], 10_000, 'the Home tab published');
  expect(publish.error).toBeUndefined();
  return typeof publish.args.view === 'string' ? JSON.parse(publish.args.view) : publish.args.view;
}

const openHome = () => homeAfter(() => t.slack.event({ type: 'app_home_opened', user: 'UANA', channel: 'DUANA', tab: 'home' }));

describe('the Home tab with every section at its maximum', () => {
  it('is one valid view of at most 100 blocks in which every section keeps its own footer with the right counts', async () => {
    const view = await openHome();
    const blocks: any[] = view.blocks;

    expect(blocks.length).toBeLessThanOrEqual(LIMITS.viewBlocks);
    expect(validateView(view)).toEqual([]);
    for (const text of mrkdwnTexts(blocks)) expect(strayMarkup(text), text.slice(0, 120)).toEqual([]);
    // Every section is there, none left out to make room.
    expect(blocks.filter((b) => b.type === 'header').map((b) => b.text.text)).toEqual(['My incidents', 'My follow-up actions', 'On call now', 'ServiceNow sync failing', 'Jira sync failing', 'Last 30 days']);

    // My incidents: a page of 15, with where it is in all of them and the button to the next page.
    const mine = section(blocks, 'My incidents');
    expect(mine.filter((b) => b.type === 'section')).toHaveLength(15);
    expect(mine.find((b) => b.type === 'context')?.elements[0].text).toBe(`1–15 of ${INCIDENTS}`);
    expect(mine.find((b) => b.block_id === 'home_pager')?.elements.map((e: any) => e.text.text)).toEqual(['Older']);

    // My follow-up actions: the 10 most urgent, each with its buttons, and how many of all.
    const actions = section(blocks, 'My follow-up actions');
    expect(actions.filter((b) => b.block_id?.startsWith('act_text_'))).toHaveLength(10);
    expect(actions.filter((b) => b.block_id?.startsWith('act_') && b.type === 'actions')).toHaveLength(10);
    expect(actions.at(-1).type).toBe('context');
    expect(actions.at(-1).elements[0].text).toBe(`10 of ${ACTIONS} · \`/incident actions\` lists them all`);

    // On call now: the rotations that fit, and how many more.
    const oncall = listed(blocks, 'On call now');
    expect(oncall.lines.length).toBeGreaterThan(3);
    expect(oncall.footer).toBe(`_… and ${ROTATIONS - oncall.lines.length} more: \`/incident oncall\` lists every rotation_`);

    // The connectors' failing syncs, for their operator: the incidents that fit, and how many more.
    for (const system of ['ServiceNow', 'Jira']) {
      const failing = listed(blocks, `${system} sync failing`);
      expect(failing.lines.length, system).toBeGreaterThan(0);
      expect(failing.footer, system).toBe(`_… and ${FAILING - failing.lines.length} more_`);
    }

    // The 30-day numbers close the tab.
    expect(blocks.at(-3).text.text).toBe('Last 30 days');
    expect(blocks.at(-2).fields[0].text).toContain(`*Incidents*\n${INCIDENTS} (${INCIDENTS} open)`);
  });

  it('pages through my incidents to the last page, every page within the limits with the other sections whole', async () => {
    let view = await openHome();
    for (const [footer, buttons] of [
      [`16–30 of ${INCIDENTS}`, ['Newer', 'Older']],
      [`31–${INCIDENTS} of ${INCIDENTS}`, ['Newer']],
    ] as const) {
      const older = view.blocks.find((b: any) => b.block_id === 'home_pager').elements.find((e: any) => e.text.text === 'Older');
      view = await homeAfter(() => t.slack.blockAction({ userId: 'UANA', actionId: older.action_id, value: older.value, view: { ...view, id: fake.homeViews.get('UANA')! } }));
      expect(view.blocks.length).toBeLessThanOrEqual(LIMITS.viewBlocks);
      expect(validateView(view)).toEqual([]);
      const mine = section(view.blocks, 'My incidents');
      expect(mine.find((b) => b.type === 'context')?.elements[0].text).toBe(footer);
      expect(mine.find((b) => b.block_id === 'home_pager')?.elements.map((e: any) => e.text.text)).toEqual(buttons);
      expect(view.blocks.filter((b: any) => b.type === 'header')).toHaveLength(6);
    }
  });
});
