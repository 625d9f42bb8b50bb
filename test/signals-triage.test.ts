import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { declareValues, lastModal, messageText } from './support/flows.js';
import { input } from './support/slack-requests.js';
import { eventually } from './support/wait.js';
import { alertmanagerGroup, policyWith, postWebhook, WEBHOOK_ENV } from './support/webhooks.js';

let t: TestApp;
const TRIAGE = 'CTRIAGE01';
beforeAll(async () => {
  t = await startTestApp({
    env: WEBHOOK_ENV,
    policy: policyWith({
      signals: {
        triage_channel: TRIAGE,
        rules: [
          { match: { labels: { env: 'staging' } }, action: 'drop' },
          { match: { source: 'alertmanager', severity: 'critical', labels: { team: 'payments' } }, action: 'declare', severity: 'SEV2', commander_rotation: 'primary' },
        ],
      },
      oncall: { rotations: [{ name: 'primary', members: ['UONE', 'UTWO'], timezone: 'UTC', length: 'weekly' }] },
      paging: { priorities: ['P1'] },
    }),
  });
  t.fake.addChannel({ id: TRIAGE, name: 'alerts-triage', members: new Set([t.fake.botUserId]) });
  for (const [id, name] of [['UANA', 'ana'], ['UONE', 'one'], ['UTWO', 'two']]) t.fake.addUser({ id, name });
});
afterAll(() => t?.stop());

const triagePosts = (needle: string) => t.fake.messagesIn(TRIAGE).filter((m) => messageText(m).includes(needle));
const groupRow = (key: string) => t.app.db.selectFrom('signal_groups').selectAll().where('group_key', '=', key).executeTakeFirstOrThrow();
const buttonsOf = (m: { blocks?: any[] }) => (m.blocks ?? []).flatMap((b: any) => b.elements ?? []).filter((e: any) => e.type === 'button').map((e: any) => e.action_id);

async function fire(name: string, extra: Partial<Parameters<typeof alertmanagerGroup>[0]> = {}, labels: Record<string, string> = {}) {
  const body = alertmanagerGroup({ groupKey: `{}:{alertname="${name}"}`, alertname: name, instances: ['api-1'], service: 'checkout', ...extra });
  for (const a of body.alerts) Object.assign(a.labels, labels);
  Object.assign(body.commonLabels, labels);
  const res = await postWebhook(t, 'alertmanager', body);
  expect(res.status).toBe(200);
  await t.settle();
  return body;
}

describe('an alert storm', () => {
  it('5,000 alerts of 20 groups give 20 posts; repeats are coalesced into one update per group', async () => {
    const before = t.fake.callsTo('chat.postMessage').length;
    const deliveries = [];
    // As Alertmanager does: each group notified with all its alerts, again and again.
    for (let round = 0; round < 5; round++) {
      for (let g = 0; g < 20; g++) {
        deliveries.push(alertmanagerGroup({ groupKey: `{}:{alertname="Storm${g}"}`, alertname: `Storm${g}`, severity: 'warning', instances: Array.from({ length: 50 }, (_, i) => `node-${i}`) }));
      }
    }
    for (let i = 0; i < deliveries.length; i += 10) {
      // The first posts go out before the last round, so each group's last delivery finds its post
      // made and queues exactly one coalesced update (whether an earlier round lands before or after
      // a group's first post is claimed is up to the task runner).
      if (i === deliveries.length - 20) await t.settle();
      const results = await Promise.all(deliveries.slice(i, i + 10).map((d) => postWebhook(t, 'alertmanager', d)));
      expect(results.map((r) => r.status)).toEqual(Array(results.length).fill(200));
    }
    expect(deliveries.reduce((n, d) => n + d.alerts.length, 0)).toBe(5000);
    await t.settle();

    const posts = t.fake.callsTo('chat.postMessage').slice(before).filter((c) => c.args.channel === TRIAGE);
    expect(posts).toHaveLength(20);
    expect(t.fake.messagesIn(TRIAGE).filter((m) => /Storm\d+/.test(messageText(m)))).toHaveLength(20);
    expect(t.fake.callsTo('chat.update').filter((c) => /Storm\d+/.test(messageText(c.args)))).toHaveLength(0);
    const groups = await t.app.db.selectFrom('signal_groups').selectAll().where('group_key', 'like', '%Storm%').execute();
    expect(groups).toHaveLength(20);
    expect(groups.every((g) => g.signal_count === 50 && Number(g.delivery_count) === 5)).toBe(true);
    const counts = await t.app.db.selectFrom('signals').select('count').where('title', 'like', 'Storm%').execute();
    expect(counts).toHaveLength(1000);
    expect(counts.every((c) => c.count === 5)).toBe(true);

    // Exactly one coalesced update per group is waiting for the interval.
    const pending = await t.app.db.selectFrom('slack_tasks').select(['run_at']).where('kind', '=', 'signal.post').where('done_at', 'is', null).execute();
    expect(pending).toHaveLength(20);
    const { rows } = await sql<{ now: Date }>`select now()`.execute(t.app.db);
    for (const p of pending) expect(p.run_at.getTime() - rows[0].now.getTime()).toBeGreaterThan(50_000);
    await sql`update slack_tasks set run_at = now() where kind = 'signal.post' and done_at is null`.execute(t.app.db);
    await t.settle();
    const updates = t.fake.callsTo('chat.update').filter((c) => /Storm\d+/.test(messageText(c.args)));
    expect(updates).toHaveLength(20);
    expect(messageText(triagePosts('Storm7')[0])).toContain('50 alerts, received 5 times');
  });
});

