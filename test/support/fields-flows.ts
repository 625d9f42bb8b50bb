import { expect } from 'vitest';
import type { TestApp } from './app.js';
import type { FakeChannel } from './fake-slack.js';
import { declareValues, lastModal } from './flows.js';
import { input } from './slack-requests.js';
import { eventually } from './wait.js';

/** The open form of `viewId` as Slack shows it now (after any views.update). */
export const openView = (t: TestApp, viewId: string) => ({ ...t.fake.views.get(viewId)!.view, id: viewId });

/** Runs `/incident <text>` and returns the modal it opens (a new one, not one open before). */
export async function openForm(t: TestApp, text: string, userId: string, channelId: string, callbackId: string) {
  const before = new Set(t.fake.views.keys());
  const res = await t.slack.command({ text, userId, channelId });
  expect(res.status).toBe(200);
  return eventually(() => {
    const v = lastModal(t, userId, callbackId);
    return before.has(v.id) ? undefined : v;
  });
}

/** Chooses an option of a select that redraws its form (`dispatch_action`) and waits for the redrawn form. */
export async function chooseInForm(t: TestApp, userId: string, viewId: string, actionId: string, value: string, values: Record<string, Record<string, any>> = {}) {
  const before = t.fake.views.get(viewId)!.hash;
  const res = await t.slack.blockAction({ userId, actionId, view: openView(t, viewId), values: { ...values, [actionId]: { [actionId]: input.select(value) } }, selectedOption: { value } });
  expect(res.status).toBe(200);
  return eventually(() => (t.fake.views.get(viewId)!.hash !== before ? openView(t, viewId) : undefined), 5_000, `form redrawn for ${value}`);
}

/** Declares an incident of a type through the declare form (type chosen first), with field values; returns its channel. */
export async function declareTyped(t: TestApp, o: { userId: string; title: string; type: string; severity?: string; kind?: 'service' | 'security'; fields?: Record<string, Record<string, any>> }): Promise<FakeChannel> {
  const opened = await openForm(t, `declare ${o.title}`, o.userId, 'CGENERAL', 'incident_declare');
  const view = await chooseInForm(t, o.userId, opened.id, 'incident_type', o.type);
  const before = new Set(t.fake.channels.keys());
  const values = { ...declareValues({ userId: o.userId, title: o.title, severity: o.severity ?? 'SEV3', kind: o.kind }), incident_type: { incident_type: input.select(o.type) }, ...o.fields };
  const res = await t.slack.viewSubmission({ userId: o.userId, view, values });
  expect(res.body).toBeFalsy();
  await t.settle();
  return eventually(() => [...t.fake.channels.values()].find((c) => !before.has(c.id) && !c.is_im && c.pins.length > 0), 10_000, 'incident channel');
}
