import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { messageText } from './support/flows.js';
import { createDatabaseOn } from './support/pg.js';
import { alertmanagerGroup, grafanaBody, pagerdutyEvent, policyWith, postWebhook, TOKENS, WEBHOOK_ENV } from './support/webhooks.js';

let t: TestApp;
let triage: string;
beforeAll(async () => {
  t = await startTestApp({ env: WEBHOOK_ENV, policy: policyWith({}) });
  triage = t.fake.addChannel({ name: 'alerts-triage', members: new Set([t.fake.botUserId]) }).id;
  (t.config.policy.signals as { triage_channel?: string }).triage_channel = triage;
});
afterAll(() => t?.stop());

const group = (source: string, key: string) => t.app.db.selectFrom('signal_groups').selectAll().where('source', '=', source).where('group_key', '=', key).executeTakeFirstOrThrow();
const signalsOf = (groupId: string) => t.app.db.selectFrom('signals').selectAll().where('group_id', '=', groupId).orderBy('dedup_key').execute();
const postsIn = (channel: string) => t.fake.messagesIn(channel);
/** Lets the next coalesced post of every group run now (as if the interval had passed). */
async function intervalPasses() {
  await sql`update slack_tasks set run_at = now() where kind = 'signal.post' and done_at is null`.execute(t.app.db);
  await sql`update signal_groups set posted_at = posted_at - interval '1 hour'`.execute(t.app.db);
  await t.settle();
}

describe('Alertmanager', () => {
  it('a firing group becomes one signal group with a post; resolving it updates the post', async () => {
    const firing = alertmanagerGroup({ groupKey: '{}/{severity="critical"}:{alertname="HighErrorRate"}', alertname: 'HighErrorRate', service: 'checkout', instances: ['api-1:9100', 'api-2:9100'] });
    const res = await postWebhook(t, 'alertmanager', firing);
    expect(res).toEqual({ status: 200, body: { status: 'accepted', alerts: 2, groups: 1, newGroups: 1 } });
    await t.settle();
    // One delivery of two alerts is seen once.
    expect(messageText(postsIn(triage).find((m) => messageText(m).includes('HighErrorRate'))!)).toContain('*Seen*\n2 alerts, received 1 time');

    const g = await group('alertmanager', firing.groupKey);
    expect(g).toMatchObject({ status: 'firing', signal_count: 2, firing_count: 2, severity: 'critical', service: 'checkout', route_action: 'triage', channel_id: triage });
    const rows = await signalsOf(g.id);
    expect(rows.map((r) => [r.title, r.status, r.count])).toEqual([
      ['HighErrorRate on api-1:9100', 'firing', 1],
      ['HighErrorRate on api-2:9100', 'firing', 1],
    ]);
    const posts = postsIn(triage).filter((m) => messageText(m).includes('HighErrorRate'));
    expect(posts).toHaveLength(1);
    const text = messageText(posts[0]);
    expect(text).toContain('Firing*: 2 of 2 alerts');
    expect(text).toContain('critical · alertmanager · checkout');
    expect(posts[0].blocks!.flatMap((b: any) => b.elements ?? []).map((e: any) => e.action_id)).toEqual(['signal_declare', 'signal_link', 'signal_dismiss']);

    const resolved = alertmanagerGroup({ groupKey: firing.groupKey, alertname: 'HighErrorRate', service: 'checkout', instances: ['api-1:9100', 'api-2:9100'], status: 'resolved' });
    expect((await postWebhook(t, 'alertmanager', resolved)).status).toBe(200);
    await intervalPasses();
    const after = await group('alertmanager', firing.groupKey);
    expect(after).toMatchObject({ status: 'resolved', firing_count: 0 });
    expect(after.resolved_at).toBeInstanceOf(Date);
    expect((await signalsOf(g.id)).every((s) => s.status === 'resolved' && s.count === 2 && s.resolved_at)).toBe(true);
    const updated = postsIn(triage).filter((m) => messageText(m).includes('HighErrorRate'));
    expect(updated).toHaveLength(1);
    expect(updated[0].edited).toBe(true);
    expect(messageText(updated[0])).toContain('*Resolved*');
  });

  it('repeats of the same alert are one signal with a count, and one post', async () => {
    const body = alertmanagerGroup({ groupKey: '{}:{alertname="DiskFull"}', alertname: 'DiskFull', severity: 'warning', instances: ['db-3'] });
    for (let i = 0; i < 4; i++) expect((await postWebhook(t, 'alertmanager', body)).status).toBe(200);
    await t.settle();
    const g = await group('alertmanager', body.groupKey);
    const rows = await signalsOf(g.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].count).toBe(4);
    expect(Number(g.delivery_count)).toBe(4);
    expect(postsIn(triage).filter((m) => messageText(m).includes('DiskFull'))).toHaveLength(1);
    expect(t.fake.callsTo('chat.update').filter((c) => messageText(c.args).includes('DiskFull'))).toHaveLength(0);
    await intervalPasses();
    const post = postsIn(triage).find((m) => messageText(m).includes('DiskFull'))!;
    expect(messageText(post)).toContain('1 alert, received 4 times');
  });
});

