import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAction } from '../src/actions/repository.js';
import { insertChange } from '../src/changes/repository.js';
import { insertIncident } from '../src/incidents/repository.js';
import { defaultPolicy } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { MSG_BLOCKS_TOTAL_TEXT_LIMIT, strayMarkup, totalBlockText, validateBlocks } from './support/block-kit-validator.js';
import { FakeClock } from './support/clock.js';
import { FakeSlack, type FakeMessage } from './support/fake-slack.js';
import { declareIncident, lastResponse } from './support/flows.js';
import { incidentOf } from './support/follow-up.js';
import { eventually } from './support/wait.js';

/**
 * Lists at the sizes the product accepts, with texts made of the characters Slack escapes (each takes
 * four or five characters once escaped): every list fits one message, keeps whole lines and links, and
 * says how many it shows of how many.
 */
const hostile = (length: number) => '<&>'.repeat(Math.ceil(length / 3)).slice(0, length);

const SERVICES = Array.from({ length: 300 }, (_, i) => ({ name: `ledger-settlement-reconciliation-service-${String(i).padStart(3, '0')}`, tier: (i % 4) + 1, owner: `team-${i % 40}` }));

const clock = new FakeClock('2026-11-26T08:00:00Z'); // a Thursday
let t: TestApp;
let weekly: string;
let incidentId: string;
let teamId: string;
const base = defaultPolicy();

beforeAll(async () => {
  clock.set('2026-11-26T08:00:00Z');
  const fake = await FakeSlack.start();
  weekly = fake.addChannel({ name: 'leadership' }).id;
  const services = SERVICES.map((s) => ({ ...s, depends_on: [], vendors: [] }));
  t = await startTestApp({ fake, clock, policy: { services, reports: { ...base.reports, weekly: { channel: weekly, day: 'thu', time: '09:00', timezone: 'UTC' } } } });
  t.fake.addUser({ id: 'UANA', name: 'ana', tz: 'UTC', tz_offset: 0 });
  const c = await declareIncident(t, { userId: 'UANA', title: 'Ledger drift', severity: 'SEV2', serviceList: SERVICES.slice(0, 3).map((s) => s.name) });
  const row = await incidentOf(t, c);
  incidentId = row.id;
  teamId = row.team_id;
  for (let i = 0; i < 30; i++) {
    await insertAction(t.app.db, { incidentId, title: hostile(300), ownerId: 'UANA', team: null, dueDate: '2026-11-20', priority: 'medium', trackerUrl: null, createdBy: 'UANA', at: clock.now(), sourceKey: null });
  }
});
afterAll(() => t?.stop());


function fitsOneMessage(blocks: any[]): void {
  expect(validateBlocks(blocks, 'message')).toEqual([]);
  expect(totalBlockText(blocks)).toBeLessThanOrEqual(MSG_BLOCKS_TOTAL_TEXT_LIMIT);
  for (const b of blocks) for (const text of [b.text?.text, ...(b.elements ?? []).map((e: any) => e.text)]) if (typeof text === 'string') expect(strayMarkup(text), text.slice(0, 120)).toEqual([]);
}

async function ask(text: string, channelId = 'CGENERAL', command?: string) {
  const res = await t.slack.command({ text, userId: 'UANA', channelId, ...(command ? { command } : {}) });
  expect(res.status).toBe(200);
  return lastResponse(t, res.responseUrl);
}

const rowsOf = (blocks: any[]) => blocks.filter((b: any) => b.block_id?.startsWith('act_text_')).length;
const footerOf = (blocks: any[]) => blocks.filter((b: any) => b.type === 'context').map((b: any) => b.elements[0].text as string);

describe('follow-up actions', () => {
  it('/incident actions with 30 actions of the longest titles shows the rows that fit and says how many of 30', async () => {
    const reply = await ask('actions');
    fitsOneMessage(reply.blocks);
    const rows = rowsOf(reply.blocks);
    expect(rows).toBeGreaterThan(3);
    expect(footerOf(reply.blocks)).toContain(`Showing the ${rows} most urgent of 30.`);
  });

  it("the owner's digest fits one DM and says how many more there are", async () => {
    clock.set('2026-11-26T09:00:00Z');
    expect(await t.app.scheduler.runNow('reminders')).toBe(true);
    await t.settle();
    const digest = await eventually(() => t.fake.dmWith('UANA')?.messages.find((m: FakeMessage) => m.text?.startsWith('Your follow-up actions')), 5_000, 'the digest');
    fitsOneMessage(digest.blocks!);
    const rows = rowsOf(digest.blocks!);
    expect(rows).toBeGreaterThan(3);
    expect(footerOf(digest.blocks!)).toContain(`…and ${30 - rows} more: \`/incident actions\` lists them all.`);
  });
});

