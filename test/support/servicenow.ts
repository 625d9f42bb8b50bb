import { itsmSchema } from '../../src/policy/itsm-schema.js';
import type { TestApp } from './app.js';
import type { FakeServiceNow, Rec } from './fake-servicenow.js';
import type { FakeChannel } from './fake-slack.js';
import { eventually } from './wait.js';

/** The integration user's credentials, as the environment gives them to the app. */
export const serviceNowEnv = (sn: FakeServiceNow) => ({ SERVICENOW_USERNAME: sn.integrationUser.userName, SERVICENOW_PASSWORD: sn.integrationUser.password });

/** `itsm` policy pointing at the fake instance, polled every 5 s, with `servicenow` keys on top. */
export const serviceNowPolicy = (sn: FakeServiceNow, servicenow: Record<string, unknown> = {}) => itsmSchema.parse({ servicenow: { instance_url: sn.url, poll_seconds: 5, ...servicenow } });

/** Runs the outbox until `check` holds. */
export function synced<T>(t: TestApp, check: () => T | undefined | false, label: string): Promise<T> {
  return eventually(async () => {
    await t.settle();
    return check() || undefined;
  }, 15_000, label) as Promise<T>;
}

/** The incident record of an incident channel, once the connector has created it. */
export async function recordOf(t: TestApp, sn: FakeServiceNow, c: FakeChannel): Promise<Rec> {
  const { number } = await t.app.db.selectFrom('incidents').select('number').where('channel_id', '=', c.id).executeTakeFirstOrThrow();
  const ref = `INC-${number}`;
  return synced(t, () => sn.records('incident').find((r) => r.correlation_id === ref), `the record of ${ref}`);
}