describe('Alertmanager with max_alerts', () => {
  it('counts the alerts it left out (truncatedAlerts) and says how many are not listed', async () => {
    // max_alerts: 3 and a group of 5 firing: 3 alerts are sent, with truncatedAlerts: 2.
    const body = alertmanagerGroup({ groupKey: '{}:{alertname="NodeDown"}', alertname: 'NodeDown', severity: 'warning', instances: ['n1', 'n2', 'n3'] });
    body.truncatedAlerts = 2;
    expect((await postWebhook(t, 'alertmanager', body)).body).toEqual({ status: 'accepted', alerts: 3, groups: 1, newGroups: 1 });
    await t.settle();
    const g = await group('alertmanager', body.groupKey);
    expect(g).toMatchObject({ signal_count: 5, firing_count: 5, unlisted_count: 2 });
    const text = messageText(postsIn(triage).find((m) => messageText(m).includes('NodeDown'))!);
    expect(text).toContain('*Firing*: 5 of 5 alerts (2 not listed by the sender)');
    expect(text).toContain('…and 2 more the sender left out');
    expect(text).toContain('*Seen*\n5 alerts, received 1 time');

    // The group shrinks to 4 and fits: nothing is left out any more, and the count follows.
    const smaller = alertmanagerGroup({ groupKey: body.groupKey, alertname: 'NodeDown', severity: 'warning', instances: ['n1', 'n2', 'n3'], resolved: ['n3'] });
    await postWebhook(t, 'alertmanager', smaller);
    await intervalPasses();
    expect(await group('alertmanager', body.groupKey)).toMatchObject({ signal_count: 3, firing_count: 2, unlisted_count: 0 });
    const after = messageText(postsIn(triage).find((m) => messageText(m).includes('NodeDown'))!);
    expect(after).toContain('*Firing*: 2 of 3 alerts');
    expect(after).not.toContain('not listed');
    expect(after).toContain('3 alerts, received 2 times');
  });
});

describe('Grafana', () => {
  it('accepts the documented webhook body', async () => {
    const res = await postWebhook(t, 'grafana', grafanaBody());
    expect(res.status).toBe(200);
    await t.settle();
    const g = await group('grafana', '{}:{}');
    expect(g).toMatchObject({ status: 'firing', severity: 'warning', signal_count: 1, link: 'https://play.grafana.org/alerting/1afz29v7z/edit' });
    const [s] = await signalsOf(g.id);
    expect(s).toMatchObject({ dedup_key: 'c6eadffa33fcdf37', title: 'This alert was triggered for zone us-1', description: 'The system has high memory usage' });
    expect(s.labels).toMatchObject({ alertname: 'High memory usage', team: 'blue', zone: 'us-1' });
    expect(postsIn(triage).some((m) => messageText(m).includes('This alert was triggered for zone us-1'))).toBe(true);
  });
});