describe('/change list all with 150 changes of the longest titles', () => {
  it('shows the changes that fit and says how many of all it shows', async () => {
    for (let i = 0; i < 150; i++) {
      const at = new Date(clock.now().getTime() - i * 60_000);
      await insertChange(t.app.db, { title: hostile(150), description: '', services: ['ledger'], starts_at: at, ends_at: at, impact: null, likelihood: null, risk: null, rollback_plan: '', implementer_id: null, implementer_name: 'ci', requested_by: 'ci', source: 'webhook', external_id: `deploy-${i}`, url: `https://ci.example.com/deploys/${i}`, status: 'deployed', cab_channel_id: null, cab_ts: null, decided_by: null, decided_at: null, decision_note: null, created_at: at });
    }
    const reply = await ask('list all', 'CGENERAL', '/change');
    fitsOneMessage(reply.blocks);
    const lines = reply.blocks.filter((b: any) => b.type === 'section').flatMap((b: any) => b.text.text.split('\n'));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/<https:\/\/ci\.example\.com\/deploys\/\d+\|details>/);
    expect(footerOf(reply.blocks)).toEqual([`Showing the newest ${lines.length} of 150.`]);
  });
});

describe('/incident services with 300 services, all with open incidents', () => {
  it('lists the services that fit and keeps the footer, with how many more', async () => {
    await insertIncident(t.app.db, { teamId, number: 9_000, title: 'Everything', description: '', severity: 'SEV3', kind: 'service', status: 'investigating', services: SERVICES.map((s) => s.name), commanderId: 'UANA', reporterId: 'UANA', sourceKey: null, declaredAt: clock.now() });
    const reply = await ask('services');
    fitsOneMessage(reply.blocks);
    const listed = reply.blocks.filter((b: any) => b.type === 'section').flatMap((b: any) => b.text.text.split('\n')).filter((l: string) => l.startsWith('• '));
    expect(listed.length).toBeGreaterThan(10);
    expect(footerOf(reply.blocks).at(-1)).toBe(`_… and ${300 - listed.length} more services._ \`/incident services <name>\` shows one service with its open incidents and recent changes.`);
  });
});

describe('the weekly leadership report', () => {
  it('lists the major incidents and overdue actions that fit, each line whole, with how many more', async () => {
    const at = new Date('2026-11-25T10:00:00Z');
    for (let i = 0; i < 25; i++) {
      const inc = await insertIncident(t.app.db, { teamId, number: 9_100 + i, title: hostile(80), description: '', severity: 'SEV1', kind: 'service', status: 'investigating', services: [], commanderId: 'UANA', reporterId: 'UANA', sourceKey: null, declaredAt: at });
      await t.app.db.updateTable('incidents').set({ priority: 'P1' }).where('id', '=', inc!.id).execute();
    }
    clock.set('2026-11-26T09:00:00Z');
    await t.app.scheduler.runNow('weekly-report');
    await t.settle();
    const report = await eventually(() => t.fake.messagesIn(weekly).find((m) => m.text?.includes('Weekly incident report')), 5_000, 'the weekly report');
    fitsOneMessage(report.blocks!);
    const list = (heading: string) => {
      const [head, ...lines] = (report.blocks!.find((b: any) => b.text?.text.startsWith(heading)) as any).text.text.split('\n') as string[];
      return { total: Number(/\((\d+)\)$/.exec(head)![1]), lines };
    };
    const major = list('*P1/P2 incidents this week*');
    expect(major.total).toBeGreaterThanOrEqual(25);
    expect(major.lines.at(-1)).toBe(`_… and ${major.total - (major.lines.length - 1)} more_`);
    const overdue = list('*Overdue follow-up actions*');
    expect(overdue.total).toBe(30);
    expect(overdue.lines.at(-1)).toBe(`_… and ${30 - (overdue.lines.length - 1)} more_`);
  });
});
