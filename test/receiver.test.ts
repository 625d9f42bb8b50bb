/**
 * The HTTP edge on its own: our Slack receiver mounted on our HTTP server, with a stand-in for the
 * Bolt app that records what it was handed. No database, no Slack.
 */
import http from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { App, ReceiverEvent } from '@slack/bolt';
import { AuthorizationError } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { HttpServer } from '../src/http/server.js';
import { SlackReceiver } from '../src/slack/receiver.js';
import { signatureProblem } from '../src/slack/request-guards.js';
import { signSlackRequest } from './support/slack-requests.js';
import { eventually } from './support/wait.js';

// Slack's published example request (see /work/shared/SLACK.md and Slack's "Verifying requests from Slack").
const EXAMPLE = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: 1531420618,
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const SECRET = 'receiver-test-secret-0123';
const FORM = 'application/x-www-form-urlencoded';
const COMMAND = 'command=%2Fincident&text=help&user_id=U1&channel_id=C1&team_id=T1&trigger_id=1.2.3';

interface Edge {
  url: string;
  port: number;
  events: ReceiverEvent[];
  logs: string[];
  receiver: SlackReceiver;
  server: HttpServer;
  /** Signed POST to /slack/events (timestamp: seconds, default now). */
  post(body: string, opts?: { contentType?: string; timestamp?: number; headers?: Record<string, string> }): Promise<{ status: number; text: string; type: string | null }>;
}

const running: Edge[] = [];
afterEach(async () => {
  for (const e of running.splice(0)) {
    await e.server.stop();
    await e.receiver.stop();
  }
});

/** The receiver on a free port, handing requests to `processEvent` (by default: ack with nothing). */
async function edge(opts: { processEvent?: (event: ReceiverEvent) => Promise<void>; now?: () => number; ackDeadlineMs?: number; maxBodyBytes?: number; secret?: string } = {}): Promise<Edge> {
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }) });
  const events: ReceiverEvent[] = [];
  const processEvent = opts.processEvent ?? ((event: ReceiverEvent) => event.ack());
  const receiver = new SlackReceiver({ signingSecret: opts.secret ?? SECRET, deliver: (app, event) => app.processEvent(event), logger, now: opts.now, ackDeadlineMs: opts.ackDeadlineMs, maxBodyBytes: opts.maxBodyBytes });
  receiver.init({ processEvent: async (event: ReceiverEvent) => (events.push(event), processEvent(event)) } as unknown as App);
  await receiver.start();
  const server = new HttpServer([receiver.route(), { path: '/healthz', method: ['GET', 'HEAD'], handler: (_req, res) => res.end('ok') }], logger);
  const port = await server.listen(0);
  const url = `http://127.0.0.1:${port}`;
  const e: Edge = {
    url,
    port,
    events,
    logs,
    receiver,
    server,
    async post(body, o = {}) {
      const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
      const res = await fetch(`${url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': o.contentType ?? FORM, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(opts.secret ?? SECRET, ts, body), ...o.headers },
        body,
      });
      return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
    },
  };
  running.push(e);
  return e;
}

describe('request signing', () => {
  it("accepts Slack's published example request at its own time, and nothing altered", async () => {
    const headers = { 'x-slack-request-timestamp': String(EXAMPLE.timestamp), 'x-slack-signature': EXAMPLE.signature };
    const at = EXAMPLE.timestamp * 1000;
    expect(signatureProblem(EXAMPLE.secret, headers, Buffer.from(EXAMPLE.body), at)).toBeUndefined();
    expect(signatureProblem(EXAMPLE.secret, headers, Buffer.from(EXAMPLE.body.replace('text=', 'text=x')), at)).toMatch(/does not match/);
    expect(signatureProblem('8f742231b10e8888abcd99yyyzzz85a6', headers, Buffer.from(EXAMPLE.body), at)).toMatch(/does not match/);
    expect(signatureProblem(EXAMPLE.secret, { ...headers, 'x-slack-signature': EXAMPLE.signature.toUpperCase() }, Buffer.from(EXAMPLE.body), at)).toMatch(/not a v0 signature/);

    // Through the receiver: the example reaches the app as Slack's command, with its fields.
    const e = await edge({ secret: EXAMPLE.secret, now: () => at });
    const res = await fetch(`${e.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body: EXAMPLE.body });
    expect(res.status).toBe(200);
    expect(e.events.map((ev) => ev.body)).toEqual([expect.objectContaining({ command: '/webhook-collect', user_name: 'roadrunner', text: '' })]);
  });

  it('refuses a request without a signature, with a malformed one, or signed with another secret (401), and hands the app nothing', async () => {
    const e = await edge();
    const ts = String(Math.floor(Date.now() / 1000));
    const unsigned = await fetch(`${e.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM, 'x-slack-request-timestamp': ts }, body: COMMAND });
    expect(unsigned.status).toBe(401);
    const garbled = await fetch(`${e.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM, 'x-slack-request-timestamp': ts, 'x-slack-signature': 'v0=zz' }, body: COMMAND });
    expect(garbled.status).toBe(401);
    const other = await fetch(`${e.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM, 'x-slack-request-timestamp': ts, 'x-slack-signature': signSlackRequest('another-secret', Number(ts), COMMAND) }, body: COMMAND });
    expect(other.status).toBe(401);
    expect(e.events).toEqual([]);
  });

  it('accepts a timestamp up to five minutes away either way, and refuses one a second further either way (401)', async () => {
    const now = 1_800_000_000;
    const e = await edge({ now: () => now * 1000 });
    for (const skew of [-300, 300, 0]) expect((await e.post(COMMAND, { timestamp: now + skew })).status, `skew ${skew}`).toBe(200);
    for (const skew of [-301, 301, -86_400, 86_400]) expect((await e.post(COMMAND, { timestamp: now + skew })).status, `skew ${skew}`).toBe(401);
    const nonsense = await fetch(`${e.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM, 'x-slack-request-timestamp': 'soon', 'x-slack-signature': signSlackRequest(SECRET, now, COMMAND) }, body: COMMAND });
    expect(nonsense.status).toBe(401);
    expect(e.events).toHaveLength(3);
    expect(e.logs.join('')).toMatch(/x-slack-request-timestamp is 301 s from local time/);
  });
});

