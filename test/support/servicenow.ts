import { expect } from 'vitest';
import { withoutEntryRef } from '../../src/integrations/entry-marker.js';
import { itsmSchema } from '../../src/policy/itsm-schema.js';
import { startTestApp, type TestApp } from './app.js';
import { startFakeServiceNow, type FakeServiceNow, type Rec } from './fake-servicenow.js';
import { FakeSlack, type FakeChannel } from './fake-slack.js';
import { lastModal, submitModal } from './flows.js';
import { ask, run } from './follow-up.js';
import { input } from './slack-requests.js';
import { eventually } from './wait.js';

/** A journal entry's text as written, without the reference line ending each entry the bot posts. */
export const entryText = (j: Rec): string => withoutEntryRef(j.value);

/** The integration user's credentials, as the environment gives them to the app. */
export const serviceNowEnv = (sn: FakeServiceNow) => ({ SERVICENOW_USERNAME: sn.integrationUser.userName, SERVICENOW_PASSWORD: sn.integrationUser.password });

/** `itsm` policy pointing at the fake instance, polled every 5 s, with `servicenow` keys on top. */
export const serviceNowPolicy = (sn: Pick<FakeServiceNow, 'url'>, servicenow: Record<string, unknown> = {}) => itsmSchema.parse({ servicenow: { instance_url: sn.url, poll_seconds: 5, ...servicenow } });

