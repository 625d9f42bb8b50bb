import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeSlack } from './support/fake-slack.js';
import { FakeSocketMode } from './support/fake-socket-mode.js';
import { eventually } from './support/wait.js';

describe('Socket Mode', () => {
  let fake: FakeSlack;
  let socketMode: FakeSocketMode;
  let t: TestApp;
  beforeAll(async () => {
    fake = await FakeSlack.start();
    socketMode = await FakeSocketMode.start();
    fake.socketModeUrl = socketMode.url;
    fake.addUser({ id: 'UANA', name: 'ana' });
    // Slack does not hand out connections yet when the bot starts.
    fake.failEvery('apps.connections.open', 1, { status: 503 });
    t = await startTestApp({ fake, env: { SLACK_APP_TOKEN: 'xapp-1-A0APP0001-socket-test' } });
  });
  afterAll(async () => {
    await t?.stop();
    await socketMode?.close();
    await fake?.close();
  });

  const readiness = async () => {
    const res = await fetch(`${t.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { reasons: string[] } };
  };

  it('opens its connection through SLACK_API_URL, and is ready only while a socket is connected', async () => {
    await eventually(() => fake.callsTo('apps.connections.open').length >= 8, 10_000, 'connection asked for again and again');
    const waiting = await readiness();
    expect(waiting.status).toBe(503);
    expect(waiting.body.reasons).toEqual([expect.stringMatching(/^Slack: no Socket Mode connection \(.+\); retrying$/)]);
    expect(socketMode.connections).toBe(0);

    fake.clearFailures();
    await eventually(() => socketMode.connected === 1, 10_000, 'socket connected');
    await eventually(async () => (await readiness()).status === 200, 10_000, 'ready');
    expect(fake.callsTo('apps.connections.open').filter((c) => c.ok)).toHaveLength(1);

    // Requests arrive over the socket and are answered on it.
    const ack = await socketMode.deliver('slash_commands', {
      command: '/incident',
      text: 'help',
      user_id: 'UANA',
      user_name: 'ana',
      channel_id: 'CGENERAL',
      channel_name: 'general',
      team_id: fake.teamId,
      team_domain: 'fake-team',
      api_app_id: fake.appId,
      trigger_id: fake.issueTriggerId('UANA'),
      response_url: fake.responseUrl(),
    });
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toContain('/incident declare');

    // The connection drops and Slack will not give a new one for a while: not ready until it does.
    fake.failEvery('apps.connections.open', 1, { status: 503 });
    socketMode.dropAll();
    await eventually(async () => (await readiness()).status === 503, 10_000, 'not ready while disconnected');
    fake.clearFailures();
    await eventually(() => socketMode.connected === 1 && socketMode.connections === 2, 10_000, 'reconnected');
    await eventually(async () => (await readiness()).status === 200, 10_000, 'ready again');
  }, 60_000);
});
