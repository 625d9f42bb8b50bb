/**
 * A signal post being rendered while someone declares an incident from it. The interleaving is
 * stepped explicitly: the render's Slack call is held by the fake Slack after it has read the group
 * (before the link), the declaration commits, a second task runner (another replica) runs, then the
 * held call is let through.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { declareValues, lastModal, messageText } from './support/flows.js';
import { eventually } from './support/wait.js';
import { alertmanagerGroup, policyWith, postWebhook, WEBHOOK_ENV } from './support/webhooks.js';

let t: TestApp;
const TRIAGE = 'CTRIAGE02';
beforeAll(async () => {
  t = await startTestApp({ env: WEBHOOK_ENV, policy: policyWith({ signals: { triage_channel: TRIAGE } }) });
  t.fake.addChannel({ id: TRIAGE, name: 'alerts-triage', members: new Set([t.fake.botUserId]) });
  t.fake.addUser({ id: 'UANA', name: 'ana' });
});
afterAll(() => t?.stop());

const post = (name: string) => t.fake.messagesIn(TRIAGE).find((m) => messageText(m).includes(name))!;
const buttonsOf = (m: { blocks?: any[] }) => (m.blocks ?? []).flatMap((b: any) => b.elements ?? []).filter((e: any) => e.type === 'button').map((e: any) => e.action_id);
const group = (name: string) => t.app.db.selectFrom('signal_groups').selectAll().where('group_key', '=', `{}:{alertname="${name}"}`).executeTakeFirstOrThrow();

/**
 * Posts the group, opens the declare form from its post, then starts a refresh of the post (a new
 * delivery whose interval has passed) and holds its chat.update: the refresh has read the group as
 * it was before any declaration.
 */
async function refreshHeldBeforeDeclaring(name: string) {
  const body = (instances: string[]) => alertmanagerGroup({ groupKey: `{}:{alertname="${name}"}`, alertname: name, severity: 'warning', instances });
  expect((await postWebhook(t, 'alertmanager', body(['a']))).status).toBe(200);
  await t.settle();
  await t.slack.blockAction({ userId: 'UANA', actionId: 'signal_declare', channelId: TRIAGE, messageTs: post(name).ts });
  const view = await eventually(() => lastModal(t, 'UANA', 'incident_declare'));
  await t.settle();

  const held = t.fake.hold('chat.update');
  expect((await postWebhook(t, 'alertmanager', body(['a', 'b']))).status).toBe(200);
  const { id } = await group(name);
  await sql`update slack_tasks set run_at = now() where kind = 'signal.post' and done_at is null and payload->>'groupId' = ${id}`.execute(t.app.db);
  t.app.runner.kick();
  await eventually(() => held.received, 10_000, 'the refresh reaching Slack');

  const res = await t.slack.viewSubmission({ userId: 'UANA', view, values: declareValues({ userId: 'UANA', title: `Declared from ${name}`, severity: 'SEV3' }) });
  expect(res.body).toBeFalsy();
  const incident = await t.app.db.selectFrom('incidents').selectAll().where('title', '=', `Declared from ${name}`).executeTakeFirstOrThrow();
  expect(await group(name)).toMatchObject({ incident_id: incident.id, classification: 'incident' });
  return { held, incident };
}

describe('a triage post refreshed while an incident is declared from it', () => {
  it('shows the link as soon as the refresh that read the group before it finishes', async () => {
    const { held, incident } = await refreshHeldBeforeDeclaring('RaceBusy');
    // Another replica takes the refresh the link asked for: the post is busy, so it is put off (and
    // its retry is far away, as with a slow Slack).
    await t.app.runner.pass();
    const { id } = await group('RaceBusy');
    await sql`update slack_tasks set run_at = now() + interval '1 hour' where kind = 'signal.post' and done_at is null and payload->>'groupId' = ${id}`.execute(t.app.db);

    held.release();
    await t.settle();
    const m = post('RaceBusy');
    expect(messageText(m)).toContain(`Linked to INC-${incident.number}`);
    expect(buttonsOf(m)).toEqual([]);
  });

  it('shows the link when a refresh whose lease ran out lands after the newer one', async () => {
    const { held, incident } = await refreshHeldBeforeDeclaring('RaceLease');
    // The held refresh outlives its lease (Slack answering slowly, rate limits): another replica
    // then refreshes the post with the link, and the old refresh's stale content lands last.
    const g = await group('RaceLease');
    await sql`update signal_groups set posting_until = now() - interval '1 second' where id = ${g.id}`.execute(t.app.db);
    await t.app.runner.pass();
    expect(messageText(post('RaceLease'))).toContain(`Linked to INC-${incident.number}`);

    held.release();
    await t.settle();
    const m = post('RaceLease');
    expect(messageText(m)).toContain(`Linked to INC-${incident.number}`);
    expect(buttonsOf(m)).toEqual([]);
  });
});