/** Outbox tasks not yet done in any lane (retries waiting for their time included). */
async function pendingTasks(t: TestApp): Promise<number> {
  const row = await t.app.db.selectFrom('slack_tasks').select((eb) => eb.fn.countAll<string>().as('n')).where('done_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Runs the outbox until `check` holds. It waits for work, not for a time: as long as tasks are pending
 * (a retry waiting out its backoff on a loaded machine) it keeps going; once nothing is left to run and
 * `check` still fails, it fails at once. The test's own time limit is the only clock.
 */
export async function synced<T>(t: TestApp, check: () => T | undefined | false | Promise<T | undefined | false>, label: string): Promise<NonNullable<T>> {
  for (;;) {
    await t.settle();
    const value = await check();
    if (value) return value as NonNullable<T>;
    if ((await pendingTasks(t)) === 0) {
      // A last look: a listener may have queued work between the drain and the count.
      await t.settle();
      const last = await check();
      if (last) return last as NonNullable<T>;
      if ((await pendingTasks(t)) === 0) throw new Error(`${label} not met, and nothing is left to run`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The modal most recently opened for `userId` with `callbackId`, once the listener that opens it has run. */
export function openModal(t: TestApp, userId: string, callbackId: string): Promise<any> {
  return synced(
    t,
    () => {
      try {
        return lastModal(t, userId, callbackId);
      } catch {
        return undefined;
      }
    },
    `the ${callbackId} modal`,
  );
}

/** The incident record of an incident channel, once the connector has created it. */
export async function recordOf(t: TestApp, sn: FakeServiceNow, c: FakeChannel): Promise<Rec> {
  const { number } = await t.app.db.selectFrom('incidents').select('number').where('channel_id', '=', c.id).executeTakeFirstOrThrow();
  const ref = `INC-${number}`;
  return synced(t, () => sn.records('incident').find((r) => r.correlation_id === ref), `the record of ${ref}`);
}

/** The post-incident review form, filled in with the essentials. */
export const reviewValues = {
  pir_summary: { pir_summary: input.text('Webhook retries piled up after the broker restart.') },
  pir_impact: { pir_impact: input.text('Notifications late by 40 minutes.') },
  pir_root_cause: { pir_root_cause: input.text('The broker restart dropped consumer leases.') },
  pir_root_cause_confirmed: { pir_root_cause_confirmed: input.checkboxes(['yes']) },
  pir_factors: { pir_factors: input.text(null) },
  pir_five_whys: { pir_five_whys: input.text(null) },
  pir_went_well: { pir_went_well: input.text(null) },
  pir_went_badly: { pir_went_badly: input.text(null) },
  pir_lessons: { pir_lessons: input.text(null) },
  pir_owner: { pir_owner: input.user('UBEN') },
  pir_meeting_date: { pir_meeting_date: input.date(null) },
};

/** Writes, submits and publishes the review of a resolved incident as `userId`; answers the published document posted in Slack. */
export async function publishReview(t: TestApp, channel: FakeChannel, userId: string) {
  await run(t, 'review', userId, channel.id);
  expect((await submitModal(t, userId, 'review_modal', reviewValues)).body).toBeFalsy();
  expect((await ask(t, 'review submit', userId, channel.id)).text).toContain('is now *in review*');
  await t.settle();
  expect((await ask(t, 'review publish', userId, channel.id)).text).toMatch(/published/);
  const files = () => [...t.fake.files.values()].filter((f) => f.filename.includes('post-incident-review'));
  const published = await synced(t, () => files().find((f) => f.content.includes('**published**')), 'the published document in Slack');
  return { published, files };
}

/** Opens `userId`'s Home tab and presses the button of their action titled `title` whose action_id matches `button`. */
export async function pressHomeActionButton(t: TestApp, userId: string, title: string, button: RegExp): Promise<void> {
  await t.slack.event({ type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home' });
  const homeView = await eventually(() => {
    const view = t.fake.views.get(t.fake.homeViews.get(userId) ?? '')?.view;
    return JSON.stringify(view?.blocks ?? []).includes(title) ? view : undefined;
  });
  const buttons = homeView.blocks.flatMap((b: any) => b.elements ?? []);
  const pressed = buttons.find((e: any) => button.test(e.action_id));
  await t.slack.blockAction({ userId, actionId: pressed.action_id, value: pressed.value, view: { ...homeView, id: t.fake.homeViews.get(userId)! } });
}

/** Reassigns `userId`'s action titled `title` to `to` from their Home tab. */
export async function reassignFromHome(t: TestApp, userId: string, title: string, to: string): Promise<void> {
  await pressHomeActionButton(t, userId, title, /reassign/);
  await eventually(() => lastModal(t, userId, 'action_reassign_modal'));
  expect((await submitModal(t, userId, 'action_reassign_modal', { action_new_owner: { action_new_owner: input.user(to) } })).body).toBeFalsy();
}

/** A fake ServiceNow, a fake Slack and the app between them, with `users` (id, name) in Slack; `servicenow` may read the fake (to name its groups). */
export async function startServiceNowApp(opts: { servicenow?: Record<string, unknown> | ((sn: FakeServiceNow) => Record<string, unknown>); policy?: Record<string, unknown>; env?: Record<string, string>; users: [string, string][]; oauth?: boolean }) {
  const sn = await startFakeServiceNow();
  const fake = await FakeSlack.start();
  const servicenow = typeof opts.servicenow === 'function' ? opts.servicenow(sn) : opts.servicenow;
  // OAuth client credentials (tokens run as the integration user) instead of basic auth.
  const credentials = opts.oauth ? { SERVICENOW_CLIENT_ID: sn.oauthClient.clientId, SERVICENOW_CLIENT_SECRET: sn.oauthClient.clientSecret } : serviceNowEnv(sn);
  const t = await startTestApp({ fake, env: { ...credentials, ...opts.env }, policy: { itsm: serviceNowPolicy(sn, servicenow), ...opts.policy } });
  for (const [id, name] of opts.users) t.fake.addUser({ id, name });
  const stop = async () => {
    await t.stop();
    await fake.close();
    await sn.close();
  };
  return { sn, fake, t, stop };
}

/** The sys_id of the record `app` linked to the incident of `channel` (another app's references may differ from recordOf's). */
export async function linkedSysId(app: TestApp, c: FakeChannel): Promise<string> {
  const incidentId = (await app.app.db.selectFrom('incidents').select('id').where('channel_id', '=', c.id).executeTakeFirstOrThrow()).id;
  return eventually(async () => {
    await app.settle();
    return (await app.app.db.selectFrom('servicenow_links').select('sys_id').where('incident_id', '=', incidentId).executeTakeFirst())?.sys_id ?? undefined;
  }, 15_000, 'the linked record');
}

/** Runs `/incident <text>` and answers its ephemeral reply, once the listener has sent it (no time limit of its own). */
export async function answerTo(t: TestApp, text: string, userId: string, channelId: string): Promise<any> {
  const res = await t.slack.command({ text, userId, channelId });
  expect(res.status).toBe(200);
  const reply = await synced(t, () => t.fake.responses.filter((r) => r.url === res.responseUrl).at(-1), `the reply to /incident ${text}`);
  if (reply.rejected) throw new Error(`Slack refused the reply: ${reply.rejected}`);
  return reply.body;
}
