import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { declareIncident } from './support/flows.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SECRETS = { WEBHOOK_SECRET_ALERTMANAGER: 'am-secret-0123456789', WEBHOOK_SECRET_SIEM: 'siem-secret-0123456789', WEBHOOK_SECRET_PAGERDUTY: 'pd-secret-0123456789', WEBHOOK_SECRET_GRAFANA: 'grafana-secret-0123456789', WEBHOOK_SECRET_CHANGES: 'changes-secret-0123456789' };

let t: TestApp;
let incidentChannel = '';
const rejections: unknown[] = [];
const onRejection = (err: unknown) => rejections.push(err);

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  t = await startTestApp({
    env: SECRETS,
    policy: policySchema.parse({ signals: { sources: { alertmanager: { type: 'alertmanager' }, grafana: { type: 'grafana' }, pagerduty: { type: 'pagerduty' }, siem: { type: 'generic' } } } }),
  });
  t.fake.addUser({ id: 'UANA', name: 'ana' });
  incidentChannel = (await declareIncident(t, { userId: 'UANA', title: 'Fuzz target' })).id;
});
afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await t?.stop();
});

const word = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('declare', 'update', 'note', 'timeline', 'resolve', 'reopen', 'close', 'list', 'triage', 'role', 'roles', 'escalate', 'bridge', 'vendor', 'stats', 'export', 'dashboard', 'oncall', 'page', 'review', 'action', 'actions', 'problem', 'problems', 'services', 'playbook', 'drill', 'dr', 'cause', 'help', '<@U123|x>', 'all', 'verify', 'due 2026-13-45'));
const text = fc.array(word, { maxLength: 6 }).map((w) => w.join(' '));
const id = fc.oneof(fc.constantFrom('UANA', 'U0NOBODY', '', 'C123', '1', '99999999999'), fc.string({ maxLength: 12 }));
const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Slack-shaped payloads with random holes and wrong types. */
const interaction = fc.record(
  {
    type: fc.constantFrom('block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion', 'nonsense'),
    user: fc.oneof(fc.record({ id }), anyJson),
    team: fc.oneof(fc.record({ id }), fc.constant(null), anyJson),
    trigger_id: fc.oneof(fc.string(), fc.integer()),
    callback_id: fc.constantFrom('declare_incident', 'add_to_timeline', 'x'),
    actions: fc.oneof(fc.array(fc.record({ action_id: fc.constantFrom('incident_open_update', 'incident_close', 'incident_claim_role:scribe', 'page_acknowledge', 'home_page:next', 'urgency', 'x'), value: fc.oneof(fc.string(), id), type: fc.constant('button') }), { maxLength: 2 }), anyJson),
    view: fc.oneof(
      fc.record({ id: fc.string(), callback_id: fc.constantFrom('incident_declare', 'incident_update', 'incident_update_preview', 'incident_triage', 'incident_escalate', 'incident_vendor', 'x'), private_metadata: fc.oneof(fc.string(), fc.json()), state: fc.record({ values: fc.dictionary(fc.string({ maxLength: 8 }), fc.dictionary(fc.string({ maxLength: 8 }), anyJson)) }) }),
      anyJson,
    ),
    channel: fc.oneof(fc.record({ id }), anyJson),
    message: fc.oneof(fc.record({ ts: fc.string(), text: fc.string() }), anyJson),
    container: anyJson,
  },
  { requiredKeys: ['type'] },
);

const event = fc.record(
  {
    type: fc.constantFrom('reaction_added', 'reaction_removed', 'app_home_opened', 'member_joined_channel', 'message', 'x'),
    user: id,
    reaction: fc.constantFrom('pushpin', 'eyes', ''),
    item: fc.oneof(fc.record({ type: fc.constant('message'), channel: fc.oneof(id, fc.constant('__incident__')), ts: fc.string() }), anyJson),
    tab: fc.constantFrom('home', 'messages'),
  },
  { requiredKeys: ['type'] },
);

type Request = { kind: 'slack'; body: string; contentType: string } | { kind: 'webhook'; source: string; body: string; headers: Record<string, string> };

const request: fc.Arbitrary<Request> = fc.oneof(
  fc.record({ text, user: id, channel: fc.oneof(id, fc.constant('__incident__')), trigger: fc.string() }).map(({ text: t2, user, channel, trigger }) => ({
    kind: 'slack' as const,
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ command: '/incident', text: t2, user_id: user, channel_id: channel === '__incident__' ? incidentChannel : channel, team_id: 'T0TEST001', trigger_id: trigger, response_url: t.fake.responseUrl() }).toString(),
  })),
  interaction.map((p) => ({ kind: 'slack' as const, contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams({ payload: JSON.stringify(p) }).toString() })),
  event.map((e) => ({ kind: 'slack' as const, contentType: 'application/json', body: JSON.stringify({ type: 'event_callback', team_id: 'T0TEST001', event_id: `Ev${Math.random()}`, event: JSON.parse(JSON.stringify(e).replaceAll('__incident__', incidentChannel)) }) })),
  fc.oneof(fc.string(), fc.json()).map((b) => ({ kind: 'slack' as const, contentType: 'application/json', body: b })),
  fc.record({ source: fc.constantFrom('alertmanager', 'grafana', 'siem', 'changes', 'nope'), body: fc.oneof(fc.json(), fc.string(), anyJson.map((v) => JSON.stringify({ alerts: [v], status: 'firing', version: '4' }))) }).map(({ source, body }) => ({
    kind: 'webhook' as const,
    source,
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${source === 'alertmanager' ? SECRETS.WEBHOOK_SECRET_ALERTMANAGER : source === 'siem' ? SECRETS.WEBHOOK_SECRET_SIEM : source === 'grafana' ? SECRETS.WEBHOOK_SECRET_GRAFANA : source === 'changes' ? SECRETS.WEBHOOK_SECRET_CHANGES : 'wrong'}` },
  })),
);

/** Status of the answer; 599 when none came within 10 s (Slack would have given up long before). */
async function send(r: Request): Promise<number> {
  const url = r.kind === 'webhook' ? `${t.url}/webhooks/${r.source}` : `${t.url}/slack/events`;
  const headers = r.kind === 'webhook' ? r.headers : { 'Content-Type': r.contentType, ...t.slack.signatureHeaders(r.body) };
  const t0 = Date.now();
  try {
    return (await fetch(url, { method: 'POST', headers, body: r.body, signal: AbortSignal.timeout(10_000) })).status;
  } catch {
    return 599;
  } finally {
    if (process.env.FUZZ_SLOW && Date.now() - t0 > 500) console.log('SLOW', Date.now() - t0, url, r.body.slice(0, 300));
  }
}

describe('fuzzing', () => {
  it(`${RUNS} generated payloads at /slack/events (signed) and every webhook: no crash, no 5xx, no unhandled rejection`, async () => {
    const samples = fc.sample(request, { numRuns: RUNS, seed: 20261126 });
    const statuses = new Map<number, number>();
    const fiveXX: (Request & { status: number })[] = [];
    for (let i = 0; i < samples.length; i += 16) {
      const batch = samples.slice(i, i + 16);
      const got = await Promise.all(batch.map(send));
      got.forEach((s, j) => {
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
        if (s >= 500) fiveXX.push({ ...batch[j], status: s });
      });
    }
    await t.settle();
    expect(fiveXX.slice(0, 3).map((r) => `${r.status} ${r.kind === 'webhook' ? r.source : 'slack'} ${r.body.slice(0, 400)}`)).toEqual([]);
    expect(rejections).toEqual([]);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(200)).toBeGreaterThan(RUNS / 4);
  }, 600_000);
});
