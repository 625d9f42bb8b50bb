/**
 * `/incident itsm test` and the start-up check for Jira: the account signs in, holds the project
 * permissions the connector uses, and every field the create screens require is filled by the
 * connector or the policy. Reads only; each problem names the permission or field.
 */
import type { JiraPolicy } from '../policy/jira-schema.js';
import type { CheckResult } from '../servicenow/check.js';
import { JiraError, type JiraClient } from './client.js';
import type { CreateMeta } from './meta.js';

/** What each project permission is needed for. */
export const NEEDED_PERMISSIONS: Record<string, string> = {
  BROWSE_PROJECTS: 'read the issues',
  CREATE_ISSUES: 'create incident and action issues',
  EDIT_ISSUES: 'set priority, description, due dates',
  TRANSITION_ISSUES: 'move issues through the workflow',
  ADD_COMMENTS: 'add updates and notes as comments',
  LINK_ISSUES: 'link action issues and the Slack channel',
  CREATE_ATTACHMENTS: 'attach the published review',
  ASSIGN_ISSUES: 'assign commanders and action owners',
};

const answer = (e: JiraError) => `${e.status ?? 'no answer'}: ${e.message}`;

export async function checkJira(client: JiraClient, meta: CreateMeta, policy: JiraPolicy, opts: { signal?: AbortSignal } = {}): Promise<CheckResult> {
  const result: CheckResult = { connected: false, ok: [], missing: [], unchecked: [] };
  try {
    const me = await client.myself(opts);
    result.connected = true;
    result.ok.push(`sign in as ${me.displayName ?? me.emailAddress ?? me.name ?? me.accountId}`);
  } catch (e) {
    if (!(e instanceof JiraError)) throw e;
    result.missing.push(e.status === 401 ? `sign in: Jira answered 401; check ${client.deployment === 'cloud' ? 'JIRA_EMAIL / JIRA_API_TOKEN' : 'JIRA_PAT'}` : `reach Jira: ${e.message}`);
    return result;
  }
  const projects = [...new Set([policy.project, ...(policy.actions.enabled ? [policy.actions.project ?? policy.project] : [])])];
  for (const project of projects) {
    try {
      const held = await client.myPermissions(project, Object.keys(NEEDED_PERMISSIONS), opts);
      for (const [key, why] of Object.entries(NEEDED_PERMISSIONS)) (held[key] ? result.ok : result.missing).push(`${key} in ${project} (${why})`);
    } catch (e) {
      if (!(e instanceof JiraError)) throw e;
      result.unchecked.push(`permissions in ${project}: ${answer(e)}`);
    }
  }
  try {
    const problems = await meta.problems(policy, opts);
    result.missing.push(...problems.map((p) => `required field: ${p}`));
    if (!problems.length) result.ok.push('every field the create screens require is filled');
  } catch (e) {
    if (!(e instanceof JiraError)) throw e;
    result.missing.push(`read the create screen (createmeta): ${answer(e)}`);
  }
  return result;
}
