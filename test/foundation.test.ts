import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from './support/slack-requests.js';
import { SIGNING_SECRET, startTestApp, type TestApp } from './support/app.js';

// Slack's published example request (api.slack.com/authentication/verifying-requests-from-slack).
const EXAMPLE = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: 1531420618,
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  t.fake.addUser({ id: 'U1', name: 'ana' });
});
afterAll(() => t?.stop());

describe('HTTP surface', () => {
  it('answers health, readiness and metrics', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    await t.slack.command({ text: 'help', userId: 'U1', channelId: 'C1' });
    await t.settle(); // the request is counted when its listener finishes, which may be after the ack
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('incident_officer_process_cpu_user_seconds_total');
    expect(metrics).toMatch(/incident_officer_slack_requests_total\{handler="command",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/incident_officer_slack_ack_seconds_bucket\{le="0.5",handler="command"\} [1-9]/);
  });

  it('answers an unknown webhook source with 404, not a crash', async () => {
    const res = await fetch(`${t.url}/webhooks/nope`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });
});

describe('request signing', () => {
  it('computes Slack\'s published example signature', () => {
    expect(signSlackRequest(EXAMPLE.secret, EXAMPLE.timestamp, EXAMPLE.body)).toBe(EXAMPLE.signature);
  });

  it('refuses a request signed with another secret (401)', async () => {
    const body = 'command=%2Fincident&text=help&user_id=U1&channel_id=C1&team_id=T1&trigger_id=1.2.3';
    const ts = Math.floor(Date.now() / 1000);
    const res = await t.slack.raw(body, {
      'content-type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': signSlackRequest('not-the-secret', ts, body),
    });
    expect(res.status).toBe(401);
  });

  it('refuses a correctly signed request that is five minutes old (401)', async () => {
    const body = 'command=%2Fincident&text=help&user_id=U1&channel_id=C1&team_id=T1&trigger_id=1.2.3';
    const ts = Math.floor(Date.now() / 1000) - 5 * 60 - 1;
    const res = await t.slack.raw(body, {
      'content-type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': signSlackRequest(SIGNING_SECRET, ts, body),
    });
    expect(res.status).toBe(401);
  });

  it('refuses a correctly signed request dated six minutes ahead (401), form and JSON alike', async () => {
    const ahead = Math.floor(Date.now() / 1000) + 6 * 60;
    const form = 'command=%2Fincident&text=help&user_id=U1&channel_id=C1&team_id=T1&trigger_id=1.2.3';
    const command = await t.slack.raw(form, { 'content-type': 'application/x-www-form-urlencoded', ...t.slack.signatureHeaders(form, ahead) });
    expect(command.status).toBe(401);
    const event = JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: 'EvFUTURE1', event: { type: 'app_home_opened', user: 'U1', tab: 'home' } });
    const callback = await t.slack.raw(event, { 'content-type': 'application/json', ...t.slack.signatureHeaders(event, ahead) });
    expect(callback.status).toBe(401);
    expect(t.fake.callsTo('views.publish')).toHaveLength(0);
  });

  it('accepts a correctly signed request within five minutes either way of local time', async () => {
    for (const skew of [-4 * 60, 4 * 60]) {
      const form = `command=%2Fincident&text=help&user_id=U1&channel_id=C1&team_id=T1&trigger_id=1.2.${skew}`;
      const res = await t.slack.raw(form, { 'content-type': 'application/x-www-form-urlencoded', ...t.slack.signatureHeaders(form, Math.floor(Date.now() / 1000) + skew) });
      expect(res.status, `skew ${skew}s`).toBe(200);
      expect(res.body.text).toContain('/incident declare');
    }
  });

  it('accepts a fresh, correctly signed request', async () => {
    const res = await t.slack.command({ text: 'help', userId: 'U1', channelId: 'C1' });
    expect(res.status).toBe(200);
  });
});

describe('payloads no listener answers', () => {
  it('are acknowledged as soon as the app is done with them, not left for Slack to time out', async () => {
    // Bolt cannot route a block_actions without actions, and says nothing.
    const payload = { type: 'block_actions', user: { id: 'U1' }, team: { id: 'T1' }, trigger_id: '9.9.9', container: { type: 'message' } };
    const form = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const res = await t.slack.raw(form, { 'content-type': 'application/x-www-form-urlencoded', ...t.slack.signatureHeaders(form) });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
  });
});

describe('/incident help', () => {
  it('lists the subcommands ephemerally', async () => {
    const res = await t.slack.command({ text: 'help', userId: 'U1', channelId: 'C1' });
    expect(res.body.response_type).toBe('ephemeral');
    expect(res.body.text).toContain('/incident declare');
    expect(res.body.text).toContain('/incident list');
  });

  it('answers unknown or empty input with the help, never silence', async () => {
    const unknown = await t.slack.command({ text: 'frobnicate now', userId: 'U1', channelId: 'C1' });
    expect(unknown.status).toBe(200);
    expect(unknown.body.response_type).toBe('ephemeral');
    expect(unknown.body.text).toContain("I don't know `frobnicate`");
    expect(unknown.body.text).toContain('/incident declare');
    const empty = await t.slack.command({ text: '', userId: 'U1', channelId: 'C1' });
    expect(empty.body.text).toContain('/incident declare');
  });

  it('acknowledges well within Slack\'s 3 seconds', async () => {
    const res = await t.slack.command({ text: 'help', userId: 'U1', channelId: 'C1' });
    expect(res.elapsedMs).toBeLessThan(1000);
  });
});

describe('logs', () => {
  it('never contain the bot token or signing secret', () => {
    const all = t.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain('xoxb-test-0000-bot-token');
    expect(all).not.toContain(SIGNING_SECRET);
  });
});
