/**
 * The `status_page` policy section: the public status page (`GET /status`), what the public sees of
 * each catalog service (components), who approves a public post, and where a static copy is written.
 * Absent, there is no status page.
 */
import path from 'node:path';
import { z } from 'zod';
import { resolveRoleAlias } from '../roles/aliases.js';
import { atlassianStatusPageSchema } from './statuspage-schema.js';

const component = z
  .object({
    /** The name the public sees, e.g. Checkout. */
    name: z.string().trim().min(1).max(60),
    description: z.string().trim().min(1).max(200).optional(),
    /** Catalog services behind it: an incident on one of them proposes this component. */
    services: z.array(z.string().min(1)).min(1).max(100),
  })
  .strict();

/**
 * Where the public text starts when the policy sets no template: written for customers, per public
 * status. The internal update is not copied: what the responders wrote for each other is not what the
 * public should read, and a low-priority post needs no second reader.
 */
export const DEFAULT_PUBLIC_TEMPLATES = {
  investigating: 'We are investigating problems with {components}. We will post more here as we learn it.',
  identified: 'We have found the cause of the problems with {components} and are working on a fix.',
  monitoring: 'A fix for the problems with {components} is in place; we are watching the results.',
  resolved: 'The problems with {components} are resolved. Thank you for your patience.',
} as const;

export const statusPageSchema = z
  .object({
    /** The page's heading and the feed's title. */
    title: z.string().trim().min(1).max(100).default('Service status'),
    components: z.array(component).min(1, 'name at least one component').max(40, 'at most 40 components (each is a choice in the Slack form)'),
    /** Also write the page and its JSON here (an absolute directory) on every change. */
    export_dir: z
      .string()
      .trim()
      .min(1)
      .refine((d) => path.isAbsolute(d), 'must be an absolute directory such as /var/www/status')
      .optional(),
    /** Who must approve a public post, by the incident's priority; never its author. */
    approval: z
      .object({
        priorities: z.array(z.string()).max(10).default(['P1', 'P2']),
        /** Incident roles (commander, comms…) whose holders approve. */
        approvers: z.array(z.string().min(1)).min(1).max(20).default(['commander', 'comms']),
      })
      .strict()
      .prefault({}),
    /** The public text's starting point in the form: {title}, {status}, {message}, {components}; unset: DEFAULT_PUBLIC_TEMPLATES. */
    template: z.string().min(1).max(3000).optional(),
    /** Mirror what is published to an Atlassian Statuspage page (with STATUSPAGE_API_KEY in the environment). */
    atlassian: atlassianStatusPageSchema.optional(),
  })
  .strict()
  .refine((p) => new Set(p.components.map((c) => c.name.toLowerCase())).size === p.components.length, { message: 'component names must be unique', path: ['components'] });

export type StatusPagePolicy = z.infer<typeof statusPageSchema>;
export type StatusComponent = StatusPagePolicy['components'][number];

type Issue = (path: PropertyKey[], message: string) => void;

/** Cross-field rules: components name catalog services, approval names known priorities and roles. */
export function checkStatusPage(
  policy: { status_page?: StatusPagePolicy; services: { name: string }[]; priorities: { id: string }[]; roles: { id: string }[] },
  addIssue: Issue,
): void {
  const page = policy.status_page;
  if (!page) return;
  const services = new Set(policy.services.map((s) => s.name));
  // With an empty catalog, services are free text everywhere; with one, names must come from it.
  page.components.forEach((c, i) => {
    for (const s of c.services) {
      if (services.size && !services.has(s)) addIssue(['status_page', 'components', i, 'services'], `unknown service "${s}"`);
    }
  });
  const priorities = new Set(policy.priorities.map((p) => p.id));
  for (const p of page.approval.priorities) {
    if (!priorities.has(p)) addIssue(['status_page', 'approval', 'priorities'], `unknown priority ${p}`);
  }
  if (page.atlassian) {
    const names = new Set(page.components.map((c) => c.name));
    for (const name of Object.keys(page.atlassian.components)) {
      if (!names.has(name)) addIssue(['status_page', 'atlassian', 'components', name], `unknown component "${name}" (components: ${[...names].join(', ')})`);
    }
    // A post naming a component Statuspage does not know could never be sent.
    for (const name of names) {
      if (!Object.hasOwn(page.atlassian.components, name)) addIssue(['status_page', 'atlassian', 'components'], `no Statuspage component id for "${name}"`);
    }
  }
  const roles = new Set(policy.roles.map((r) => r.id));
  for (const r of page.approval.approvers) {
    if (!roles.has(resolveRoleAlias(r))) addIssue(['status_page', 'approval', 'approvers'], `unknown role "${r}" (roles: ${[...roles].join(', ')})`);
  }
}