describe('PagerDuty V3 webhooks', () => {
  it('verifies X-PagerDuty-Signature and follows the incident triggered → acknowledged → resolved', async () => {
    expect((await postWebhook(t, 'pagerduty', pagerdutyEvent('incident.triggered', 'triggered'))).status).toBe(200);
    const g = await group('pagerduty', 'incident:PGR0VU2');
    expect(g).toMatchObject({ status: 'firing', severity: 'critical', service: 'API Service', title: '#2 A little bump in the road', link: 'https://acme.pagerduty.com/incidents/PGR0VU2' });
    expect(g.labels).toMatchObject({ priority: 'P1', urgency: 'high', pagerduty_status: 'triggered' });
    await postWebhook(t, 'pagerduty', pagerdutyEvent('incident.acknowledged', 'acknowledged'));
    expect((await group('pagerduty', 'incident:PGR0VU2')).status).toBe('firing');
    await postWebhook(t, 'pagerduty', pagerdutyEvent('incident.resolved', 'resolved'));
    const done = await group('pagerduty', 'incident:PGR0VU2');
    expect(done.status).toBe('resolved');
    expect((await signalsOf(done.id))[0].count).toBe(3);
  });

  it('accepts any one of several signatures (secret rotation) and refuses a wrong one', async () => {
    const body = JSON.stringify(pagerdutyEvent('incident.acknowledged', 'acknowledged'));
    const good = createHmac('sha256', TOKENS.pagerduty).update(body).digest('hex');
    const old = createHmac('sha256', 'an-older-secret-000000').update(body).digest('hex');
    expect((await postWebhook(t, 'pagerduty', null, { raw: body, headers: { 'x-pagerduty-signature': `v1=${old},v1=${good}` } })).status).toBe(200);
    const bad = await postWebhook(t, 'pagerduty', null, { raw: body, headers: { 'x-pagerduty-signature': `v1=${old}` } });
    expect(bad).toEqual({ status: 401, body: { error: 'missing or invalid signature' } });
    // Signed, then altered in transit.
    const tampered = await postWebhook(t, 'pagerduty', null, { raw: body.replace('A little bump', 'A big bump'), headers: { 'x-pagerduty-signature': `v1=${good}` } });
    expect(tampered.status).toBe(401);
  });

  it('answers the ping and ignores events that do not change an incident', async () => {
    const ping = await postWebhook(t, 'pagerduty', { event: { id: 'e1', event_type: 'pagey.ping', resource_type: 'pagey', occurred_at: '2026-11-26T09:00:00Z', agent: null, client: null, data: { message: 'Hello from your friend Pagey!', type: 'ping' } } });
    expect(ping).toEqual({ status: 200, body: { status: 'ignored', reason: 'ping' } });
    const note = await postWebhook(t, 'pagerduty', { event: { id: 'e2', event_type: 'incident.annotated', resource_type: 'incident', data: { type: 'incident_note', content: 'hi' } } });
    expect(note.body.status).toBe('ignored');
  });
});

describe('the generic JSON source', () => {
  it('takes one event, an array, or {events: [...]}, keyed by dedup_key', async () => {
    const event = { source: 'splunk', dedup_key: 'brute-force-vpn-203.0.113.7', title: 'Brute force against VPN from 203.0.113.7', severity: 'high', service: 'vpn', description: '312 failed logins in 5 minutes', link: 'https://splunk.example.com/en-US/app/search/alert?sid=9', status: 'firing' };
    expect((await postWebhook(t, 'siem', event)).status).toBe(200);
    expect((await postWebhook(t, 'siem', [event, { ...event, dedup_key: 'other', title: 'Other' }])).body).toMatchObject({ alerts: 2, groups: 2 });
    expect((await postWebhook(t, 'siem', { events: [{ ...event, status: 'resolved' }] })).status).toBe(200);
    const g = await group('siem', event.dedup_key);
    expect(g).toMatchObject({ status: 'resolved', severity: 'high', service: 'vpn', link: event.link });
    expect((await signalsOf(g.id))[0].count).toBe(3);
  });
});