describe('bodies', () => {
  it('refuses a body over the limit with 413, whether its length is declared or streamed', async () => {
    const e = await edge({ maxBodyBytes: 1024 });
    const big = `${COMMAND}&pad=${'x'.repeat(1024)}`;
    expect((await e.post(big)).status).toBe(413);
    // Chunked, no Content-Length: the limit is counted as it arrives.
    const ts = Math.floor(Date.now() / 1000);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${e.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM, 'transfer-encoding': 'chunked', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(SECRET, ts, big) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < big.length; i += 100) req.write(big.slice(i, i + 100));
      req.end();
    });
    expect(status).toBe(413);
    expect(e.events).toEqual([]);
    expect((await e.post(COMMAND)).status).toBe(200);
  });

  it('parses form fields (commands), a form payload field (interactions) and JSON (events), with or without a charset', async () => {
    const e = await edge();
    await e.post(COMMAND);
    await e.post(new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'a' }] }) }).toString(), { contentType: `${FORM}; charset=utf-8` });
    await e.post(JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_home_opened' } }), { contentType: 'application/json' });
    expect(e.events.map((ev) => ev.body)).toEqual([
      { command: '/incident', text: 'help', user_id: 'U1', channel_id: 'C1', team_id: 'T1', trigger_id: '1.2.3' },
      { type: 'block_actions', actions: [{ action_id: 'a' }] },
      { type: 'event_callback', event_id: 'Ev1', event: { type: 'app_home_opened' } },
    ]);
  });

  it('answers malformed JSON, a JSON value that is not an object, a bad payload field or a repeated field with 400, another content type with 415', async () => {
    const e = await edge();
    const json = 'application/json';
    const cases: [string, string, number][] = [
      ['{"type": "event_callback",', json, 400],
      ['null', json, 400],
      ['[1, 2]', json, 400],
      ['"text"', json, 400],
      ['payload=%7Bnot+json', FORM, 400],
      ['payload=42', FORM, 400],
      [`${COMMAND}&command=%2Fother`, FORM, 400],
      ['{"type": "event_callback"}', 'text/plain', 415],
    ];
    for (const [body, contentType, status] of cases) {
      const res = await e.post(body, { contentType });
      expect(res.status, body).toBe(status);
      expect(JSON.parse(res.text).error, body).toEqual(expect.any(String));
    }
    expect(e.events).toEqual([]);
  });
});

