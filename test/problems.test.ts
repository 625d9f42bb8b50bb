import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeClock } from './support/clock.js';
import type { FakeChannel } from './support/fake-slack.js';
import { declareIncident, lastModal, messageText, submitModal } from './support/flows.js';
import { ask, incidentOf, resolveIncident, run, timelineKinds } from './support/follow-up.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

let t: TestApp;
let first: FakeChannel;
let second: FakeChannel;
const clock = new FakeClock('2026-11-16T10:00:00Z');

const problemValues = (o: { title: string; description?: string; knownError?: string; workaround?: string; owner?: string }) => ({
  problem_title: { problem_title: input.text(o.title) },
  problem_description: { problem_description: input.text(o.description ?? null) },
  problem_known_error: { problem_known_error: input.text(o.knownError ?? null) },
  problem_workaround: { problem_workaround: input.text(o.workaround ?? null) },
  problem_owner: { problem_owner: input.user(o.owner ?? 'UANA') },
});

beforeAll(async () => {
  // Reviews are not the subject here: no priority requires one.
  t = await startTestApp({ clock, policy: { reviews: { ...defaultPolicy().reviews, required_priorities: [] } } });
  for (const id of ['UANA', 'UBEN']) t.fake.addUser({ id, name: id.slice(1).toLowerCase() });
  first = await declareIncident(t, { userId: 'UANA', title: 'Intermittent 502s from the edge', severity: 'SEV2' });
  second = await declareIncident(t, { userId: 'UBEN', title: 'Edge 502s again', severity: 'SEV3' });
});
afterAll(() => t?.stop());

