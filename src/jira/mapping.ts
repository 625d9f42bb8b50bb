/**
 * Pure mappings between incidents and Jira issues: summary, description (Atlassian Document Format on
 * Cloud, wiki markup on Data Center), labels that find an issue again, priority, the status category
 * each lifecycle step wants, and the choice of a transition by status category.
 */
import type { IncidentSnapshot } from '../integrations/events.js';
import { DEFAULT_JIRA_PRIORITIES, type JiraPolicy } from '../policy/jira-schema.js';
import { outboundText } from '../servicenow/mapping.js';
import type { JiraDeployment, JiraFieldMeta, JiraTransition } from './client.js';

export type Category = 'new' | 'indeterminate' | 'done';

/** The label that finds an incident's issue again (an earlier try that was not recorded). */
export const incidentLabel = (ref: string): string => `io-${ref}`;
/** The label of an action's issue. */
export const actionLabel = (incidentRef: string, actionRef: string): string => `io-${incidentRef}-${actionRef}`;

/** Jira's summary is at most 255 characters, on one line. */
export function fitSummary(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= 255 ? line : `${line.slice(0, 254)}…`;
}

/** "<ref> <title>", the title withheld for a security incident unless the policy lets it out. */
export function summaryOf(incident: IncidentSnapshot, policy: JiraPolicy): string {
  return fitSummary(`${incident.ref} ${outboundText(incident, 'title', incident.title, policy.security)}`);
}

/** The Jira priority name for our priority, or null. */
export function priorityName(priority: string | null, policy: JiraPolicy): string | null {
  if (!priority) return null;
  return { ...DEFAULT_JIRA_PRIORITIES, ...policy.priorities }[priority] ?? null;
}

/** A text with an optional link, as a rich-text body: ADF (Cloud) or wiki markup (Data Center). */
export interface Paragraph { text: string; link?: { label: string; url: string } }

export function richText(deployment: JiraDeployment, paragraphs: Paragraph[]): unknown {
  const kept = paragraphs.filter((p) => p.text.trim() !== '' || p.link);
  if (deployment === 'datacenter') return kept.map((p) => `${p.text}${p.link ? `[${p.link.label.replace(/[|\]]/g, ' ')}|${p.link.url}]` : ''}`).join('\n\n');
  return {
    type: 'doc',
    version: 1,
    content: kept.map((p) => ({
      type: 'paragraph',
      content: [...(p.text ? [{ type: 'text', text: p.text }] : []), ...(p.link ? [{ type: 'text', text: p.link.label, marks: [{ type: 'link', attrs: { href: p.link.url } }] }] : [])],
    })),
  };
}

/** A Slack channel's link that opens it in the workspace. */
export const channelUrl = (channelId: string, teamId: string): string => `https://slack.com/app_redirect?channel=${channelId}&team=${teamId}`;

/** The incident issue's description: the incident's (if it may leave), and the Slack channel. */
export function descriptionOf(incident: IncidentSnapshot, policy: JiraPolicy, deployment: JiraDeployment): unknown {
  const text = outboundText(incident, 'description', incident.description, policy.security) ?? '';
  return richText(deployment, [
    { text },
    { text: `${incident.ref} (${incident.severity}${incident.priority ? `, ${incident.priority}` : ''}) is run in Slack by Incident Officer. ` },
    ...(incident.channelId ? [{ text: 'Slack channel: ', link: { label: `#${incident.ref.toLowerCase()}`, url: channelUrl(incident.channelId, incident.teamId) } }] : []),
    ...(incident.url ? [{ text: 'Incident page: ', link: { label: incident.url, url: incident.url } }] : []),
  ]);
}

/** What a required field of a create screen is given by: the connector itself, a policy value, or Jira's own default. */
export function missingRequired(meta: JiraFieldMeta[], given: Record<string, unknown>): JiraFieldMeta[] {
  return meta.filter((f) => f.required && !f.hasDefaultValue && given[f.fieldId] === undefined && !['project', 'issuetype', 'reporter'].includes(f.fieldId));
}

/** The fields to send, without those the create screen does not have (Jira would refuse them). */
export function onScreen(meta: JiraFieldMeta[], fields: Record<string, unknown>): Record<string, unknown> {
  const ids = new Set(meta.map((f) => f.fieldId));
  return Object.fromEntries(Object.entries(fields).filter(([k]) => ids.has(k) || k === 'project' || k === 'issuetype' || k === 'summary'));
}

const ORDER: Record<Category, number> = { new: 0, indeterminate: 1, done: 2 };

export function categoryOf(key: string): Category | null {
  return key === 'new' || key === 'indeterminate' || key === 'done' ? key : null;
}

/**
 * The next transition on the way to the target category: one reaching it if there is one, else one
 * to a status of the category between (new → in progress → done), never back to a status already
 * visited. Null when the workflow offers no way from here.
 */
export function nextTransition(transitions: JiraTransition[], target: Category, visited: Set<string>): JiraTransition | null {
  const fresh = transitions.filter((t) => !visited.has(t.to.id));
  const direct = fresh.filter((t) => t.to.statusCategory.key === target);
  if (direct.length) return direct.sort((a, b) => requiredCount(a) - requiredCount(b))[0];
  const between = fresh.filter((t) => {
    const c = categoryOf(t.to.statusCategory.key);
    return c !== null && c !== target && Math.abs(ORDER[c] - ORDER[target]) === 1;
  });
  return between.sort((a, b) => requiredCount(a) - requiredCount(b))[0] ?? null;
}

function requiredCount(t: JiraTransition): number {
  return Object.values(t.fields ?? {}).filter((f) => f.required).length;
}

/**
 * The fields a transition's screen requires: a resolution (the policy's if offered, else the first),
 * others from the policy's `fields`. Answers the names of those it cannot fill.
 */
export function transitionFields(t: JiraTransition, policy: JiraPolicy, extra: Record<string, unknown>): { fields: Record<string, unknown>; unfilled: string[] } {
  const fields: Record<string, unknown> = {};
  const unfilled: string[] = [];
  for (const [id, f] of Object.entries(t.fields ?? {})) {
    if (!f.required) continue;
    if (id === 'resolution') {
      const allowed = f.allowedValues ?? [];
      const pick = allowed.find((v) => v.name === policy.resolution) ?? allowed[0];
      fields.resolution = pick?.name ? { name: pick.name } : { name: policy.resolution };
    } else if (extra[id] !== undefined) fields[id] = extra[id];
    else unfilled.push(id);
  }
  return { fields, unfilled };
}

/** The text of a comment body: wiki text as it is, an ADF document's text nodes joined. */
export function commentText(body: unknown): string {
  if (typeof body === 'string') return body;
  const walk = (n: unknown): string => {
    if (!n || typeof n !== 'object') return '';
    const node = n as { type?: string; text?: string; content?: unknown[] };
    if (node.type === 'text') return node.text ?? '';
    const inner = (node.content ?? []).map(walk).join('');
    return node.type === 'paragraph' || node.type === 'heading' ? `${inner}\n` : inner;
  };
  return walk(body).trim();
}