describe('the buttons of a signal post', () => {
  it('Declare incident opens the declare modal prefilled; declaring links the signal', async () => {
    await fire('CheckoutLatency');
    const post = triagePosts('CheckoutLatency')[0];
    expect(buttonsOf(post)).toEqual(['signal_declare', 'signal_link', 'signal_dismiss']);
    await t.slack.blockAction({ userId: 'UANA', actionId: 'signal_declare', channelId: TRIAGE, messageTs: post.ts });
    const view = await eventually(() => lastModal(t, 'UANA', 'incident_declare'));
    const block = (id: string) => view.blocks.find((b: any) => b.block_id === id).element;
    expect(block('title').initial_value).toBe('CheckoutLatency on api-1');
    expect(block('description').initial_value).toContain('Error rate above 5% on api-1');
    expect(block('description').initial_value).toContain('http://prometheus.example.org:9090/graph');
    expect(block('severity').initial_option.value).toBe('SEV1');
    expect(block('services').initial_value).toBe('checkout');

    const res = await t.slack.viewSubmission({ userId: 'UANA', view, values: declareValues({ userId: 'UANA', title: 'Checkout latency', severity: 'SEV2', services: 'checkout' }) });
    expect(res.body).toBeFalsy();
    await t.settle();
    const incident = await t.app.db.selectFrom('incidents').selectAll().where('title', '=', 'Checkout latency').executeTakeFirstOrThrow();
    const g = await groupRow('{}:{alertname="CheckoutLatency"}');
    expect(g).toMatchObject({ incident_id: incident.id, classification: 'incident', classified_by: 'UANA' });
    // Declared from a signal: detected when its first alert came in, before the declaration.
    expect(g.first_seen_at.getTime()).toBeLessThan(incident.declared_at.getTime());
    expect(incident.detected_at).toEqual(g.first_seen_at);
    const linked = await t.app.db.selectFrom('timeline_events').selectAll().where('incident_id', '=', incident.id).where('kind', '=', 'signal_linked').execute();
    expect(linked).toHaveLength(1);
    expect(linked[0].payload).toMatchObject({ source: 'alertmanager', title: 'CheckoutLatency on api-1', how: 'declared' });
    const updated = await eventually(() => triagePosts('CheckoutLatency').find((m) => m.edited));
    expect(messageText(updated)).toContain(`Linked to INC-${incident.number}`);
    expect(buttonsOf(updated)).toEqual([]);
    const channelMsgs = t.fake.messagesIn(incident.channel_id!);
    expect(channelMsgs.some((m) => messageText(m).includes('linked the alertmanager signal'))).toBe(true);
  });

  it('Link to incident offers the open incidents and links the chosen one', async () => {
    const incident = await t.app.db.selectFrom('incidents').selectAll().where('title', '=', 'Checkout latency').executeTakeFirstOrThrow();
    await fire('CheckoutErrors');
    const post = triagePosts('CheckoutErrors')[0];
    await t.slack.blockAction({ userId: 'UANA', actionId: 'signal_link', channelId: TRIAGE, messageTs: post.ts });
    const view = await eventually(() => lastModal(t, 'UANA', 'signal_link_modal'));
    const options = view.blocks.find((b: any) => b.block_id === 'signal_incident').element.options;
    expect(options.map((o: any) => o.text.text)).toContain(`INC-${incident.number} · Checkout latency`);
    const empty = await t.slack.viewSubmission({ userId: 'UANA', view, values: { signal_incident: { signal_incident: input.select(null) } } });
    expect(empty.body).toEqual({ response_action: 'errors', errors: { signal_incident: 'Choose an incident.' } });
    const res = await t.slack.viewSubmission({ userId: 'UANA', view, values: { signal_incident: { signal_incident: input.select(incident.id) } } });
    expect(res.body).toBeFalsy();
    await t.settle();
    expect(await groupRow('{}:{alertname="CheckoutErrors"}')).toMatchObject({ incident_id: incident.id, classification: 'incident' });
    expect(messageText(triagePosts('CheckoutErrors')[0])).toContain(`Linked to INC-${incident.number}`);

    // When every signal linked to the incident has resolved, its channel is told.
    for (const name of ['CheckoutLatency', 'CheckoutErrors']) await fire(name, { status: 'resolved' });
    const told = await eventually(() => t.fake.messagesIn(incident.channel_id!).find((m) => messageText(m).includes('All linked signals resolved')));
    expect(messageText(told)).toContain('CheckoutErrors');
    const resolvedRows = await t.app.db.selectFrom('timeline_events').select('kind').where('incident_id', '=', incident.id).where('kind', '=', 'signals_resolved').execute();
    expect(resolvedRows).toHaveLength(1);
  });

  it('Not an incident records the classification with its reason', async () => {
    await fire('BackupSlow', { severity: 'warning' });
    const post = triagePosts('BackupSlow')[0];
    await t.slack.blockAction({ userId: 'UANA', actionId: 'signal_dismiss', channelId: TRIAGE, messageTs: post.ts });
    const view = await eventually(() => lastModal(t, 'UANA', 'signal_classify_modal'));
    const noReason = await t.slack.viewSubmission({ userId: 'UANA', view, values: { signal_classification: { signal_classification: input.radio('security_event') }, signal_reason: { signal_reason: input.text('  ') } } });
    expect(noReason.body).toEqual({ response_action: 'errors', errors: { signal_reason: 'Say why, for the record.' } });
    await t.slack.viewSubmission({ userId: 'UANA', view, values: { signal_classification: { signal_classification: input.radio('security_event') }, signal_reason: { signal_reason: input.text('Pen test by the red team, ticket SEC-88') } } });
    await t.settle();
    const g = await groupRow('{}:{alertname="BackupSlow"}');
    expect(g).toMatchObject({ classification: 'security_event', classification_reason: 'Pen test by the red team, ticket SEC-88', classified_by: 'UANA', incident_id: null });
    const updated = triagePosts('BackupSlow')[0];
    expect(messageText(updated)).toContain('Security event only (no incident), per <@UANA>: Pen test by the red team, ticket SEC-88');
    expect(buttonsOf(updated)).toEqual(['signal_declare', 'signal_link']);
  });
});

