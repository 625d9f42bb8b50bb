import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';
import { FakeSlack } from './support/fake-slack.js';
import { declareIncident, lastResponse } from './support/flows.js';
import { eventually } from './support/wait.js';

describe('Slack unreachable while the bot starts', () => {
  let fake: FakeSlack;
  let t: TestApp;
  const rejections: unknown[] = [];
  const onRejection = (err: unknown) => rejections.push(err);
  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    fake = await FakeSlack.start();
    fake.addUser({ id: 'UANA', name: 'ana' });
    // Slack's Web API answers 503 to everything until the test lets it recover.
    fake.failEvery('*', 1, { status: 503 });
    t = await startTestApp({ fake });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await t?.stop();
    await fake?.close();
  });

  it('is not ready (with the reason) until it knows who it is, then serves normally without a restart', async () => {
    // Asked again and again (each ask retried by the Web API client), never given up.
    await eventually(() => fake.callsTo('auth.test').length >= 8, 10_000, 'auth.test retried');
    const before = await fetch(`${t.url}/readyz`);
    expect(before.status).toBe(503);
    const body = (await before.json()) as { status: string; reasons: string[]; checks: Record<string, { ok: boolean }> };
    expect(body.status).toBe('not ready');
    expect(body.reasons).toEqual([expect.stringMatching(/^Slack: bot identity not resolved yet \(auth\.test: .*503.*\); retrying$/)]);
    expect(body.checks.database.ok).toBe(true);

    fake.clearFailures();
    await eventually(async () => (await fetch(`${t.url}/readyz`)).status === 200, 10_000, 'ready once Slack answers');

    const list = await t.slack.command({ text: 'list', userId: 'UANA', channelId: 'CGENERAL' });
    expect(list.status).toBe(200);
    expect((await lastResponse(t, list.responseUrl)).text).toMatch(/incidents/i);
    const channel = await declareIncident(t, { userId: 'UANA', title: 'Declared after Slack came back' });
    expect(channel.members.has('UANA')).toBe(true);
    expect(channel.members.has(fake.botUserId)).toBe(true);

    const logs = t.logs.join('');
    expect(logs).not.toContain('Authorization of incoming event did not succeed');
    expect(logs).toContain('bot identity resolved');
    expect(rejections).toEqual([]);
  }, 60_000);
});