describe('problem records', () => {
  it('are opened from a resolved incident only', async () => {
    expect((await ask(t, 'problem', 'UANA', first.id)).text).toMatch(/Resolve the incident first/);
    expect((await ask(t, 'problem', 'UANA', 'CGENERAL')).text).toMatch(/works inside an incident channel/);
  });

  it('turn a resolved incident with an unsettled root cause into a record linked to it', async () => {
    await resolveIncident(t, first, 'UANA', 'Restarted the edge pool; cause unknown.');
    await run(t, 'problem', 'UANA', first.id);
    const form = await eventually(() => lastModal(t, 'UANA', 'problem_modal'));
    expect(form.blocks.find((b: any) => b.block_id === 'problem_title').element.initial_value).toBe('Intermittent 502s from the edge');
    const bad = await submitModal(t, 'UANA', 'problem_modal', problemValues({ title: ' ' }));
    expect(bad.body).toEqual({ response_action: 'errors', errors: { problem_title: 'Give the problem a title.' } });
    const ok = await submitModal(t, 'UANA', 'problem_modal', problemValues({ title: 'Edge returns 502 under connection churn', description: 'Only on the Frankfurt pool; keep-alive suspected' }));
    expect(ok.body).toBeFalsy();
    await t.settle();
    const row = await t.app.db.selectFrom('problems').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ title: 'Edge returns 502 under connection churn', status: 'open', owner_id: 'UANA', private: false });
    const posted = await eventually(() => first.messages.find((m) => messageText(m).includes(`PRB-${row.id}`)));
    expect(messageText(posted)).toContain('opened problem record');
    expect(await timelineKinds(t, (await incidentOf(t, first)).id)).toContain('problem_linked');
  });

  it('link more incidents, list the open ones, and become known errors then resolved', async () => {
    const id = (await t.app.db.selectFrom('problems').select('id').executeTakeFirstOrThrow()).id;
    expect((await ask(t, `problem link PRB-${id}`, 'UBEN', second.id)).text).toMatch(new RegExp(`INC-\\d+ is now linked to \\*PRB-${id}\\* \\(2 incidents\\)`));
    expect((await ask(t, `problem link PRB-${id}`, 'UBEN', second.id)).text).toMatch(/was already linked/);
    expect((await ask(t, 'problem link PRB-999', 'UBEN', second.id)).text).toMatch(/There is no problem record PRB-999/);

    const list = await ask(t, 'problems', 'UBEN', 'CGENERAL');
    expect(messageText(list)).toMatch(new RegExp(`PRB-${id}\\* Edge returns 502 under connection churn · :mag: open · owner <@UANA> · incidents INC-1, INC-2`));

    await run(t, `problem edit PRB-${id}`, 'UANA', 'CGENERAL');
    await submitModal(t, 'UANA', 'problem_modal', problemValues({ title: 'Edge returns 502 under connection churn', knownError: 'Idle keep-alive timeout shorter on the LB than on nginx', workaround: 'Raise the LB idle timeout to 120 s' }));
    expect((await t.app.db.selectFrom('problems').select('status').executeTakeFirstOrThrow()).status).toBe('known_error');
    const shown = await ask(t, `problem show PRB-${id}`, 'UBEN', 'CGENERAL');
    expect(messageText(shown)).toContain('Raise the LB idle timeout to 120 s');
    expect(messageText(shown)).toContain(':wrench: known error');

    expect((await ask(t, `problem resolve PRB-${id}`, 'UANA', 'CGENERAL')).text).toMatch(/Say how the problem was fixed/);
    expect((await ask(t, `problem resolve PRB-${id} Timeouts aligned on all pools`, 'UANA', 'CGENERAL')).text).toContain('is resolved');
    expect(messageText(await ask(t, 'problems', 'UBEN', 'CGENERAL'))).toContain('No open problem records');
  });

  it('are refused when the review confirmed the root cause', async () => {
    const third = await declareIncident(t, { userId: 'UANA', title: 'Expired TLS certificate', severity: 'SEV3' });
    await resolveIncident(t, third, 'UANA', 'Renewed it.');
    await run(t, 'review', 'UANA', third.id);
    await submitModal(t, 'UANA', 'review_modal', {
      pir_summary: { pir_summary: input.text('The wildcard certificate expired.') },
      pir_root_cause: { pir_root_cause: input.text('Renewal reminders went to a former employee.') },
      pir_root_cause_confirmed: { pir_root_cause_confirmed: input.checkboxes(['yes']) },
    });
    expect((await ask(t, 'problem', 'UANA', third.id)).text).toMatch(/root cause of this incident as confirmed/);
  });

  it('from a security incident stay out of shared listings', async () => {
    const secret = await declareIncident(t, { userId: 'UANA', title: 'Suspicious OAuth grants', severity: 'SEV2', kind: 'security' });
    await resolveIncident(t, secret, 'UANA', 'Grants revoked.');
    await run(t, 'problem', 'UANA', secret.id);
    await submitModal(t, 'UANA', 'problem_modal', problemValues({ title: 'How the OAuth app was approved is unknown' }));
    const list = messageText(await ask(t, 'problems', 'UBEN', 'CGENERAL'));
    expect(list).toContain(':lock: _restricted (security)_');
    expect(list).not.toContain('OAuth');
    const id = (await t.app.db.selectFrom('problems').select('id').where('private', '=', true).executeTakeFirstOrThrow()).id;
    expect(messageText(await ask(t, `problem show PRB-${id}`, 'UBEN', 'CGENERAL'))).not.toContain('OAuth');
    expect(messageText(await ask(t, `problem show PRB-${id}`, 'UANA', secret.id))).toContain('How the OAuth app was approved is unknown');
  });

  it('answer malformed subcommands with usage', async () => {
    expect((await ask(t, 'problem frobnicate', 'UANA', 'CGENERAL')).text).toMatch(/^Usage: `\/incident problem`/);
    expect((await ask(t, 'problem link', 'UANA', first.id)).text).toMatch(/^Usage/);
  });
});

describe('a workspace without follow-up actions', () => {
  it('gets no weekly summary (nothing to report)', async () => {
    clock.set('2026-11-30T09:30:00Z');
    await t.app.scheduler.runNow('reminders');
    await t.settle();
    expect(t.fake.channelByName('incidents')!.messages.filter((m) => m.text?.startsWith('Follow-up actions'))).toHaveLength(0);
    const row = await t.app.db.selectFrom('reminder_sends').selectAll().where('kind', '=', 'weekly_summary').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'skipped', local_date: '2026-11-30' });
  });
});
