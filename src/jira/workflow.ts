/**
 * Moves an issue to a status category through whatever workflow its project has: the transitions
 * valid from the current status are read, one reaching the target category is taken (or one to the
 * category between), its screen's required fields filled, and so on until the issue is there.
 */
import type { JiraPolicy } from '../policy/jira-schema.js';
import { JiraError, type JiraClient } from './client.js';
import { categoryOf, nextTransition, transitionFields, type Category } from './mapping.js';

/** Enough for any workflow that reaches the target at all through the category between. */
const MAX_STEPS = 4;

export interface Moved { category: Category; status: string; path: string[] }

/**
 * Moves the issue to a status of `target`'s category; the path taken (empty: it was there already, or
 * in one of the `alsoFine` categories, which someone in Jira chose and the sync does not overwrite).
 */
export async function moveToCategory(client: JiraClient, key: string, target: Category, policy: JiraPolicy, opts: { signal?: AbortSignal; alsoFine?: Category[] }): Promise<Moved> {
  const issue = await client.getIssue(key, { ...opts, fields: ['status'] });
  if (!issue) throw new JiraError(`Jira ${key} can no longer be read (deleted, or the account lost access to it)`, 404, false);
  let status = issue.fields?.status;
  const now = categoryOf(status?.statusCategory.key ?? '');
  if (status && now && opts.alsoFine?.includes(now)) return { category: now, status: status.name, path: [] };
  const path: string[] = [];
  const visited = new Set<string>(status ? [status.id] : []);
  for (let step = 0; step < MAX_STEPS; step++) {
    if (status && categoryOf(status.statusCategory.key) === target) return { category: target, status: status.name, path };
    const t = nextTransition(await client.transitions(key, opts), target, visited);
    if (!t) throw new JiraError(`Jira ${key}: no transition leads from "${status?.name ?? '?'}" towards the ${target} category (the workflow offers ${path.length ? 'none further' : 'none'}); the account may lack the Transition Issues permission`, 400, false);
    const { fields, unfilled } = transitionFields(t, policy, policy.fields);
    if (unfilled.length) throw new JiraError(`Jira ${key}: the transition "${t.name}" requires ${unfilled.join(', ')}; give a value under itsm.jira.fields`, 400, false);
    await client.transition(key, t.id, fields, opts);
    path.push(t.name);
    visited.add(t.to.id);
    status = t.to;
  }
  throw new JiraError(`Jira ${key}: the ${target} category was not reached in ${MAX_STEPS} transitions`, 400, false);
}