describe('a group that fires again', () => {
  it('within the reopen window continues its post; after it, starts a new episode with a new post', async () => {
    const body = await fire('Flappy', { severity: 'warning' });
    const first = await groupRow(body.groupKey);
    await fire('Flappy', { severity: 'warning', status: 'resolved' });
    await fire('Flappy', { severity: 'warning' });
    expect(await groupRow(body.groupKey)).toMatchObject({ episode: 1, status: 'firing', first_seen_at: first.first_seen_at });
    expect(triagePosts('Flappy')).toHaveLength(1);

    await fire('Flappy', { severity: 'warning', status: 'resolved' });
    const policy = t.config.policy.signals as { reopen_window_minutes: number };
    policy.reopen_window_minutes = 0;
    try {
      await new Promise((r) => setTimeout(r, 5));
      await fire('Flappy', { severity: 'warning' });
    } finally {
      policy.reopen_window_minutes = 60;
    }
    const again = await groupRow(body.groupKey);
    expect(again).toMatchObject({ episode: 2, status: 'firing', classification: null });
    expect(again.first_seen_at.getTime()).toBeGreaterThan(first.first_seen_at.getTime());
    expect(triagePosts('Flappy')).toHaveLength(2);
  });
});

describe('routing rules', () => {
  it('auto-declares an incident once for a matching alert, with the on-call as commander', async () => {
    const body = await fire('PaymentsDown', { severity: 'critical' }, { team: 'payments' });
    const incident = await eventually(() => t.app.db.selectFrom('incidents').selectAll().where('title', '=', 'PaymentsDown on api-1').executeTakeFirst());
    expect(incident).toMatchObject({ severity: 'SEV2', reporter_id: t.fake.botUserId, commander_id: expect.stringMatching(/^U(ONE|TWO)$/) });
    expect(incident.source_key).toMatch(/^signal:\d+:1$/);
    const g = await groupRow(body.groupKey);
    expect(g).toMatchObject({ route_action: 'declare', incident_id: incident.id, classification: 'incident', classified_by: null });
    // Replays of the same alert never declare again.
    for (let i = 0; i < 3; i++) await postWebhook(t, 'alertmanager', body);
    await t.settle();
    expect(await t.app.db.selectFrom('incidents').select('id').where('title', '=', 'PaymentsDown on api-1').execute()).toHaveLength(1);
    const post = await eventually(() => triagePosts('PaymentsDown').find((m) => messageText(m).includes(`INC-${incident.number}`)));
    expect(messageText(post)).toContain('automatically');
    const channel = await eventually(() => t.fake.channels.get(incident.channel_id ?? '') ?? t.fake.channelByName(`inc-${incident.number}-paymentsdown-on-api-1`));
    expect([...channel.members]).toContain(incident.commander_id);
  });

  it('drops noise without posting, but still counts it', async () => {
    const body = await fire('StagingFlaky', { severity: 'critical' }, { env: 'staging' });
    await fire('StagingFlaky', { severity: 'critical' }, { env: 'staging' });
    const g = await groupRow(body.groupKey);
    expect(g).toMatchObject({ route_action: 'drop', channel_id: null });
    expect(Number(g.delivery_count)).toBe(2);
    expect(triagePosts('StagingFlaky')).toHaveLength(0);
  });
});