describe('refused deliveries', () => {
  it('401 without the token or with a wrong one; Basic auth with the token as password works', async () => {
    const body = alertmanagerGroup({ groupKey: '{}:{alertname="AuthTest"}', alertname: 'AuthTest', instances: ['x'] });
    expect(await postWebhook(t, 'alertmanager', body, { auth: false })).toEqual({ status: 401, body: { error: 'missing or wrong bearer token' } });
    expect((await postWebhook(t, 'alertmanager', body, { headers: { authorization: `Bearer ${TOKENS.alertmanager}x` } })).status).toBe(401);
    expect((await postWebhook(t, 'alertmanager', body, { headers: { authorization: `Bearer ${TOKENS.grafana}` } })).status).toBe(401);
    const basic = `Basic ${Buffer.from(`alertmanager:${TOKENS.alertmanager}`).toString('base64')}`;
    expect((await postWebhook(t, 'alertmanager', body, { headers: { authorization: basic } })).status).toBe(200);
  });

  it('400 with a readable reason for a malformed payload, which is kept for inspection', async () => {
    const bad = alertmanagerGroup({ groupKey: '{}:{alertname="Bad"}', alertname: 'Bad', instances: ['x'] });
    bad.alerts[0].status = 'exploding';
    delete bad.groupKey;
    const res = await postWebhook(t, 'alertmanager', bad);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^not a valid alertmanager payload: /);
    expect(res.body.error).toContain('groupKey');
    expect(res.body.error).toContain('alerts[0].status');
    const kept = await t.app.db.selectFrom('webhook_rejections').selectAll().where('id', '=', res.body.rejection_id).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ source: 'alertmanager', content_type: 'application/json' });
    expect(JSON.parse(kept.body)).toEqual(bad);

    const notJson = await postWebhook(t, 'siem', null, { raw: '{"source": "qradar", ' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^not valid JSON/);
    const generic = await postWebhook(t, 'siem', { source: 'qradar', title: 'x', severity: 'high' });
    expect(generic.body.error).toContain('dedup_key');
    const rejected = await t.app.db.selectFrom('webhook_rejections').select(['source', 'body']).where('source', '=', 'siem').execute();
    expect(rejected.map((r) => r.body)).toContain('{"source": "qradar", ');
    expect(await t.app.db.selectFrom('signal_groups').select('id').where('title', '=', 'Bad').execute()).toEqual([]);
  });

  it('404 for an unknown source, 503 for a source without a secret, 413 for an oversized body', async () => {
    expect(await postWebhook(t, 'nagios', {})).toEqual({ status: 404, body: { error: 'no webhook source named "nagios" is configured' } });
    expect(await postWebhook(t, 'nosecret', {})).toEqual({ status: 503, body: { error: 'webhook source "nosecret" has no secret configured (set WEBHOOK_SECRET_NOSECRET)' } });
    const huge = 'x'.repeat(t.config.policy.signals.max_body_kb * 1024 + 1);
    const res = await postWebhook(t, 'siem', null, { raw: JSON.stringify({ source: 's', dedup_key: 'k', title: huge, severity: 'high' }) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/larger than 1024 KB/);
  });

  it('stores alerts whose text holds NUL or lone surrogates, which PostgreSQL cannot store as they are', async () => {
    // JSON allows \u0000 and unpaired surrogates; PostgreSQL text refuses NUL (22021), jsonb refuses
    // \u0000 (22P05) and unpaired surrogates (22P02). Retrying such a delivery can never succeed.
    const raw = JSON.stringify({
      source: 'scanner\u0000',
      dedup_key: 'nul\u0000key',
      title: 'Disk \u0000full on db-1 \ud800',
      severity: 'high',
      description: 'tail\u0000',
      labels: { 'host\u0000': 'db-1\udc00', env: 'prod' },
    });
    const res = await postWebhook(t, 'siem', null, { raw });
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted', alerts: 1 } });
    const g = await group('siem', 'nulkey');
    expect(g).toMatchObject({ title: 'Disk full on db-1 \ufffd', description: 'tail', labels: { host: 'db-1\ufffd', env: 'prod', origin: 'scanner' } });
    expect((await signalsOf(g.id)).map((s) => s.dedup_key)).toEqual(['nulkey']);

    const am = alertmanagerGroup({ groupKey: '{}:{alertname="Nul\u0000"}', alertname: 'Nul\u0000', instances: ['x\u0000'] });
    am.alerts[0].fingerprint = 'ab\u0000cd';
    expect((await postWebhook(t, 'alertmanager', am)).status).toBe(200);
    expect(await group('alertmanager', '{}:{alertname="Nul"}')).toMatchObject({ title: 'Nul on x' });

    // Escapes written in capitals, and a literal backslash-u that is text, not an escape.
    const upper = '{"source": "s", "dedup_key": "upper", "title": "Lone \\uDC00 and \\\\u0000 as text", "severity": "high"}';
    expect((await postWebhook(t, 'siem', null, { raw: upper })).status).toBe(200);
    expect(await group('siem', 'upper')).toMatchObject({ title: 'Lone \ufffd and \\u0000 as text' });
  });

  it('400, with the body kept, for a raw NUL byte or a key too long to index, rather than 503 for ever', async () => {
    const before = (await t.app.db.selectFrom('webhook_rejections').select('id').execute()).length;
    // A NUL byte inside a JSON string is invalid JSON; the rejection row must still be storable.
    const nulByte = await postWebhook(t, 'siem', null, { raw: '{"source": "s", "dedup_key": "k", "title": "a\u0000b", "severity": "high"}' });
    expect(nulByte.status).toBe(400);
    expect(nulByte.body.error).toMatch(/^not valid JSON/);
    const kept = await t.app.db.selectFrom('webhook_rejections').selectAll().where('id', '=', nulByte.body.rejection_id).executeTakeFirstOrThrow();
    expect(kept.body).toBe('{"source": "s", "dedup_key": "k", "title": "a\\u0000b", "severity": "high"}');

    const long = randomBytes(3000).toString('hex');
    const am = alertmanagerGroup({ groupKey: `{}:{alertname="Long",id="${long}"}`, alertname: 'Long', instances: ['x'] });
    am.alerts[0].fingerprint = long;
    const res = await postWebhook(t, 'alertmanager', am);
    expect(res.status).toBe(200);
    const g = await t.app.db.selectFrom('signal_groups').selectAll().where('title', '=', 'Long on x').executeTakeFirstOrThrow();
    expect(g.group_key.length).toBeLessThanOrEqual(600);
    expect((await postWebhook(t, 'alertmanager', am)).status).toBe(200);
    expect(await t.app.db.selectFrom('signals').select('count').where('group_id', '=', g.id).execute()).toEqual([{ count: 2 }]);
    expect((await t.app.db.selectFrom('webhook_rejections').select('id').execute()).length).toBe(before + 1);
  });

  it('400, with the body kept, when the server encoding lacks a character (22P05)', async () => {
    const latin1 = await createDatabaseOn(inject('adminDatabaseUrl'), 'io_latin1', "encoding 'LATIN1' lc_collate 'C' lc_ctype 'C' template template0");
    const t2 = await startTestApp({ env: WEBHOOK_ENV, policy: policyWith({}), database: latin1 });
    try {
      const res = await postWebhook(t2, 'siem', { source: 'siem', dedup_key: 'fire', title: 'Server room on fire 🔥', severity: 'critical' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^the database cannot store this alert group: character .* has no equivalent in encoding "LATIN1"/);
      const kept = await t2.app.db.selectFrom('webhook_rejections').selectAll().where('id', '=', res.body.rejection_id).executeTakeFirstOrThrow();
      expect(JSON.parse(kept.body)).toMatchObject({ title: 'Server room on fire 🔥' });
      expect(await t2.app.db.selectFrom('signal_groups').select('id').execute()).toEqual([]);
    } finally {
      await t2.stop();
      await latin1.drop();
    }
  });

  it('never writes a webhook secret to the log', async () => {
    await postWebhook(t, 'alertmanager', {}, { headers: { authorization: `Bearer ${TOKENS.alertmanager}` } });
    const all = t.logs.join('\n');
    for (const secret of Object.values(TOKENS)) expect(all).not.toContain(secret);
  });
});