describe("Slack's own checks", () => {
  it('answers ssl_check with 200 unsigned, and hands the app nothing smuggled with it', async () => {
    const e = await edge();
    const payload = new URLSearchParams({ ssl_check: '1', token: 'x', payload: JSON.stringify({ type: 'block_actions', actions: [] }) }).toString();
    const res = await fetch(`${e.url}/slack/events`, { method: 'POST', headers: { 'content-type': FORM }, body: payload });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(e.events).toEqual([]);
  });

  it('echoes the url_verification challenge when signed, and refuses it unsigned', async () => {
    const e = await edge();
    const body = JSON.stringify({ token: 'x', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
    const res = await e.post(body, { contentType: 'application/json' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    const unsigned = await fetch(`${e.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    expect((await e.post(JSON.stringify({ type: 'url_verification' }), { contentType: 'application/json' })).status).toBe(400);
    expect(e.events).toEqual([]);
  });
});

describe('the ack', () => {
  it("answers what the listener acknowledged with: nothing, text, or JSON", async () => {
    const answers: unknown[] = [undefined, 'plain words', { response_action: 'errors', errors: { title: 'Too long' } }];
    let i = 0;
    const e = await edge({ processEvent: (event) => event.ack(answers[i++]) });
    expect(await e.post(COMMAND)).toMatchObject({ status: 200, text: '' });
    expect(await e.post(COMMAND)).toMatchObject({ status: 200, text: 'plain words' });
    const json = await e.post(COMMAND);
    expect(json.type).toMatch(/application\/json/);
    expect(JSON.parse(json.text)).toEqual(answers[2]);
  });

  it('answers a request no listener acknowledged by the deadline, instead of leaving Slack waiting; a late ack is dropped', async () => {
    let late: Promise<unknown> | undefined;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const e = await edge({
      ackDeadlineMs: 300,
      processEvent: async (event) => {
        await released;
        late = event.ack({ text: 'too late' }).then(() => 'dropped', (err: Error) => err);
      },
    });
    const started = Date.now();
    const res = await e.post(COMMAND);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'not acknowledged in time', ref: expect.stringMatching(/^E-[0-9A-F]{6}$/) });
    expect(Date.now() - started).toBeLessThan(2_800); // a generous bound: the deadline is 300 ms
    release();
    await eventually(() => late);
    expect(await late).toBe('dropped');
    expect(e.logs.join('')).toMatch(/not acknowledged in time/);
  });

  it('refuses a second ack the way Bolt does', async () => {
    let second: unknown;
    const e = await edge({
      processEvent: async (event) => {
        await event.ack();
        second = await event.ack().catch((err: { code?: string }) => err.code);
      },
    });
    expect((await e.post(COMMAND)).status).toBe(200);
    await eventually(() => second);
    expect(second).toBe('slack_bolt_receiver_ack_multiple_error');
  });

  it('passes X-Slack-Retry-Num and X-Slack-Retry-Reason through', async () => {
    const e = await edge();
    const body = JSON.stringify({ type: 'event_callback', event_id: 'Ev2', event: { type: 'app_home_opened' } });
    await e.post(body, { contentType: 'application/json' });
    await e.post(body, { contentType: 'application/json', headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    expect(e.events.map((ev) => [ev.retryNum, ev.retryReason])).toEqual([
      [undefined, undefined],
      [2, 'http_timeout'],
    ]);
  });

  it('answers 400 (401 for authorization) with a reference when the app fails before acknowledging', async () => {
    const errors = [new Error('listener blew up'), new AuthorizationError('no installation', new Error('none'))];
    let i = 0;
    const e = await edge({ processEvent: async () => Promise.reject(errors[i++]) });
    const bad = await e.post(COMMAND);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toEqual({ error: 'request could not be handled', ref: expect.stringMatching(/^E-/) });
    expect((await e.post(COMMAND)).status).toBe(401);
  });
});

describe('the HTTP server', () => {
  it('serves its routes, 404 for an unknown path, 405 for a known path with another method', async () => {
    const e = await edge();
    expect((await fetch(`${e.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${e.url}/healthz/`)).status).toBe(200);
    expect((await fetch(`${e.url}/slack/other`, { method: 'POST', body: '{}' })).status).toBe(404);
    const get = await fetch(`${e.url}/slack/events`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(e.events).toEqual([]);
  });

  it('stops gracefully: no new connections, the request in flight answered, its work after the ack finished', async () => {
    let acknowledge!: () => void;
    let finish!: () => void;
    const acked = new Promise<void>((r) => (acknowledge = r));
    const finished = new Promise<void>((r) => (finish = r));
    let done = false;
    const e = await edge({
      processEvent: async (event) => {
        await acked;
        await event.ack({ text: 'answered during shutdown' });
        await finished;
        done = true;
      },
    });
    running.splice(0); // stopped here
    const inflight = e.post(COMMAND);
    await eventually(() => e.events.length === 1);
    const serverStopped = e.server.stop();
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(e.port, '127.0.0.1');
      socket.on('connect', () => (socket.destroy(), resolve('connected')));
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    acknowledge();
    expect(await inflight).toMatchObject({ status: 200, text: JSON.stringify({ text: 'answered during shutdown' }) });
    await serverStopped;
    let receiverStopped = false;
    const stopping = e.receiver.stop().then(() => (receiverStopped = true));
    await new Promise((r) => setImmediate(r));
    expect(receiverStopped).toBe(false);
    finish();
    await stopping;
    expect(done).toBe(true);
  });
});
