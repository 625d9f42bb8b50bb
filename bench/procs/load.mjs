// The load generator, a process of its own: sends signed `/incident` slash commands, the same for
// every target, `concurrency` at a time, and reports each one's time to the answer. Controlled over
// stdin: one JSON request a line, one JSON answer a line.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/**
 * One signed POST. A kept-alive socket the server closed while it sat idle (between rounds) fails
 * with ECONNRESET when reused: that request is sent again once, on a new socket, as Node's
 * documentation advises (`request.reusedSocket`); a replay the app already saw is acked and dropped.
 */
function post(url, body, secret) {
  return postOnce(url, body, secret).catch((err) => {
    if (err.code === 'ECONNRESET' && err.reusedSocket) return postOnce(url, body, secret);
    throw err;
  });
}

function postOnce(url, body, secret) {
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      },
    );
    req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}

function command(r, team) {
  return new URLSearchParams({
    token: 'fake-verification-token', team_id: team, team_domain: 'fake-team', channel_id: r.channelId ?? 'CGENERAL', channel_name: 'general',
    user_id: r.userId ?? 'UANA', user_name: 'ana', command: '/incident', text: r.text, api_app_id: 'A0APP0001', is_enterprise_install: 'false',
    response_url: r.responseUrl, trigger_id: r.triggerId,
  }).toString();
}

/** { urls (requests go round-robin), secret, requests: [{ text, triggerId, responseUrl }], concurrency } */
async function run(job) {
  const bodies = job.requests.map((r) => command(r, job.team ?? 'T0TEST001'));
  const times = new Array(bodies.length);
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: job.concurrency }, async () => {
    while (next < bodies.length) {
      const i = next++;
      const res = await post(`${job.urls[i % job.urls.length]}/slack/events`, bodies[i], job.secret);
      if (res.status !== 200) failures++;
      times[i] = res.ms;
    }
  }));
  return { times, seconds: (performance.now() - t0) / 1000, failures };
}

createInterface({ input: process.stdin }).on('line', (line) => {
  run(JSON.parse(line)).then(
    (answer) => process.stdout.write(`${JSON.stringify(answer)}\n`),
    (err) => process.stdout.write(`${JSON.stringify({ error: err.message })}\n`),
  );
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
