import { createHmac } from 'node:crypto';
import { withoutEntryRef } from '../../src/integrations/entry-marker.js';
import { itsmSchema } from '../../src/policy/itsm-schema.js';
import type { TestApp } from './app.js';
import { adfText, type FakeJira } from './fake-jira.js';

/** A comment's text as written (ADF or wiki text), without the reference line ending each comment the bot posts. */
export const commentBodyText = (body: unknown): string => withoutEntryRef(adfText(body));

export const JIRA_WEBHOOK_SECRET = 'jira-webhook-secret-0123456789';

/** The connector's credentials for the fake's flavour, as the environment gives them. */
export const jiraEnv = (jira: FakeJira) => ({
  ...(jira.flavor === 'cloud' ? { JIRA_EMAIL: jira.bot.emailAddress, JIRA_API_TOKEN: jira.apiToken } : { JIRA_PAT: jira.pat }),
  JIRA_WEBHOOK_SECRET,
});

/** `itsm` policy with only what the issue says is enough: base_url, deployment, project, issue_type (and `jira` keys on top). */
export const jiraPolicy = (jira: FakeJira, more: Record<string, unknown> = {}) => itsmSchema.parse({ jira: { base_url: jira.url, deployment: jira.flavor, project: 'OPS', issue_type: 'Incident', ...more } });

/** POSTs a Jira webhook body to /webhooks/jira, authenticated by `?secret=` (Cloud's way) or by `X-Hub-Signature`. */
export async function postJiraWebhook(t: TestApp, body: unknown, auth: 'query' | 'signature' | 'none' = 'query'): Promise<{ status: number; body: any }> {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth === 'signature') headers['x-hub-signature'] = `sha256=${createHmac('sha256', JIRA_WEBHOOK_SECRET).update(text).digest('hex')}`;
  const query = auth === 'query' ? `?secret=${encodeURIComponent(JIRA_WEBHOOK_SECRET)}` : '';
  const res = await fetch(`${t.url}/webhooks/jira${query}`, { method: 'POST', headers, body: text });
  return { status: res.status, body: await res.json() };
}
