import type { TestApp } from './app.js';
import type { FakeChannel } from './fake-slack.js';
import { lastModal, submitModal } from './flows.js';
import { input } from './slack-requests.js';
import { eventually } from './wait.js';

/** The public post form's values: the status, a state per component (by name; others "not affected"), title and text. */
export function postValues(components: string[], o: { status: string; title: string; body: string; states: Record<string, string> }) {
  return {
    status_public_status: { status_public_status: input.select(o.status) },
    ...Object.fromEntries(components.map((n, i) => [`status_component:${i}`, { [`status_component:${i}`]: input.select(o.states[n] ?? 'none') }])),
    status_public_title: { status_public_title: input.text(o.title) },
    status_public_body: { status_public_body: input.text(o.body) },
    status_notify: { status_notify: input.checkboxes(['yes']) },
  };
}

/** The approval request in an incident channel. */
export function approvalRequest(c: FakeChannel) {
  return c.messages.find((m) => m.blocks?.some((b: any) => b.elements?.some((e: any) => e.action_id === 'status_approve')));
}

/** Presses "Approve and publish" as `userId`; returns the interaction (its response_url has the answer). */
export async function pressApprove(t: TestApp, c: FakeChannel, userId: string) {
  const m = await eventually(() => approvalRequest(c), 5_000, 'approval request');
  const res = await t.slack.blockAction({ userId, actionId: 'status_approve', channelId: c.id, messageTs: m.ts });
  await t.settle();
  return res;
}

/**
 * Posts an update with the public audience as `author`, fills the public form, confirms the
 * preview, and has `approver` approve it (when the policy asks for approval).
 */
export async function publishPublicUpdate(
  t: TestApp,
  c: FakeChannel,
  o: { author: string; approver?: string; components: string[]; status: string; message: string; title: string; body: string; states: Record<string, string> },
): Promise<void> {
  await t.slack.command({ text: 'update', userId: o.author, channelId: c.id });
  await submitModal(t, o.author, 'incident_update', {
    status: { status: input.select(o.status) },
    message: { message: input.text(o.message) },
    next_update: { next_update: input.select('30') },
    audiences: { audiences: input.checkboxes(['public']) },
  });
  const form = await eventually(() => lastModal(t, o.author, 'status_post'));
  await t.slack.viewSubmission({ userId: o.author, view: form, values: postValues(o.components, o) });
  await submitModal(t, o.author, 'status_post_preview', {});
  if (o.approver) await pressApprove(t, c, o.approver);
}

/** The `/change new` form's values for a change on `services` (low risk unless told), published as maintenance or not. */
export function maintenanceChangeValues(o: { title: string; services: string[]; start: Date; end: Date; publish: boolean; text?: string | null; description?: string | null; risk?: 'low' | 'high' }) {
  const unix = (d: Date) => Math.floor(d.getTime() / 1000);
  return {
    title: { title: input.text(o.title) },
    description: { description: input.text(o.description ?? null) },
    services: { services: input.multiSelect(o.services) },
    window_start: { window_start: { type: 'datetimepicker', selected_date_time: unix(o.start) } },
    window_end: { window_end: { type: 'datetimepicker', selected_date_time: unix(o.end) } },
    change_impact: { change_impact: input.select(o.risk ?? 'low') },
    likelihood: { likelihood: input.select(o.risk ?? 'low') },
    rollback: { rollback: input.text('Switch back') },
    implementer: { implementer: input.user(null) },
    status_publish_maintenance: { status_publish_maintenance: input.checkboxes(o.publish ? ['yes'] : []) },
    status_maintenance_text: { status_maintenance_text: input.text(o.text ?? null) },
  };
}

/** Records a change through `/change new` as `userId`. */
export async function recordChange(t: TestApp, userId: string, o: Parameters<typeof maintenanceChangeValues>[0]) {
  await t.slack.command({ text: 'new', userId, channelId: 'CGENERAL', command: '/change' });
  return submitModal(t, userId, 'change_new', maintenanceChangeValues(o));
}
