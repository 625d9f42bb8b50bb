/**
 * The `itsm.jira` policy section: the Jira connector. Setting `base_url`, `project` and `issue_type`
 * (and the credentials in the environment) turns it on; every other key has a default that works with
 * a stock Jira Software project.
 */
import { z } from 'zod';
import { connectorUrl } from '../net/outbound.js';

const baseUrl = connectorUrl('https://acme.atlassian.net')
  .refine((u) => !new URL(u).search && !new URL(u).hash, 'must be the site root (a Data Center context path such as /jira is fine), without a query')
  .transform((u) => {
    const url = new URL(u);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  });

const projectKey = z.string().trim().regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'a project key such as OPS (capital letters, digits, _)');
const typeName = z.string().trim().min(1).max(60);
const label = z.string().trim().min(1).max(255).regex(/^\S+$/, 'a Jira label has no spaces');

export const jiraSchema = z
  .object({
    /** https://acme.atlassian.net (Cloud) or https://jira.acme.com (Data Center): required to enable the connector. */
    base_url: baseUrl,
    /** cloud: REST v3, Atlassian Document Format, e-mail + API token; datacenter: REST v2, wiki text, personal access token. */
    deployment: z.enum(['cloud', 'datacenter']).default('cloud'),
    /** Project key of incident issues. */
    project: projectKey,
    /** Issue type name of incident issues. */
    issue_type: typeName,
    /** Follow-up actions as issues: the same project and type Task unless given. */
    actions: z
      .object({ project: projectKey.optional(), issue_type: typeName.default('Task'), enabled: z.boolean().default(true) })
      .strict()
      .prefault({}),
    /** Our priority → Jira priority name, over DEFAULT_JIRA_PRIORITIES (a priority the create screen does not offer is left out). */
    priorities: z.record(z.string(), z.string().trim().min(1).max(60)).default({}),
    /** Labels on every issue the connector creates (it adds its own `io-<ref>` label to find them again). */
    labels: z.array(label).max(20).default(['incident']),
    /** Values for further fields of the incident issue, as Jira's REST API takes them: `customfield_10010: { value: "Payments" }`. */
    fields: z.record(z.string().regex(/^[a-z][A-Za-z0-9_]*$/, 'a field id such as customfield_10010 or components'), z.unknown()).default({}),
    /** The same for action issues. */
    action_fields: z.record(z.string().regex(/^[a-z][A-Za-z0-9_]*$/, 'a field id such as customfield_10010'), z.unknown()).default({}),
    /** Resolution given when a transition to a Done status asks for one. */
    resolution: z.string().trim().min(1).max(60).default('Done'),
    /** Which audiences' updates become comments (technical: the channel's own updates). */
    audiences: z
      .object({ technical: z.boolean().default(true), business: z.boolean().default(false), executive: z.boolean().default(false) })
      .strict()
      .prefault({}),
    /** Notes added in Slack become comments. */
    notes: z.boolean().default(true),
    /** Hours a sync that keeps failing (Jira down, in maintenance) is retried before it is given up. */
    retry_hours: z.number().int().min(1, 'must be at least 1').max(720, 'must be at most 720 (30 days)').default(24),
    /** Slack user ids whose Home tab lists the incidents whose Jira sync fails. */
    operators: z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123ABCD')).max(100).default([]),
    /** What of a security (private) incident may be copied to Jira. */
    security: z
      .object({ title: z.boolean().default(true), description: z.boolean().default(false), notes: z.boolean().default(false) })
      .strict()
      .prefault({}),
  })
  .strict();

/** P1–P4 onto a stock Jira's priority scheme. */
export const DEFAULT_JIRA_PRIORITIES: Readonly<Record<string, string>> = { P1: 'Highest', P2: 'High', P3: 'Medium', P4: 'Low' };

export type JiraPolicy = z.infer<typeof jiraSchema>;
