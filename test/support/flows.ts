import { expect } from 'vitest';
import type { FakeChannel } from './fake-slack.js';
import { input } from './slack-requests.js';
import type { TestApp } from './app.js';
import { eventually } from './wait.js';

/** The modal most recently opened for a user. */
export function lastModal(t: TestApp, userId: string, callbackId?: string): any {
  const views = [...t.fake.views.values()].filter((v) => v.type === 'modal' && !v.closed && v.user === userId && (!callbackId || v.view.callback_id === callbackId));
  const view = views.at(-1);
  if (!view) throw new Error(`no modal${callbackId ? ` ${callbackId}` : ''} open for ${userId}`);
  return { ...view.view, id: view.id };
}

export interface DeclareOptions {
  userId: string;
  title: string;
  severity?: string;
  kind?: 'service' | 'security';
  description?: string;
  services?: string;
  /** Services chosen from the catalog's select (when the policy has a service catalog). */
  serviceList?: string[];
  /** Defaults to the reporter; '' leaves the role open. */
  commander?: string;
  channelId?: string;
}

export function declareValues(o: DeclareOptions) {
  return {
    title: { title: input.text(o.title) },
    description: { description: input.text(o.description ?? null) },
    severity: { severity: input.select(o.severity ?? 'SEV2') },
    kind: { kind: input.radio(o.kind ?? 'service') },
    services: { services: o.serviceList ? input.multiSelect(o.serviceList) : input.text(o.services ?? null) },
    commander: { commander: input.user(o.commander === undefined ? o.userId : o.commander || null) },
  };
}

/** Runs `/incident declare <title>`, submits the modal, and waits for the incident channel to be ready. */
export async function declareIncident(t: TestApp, o: DeclareOptions): Promise<FakeChannel> {
  const before = new Set(t.fake.channels.keys());
  const cmd = await t.slack.command({ text: `declare ${o.title}`, userId: o.userId, channelId: o.channelId ?? 'CGENERAL' });
  expect(cmd.status).toBe(200);
  const view = await eventually(() => lastModal(t, o.userId, 'incident_declare'), 3_000, 'declare modal');
  const res = await t.slack.viewSubmission({ userId: o.userId, view, values: declareValues(o) });
  expect(res.status).toBe(200);
  expect(res.body).toBeFalsy();
  await t.settle();
  return eventually(
    () => [...t.fake.channels.values()].find((c) => !before.has(c.id) && !c.is_im && c.pins.length > 0),
    10_000,
    'incident channel with a pinned card',
  );
}

/** Submits the modal currently open for `userId` with `values`. */
export async function submitModal(t: TestApp, userId: string, callbackId: string, values: Record<string, Record<string, any>>) {
  const view = await eventually(() => lastModal(t, userId, callbackId), 3_000, `${callbackId} modal`);
  const res = await t.slack.viewSubmission({ userId, view, values });
  await t.settle();
  return res;
}

/** The ephemeral reply most recently sent to a command's response_url. */
export async function lastResponse(t: TestApp, responseUrl: string): Promise<any> {
  const last = await eventually(() => t.fake.responses.filter((r) => r.url === responseUrl).at(-1), 3_000, 'response_url reply');
  if (last.rejected) throw new Error(`Slack refused the reply: ${last.rejected}`);
  return last.body;
}

/** All text of a message (text + section/header/context texts and fields). */
export function messageText(m: { text?: string; blocks?: any[] } | undefined): string {
  if (!m) return '';
  const parts: string[] = [m.text ?? ''];
  for (const b of m.blocks ?? []) {
    if (b.text?.text) parts.push(b.text.text);
    for (const f of b.fields ?? []) parts.push(f.text);
    for (const e of b.elements ?? []) if (e.text) parts.push(typeof e.text === 'string' ? e.text : e.text.text);
  }
  return parts.join('\n');
}

export interface TriageOptions {
  impact: string;
  urgency: string;
  category?: string;
  severity?: string;
  /** Free text (no service catalog), or the names chosen from the catalog's select. */
  services?: string | string[];
  business?: string;
  classification?: 'incident' | 'security_event';
  reason?: string;
}

/** The triage form's values. */
export function triageValues(o: TriageOptions) {
  return {
    category: { category: input.select(o.category ?? 'database') },
    impact: { impact: input.select(o.impact) },
    urgency: { urgency: input.select(o.urgency) },
    severity: { severity: input.select(o.severity ?? 'SEV2') },
    services: { services: Array.isArray(o.services) ? input.multiSelect(o.services) : input.text(o.services ?? null) },
    business_impact: { business_impact: input.text(o.business ?? null) },
    classification: { classification: input.radio(o.classification ?? 'incident') },
    reason: { reason: input.text(o.reason ?? null) },
  };
}
