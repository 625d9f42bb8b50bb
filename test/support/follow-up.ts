import { expect } from 'vitest';
import type { TestApp } from './app.js';
import type { FakeChannel, FakeMessage } from './fake-slack.js';
import { lastResponse, submitModal } from './flows.js';
import { eventually } from './wait.js';
import { input } from './slack-requests.js';

/** Runs `/incident <text>` and returns the ephemeral answer. */
export async function ask(t: TestApp, text: string, userId: string, channelId: string): Promise<any> {
  const res = await t.slack.command({ text, userId, channelId });
  expect(res.status).toBe(200);
  return lastResponse(t, res.responseUrl);
}

/** Runs `/incident <text>` where the answer is a modal (or nothing). */
export async function run(t: TestApp, text: string, userId: string, channelId: string): Promise<void> {
  const res = await t.slack.command({ text, userId, channelId });
  expect(res.status).toBe(200);
  expect(res.body).toBeFalsy();
}

/** Resolves the incident of `channel` through its modal. */
export async function resolveIncident(t: TestApp, channel: FakeChannel, userId: string, summary: string): Promise<void> {
  await run(t, 'resolve', userId, channel.id);
  const res = await submitModal(t, userId, 'incident_resolve', { summary: { summary: input.text(summary) } });
  expect(res.body).toBeFalsy();
}

/** The incident's pinned card. */
export function card(channel: FakeChannel): FakeMessage {
  return channel.messages.find((m) => m.ts === channel.pins[0])!;
}

/** `INC-<n>` of an incident channel. */
export function refOf(channel: FakeChannel): string {
  return `INC-${/^inc-(\d+)-/.exec(channel.name)![1]}`;
}

/** Action ids of the buttons in a message. */
export function buttonIds(m: { blocks?: any[] } | undefined): string[] {
  return (m?.blocks ?? []).flatMap((b: any) => [...(b.elements ?? []), b.accessory].filter((e: any) => e?.action_id)).map((e: any) => e.action_id);
}

/** The stored incident of a channel. */
export function incidentOf(t: TestApp, channel: FakeChannel) {
  return t.app.db.selectFrom('incidents').selectAll().where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
}

/** Timeline kinds of an incident, in order. */
export async function timelineKinds(t: TestApp, incidentId: string): Promise<string[]> {
  return (await t.app.db.selectFrom('timeline_events').select('kind').where('incident_id', '=', incidentId).orderBy('id').execute()).map((r) => r.kind);
}

/** Asserts that each entry appears in `text` after the one before it. */
export function expectInOrder(text: string, entries: string[]): void {
  let at = -1;
  for (const entry of entries) {
    const i = text.indexOf(entry, at + 1);
    expect(i, `"${entry}" after position ${at}`).toBeGreaterThan(at);
    at = i;
  }
}

/** The text of the Home tab `userId` sees on opening it. */
export async function homeText(t: TestApp, userId: string): Promise<string> {
  const before = t.fake.homeViews.get(userId);
  await t.slack.event({ type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home' });
  const view = await eventually(() => {
    const id = t.fake.homeViews.get(userId);
    return id && (id !== before || t.fake.views.get(id)!.view) ? t.fake.views.get(id)?.view : undefined;
  });
  return view.blocks.map((b: any) => b.text?.text ?? '').join('\n') as string;
}
