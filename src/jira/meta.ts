/**
 * What a project's create screen asks for (createmeta per project and issue type), read before the
 * first issue and kept a while: the issue type's id, its fields, and which required ones the policy
 * leaves without a value. The connector creates no issue that Jira would refuse for one of those.
 */
import type { JiraPolicy } from '../policy/jira-schema.js';
import { JiraError, type JiraClient, type JiraFieldMeta } from './client.js';
import { missingRequired } from './mapping.js';

const TTL_MS = 10 * 60_000;

export interface CreateScreen { project: string; issueType: { id: string; name: string }; fields: JiraFieldMeta[] }

/** The fields the connector itself fills on every issue it creates (priority, assignee and due date only sometimes). */
const FILLED = ['summary', 'description', 'labels'];

export class CreateMeta {
  private readonly cache = new Map<string, { screen: CreateScreen; at: number }>();

  constructor(
    private readonly client: JiraClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The create screen of `project` / `typeName`; throws JiraError when either is unknown. */
  async screen(project: string, typeName: string, opts: { signal?: AbortSignal } = {}): Promise<CreateScreen> {
    const key = `${project}/${typeName}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < TTL_MS) return hit.screen;
    const types = await this.client.issueTypes(project, opts);
    const type = types.find((t) => t.name.toLowerCase() === typeName.toLowerCase());
    if (!type) throw new JiraError(`Jira project ${project} has no issue type "${typeName}" the account may create (it offers ${types.map((t) => t.name).join(', ') || 'none'})`, 400, false);
    const screen = { project, issueType: { id: type.id, name: type.name }, fields: await this.client.createFields(project, type.id, opts) };
    this.cache.set(key, { screen, at: this.now() });
    return screen;
  }

  /** Required fields of the screen that neither the connector (always) nor the policy's `fields` fill. */
  static unmapped(screen: CreateScreen, policyFields: Record<string, unknown>): JiraFieldMeta[] {
    const given = Object.fromEntries([...FILLED, ...Object.keys(policyFields)].map((f) => [f, true]));
    return missingRequired(screen.fields, given);
  }

  /** The incident and action screens' problems, one line each (empty: every required field is mapped). */
  async problems(policy: JiraPolicy, opts: { signal?: AbortSignal } = {}): Promise<string[]> {
    const out: string[] = [];
    const targets = [
      { project: policy.project, type: policy.issue_type, fields: policy.fields, key: 'itsm.jira.fields', what: 'incident issues' },
      ...(policy.actions.enabled ? [{ project: policy.actions.project ?? policy.project, type: policy.actions.issue_type, fields: policy.action_fields, key: 'itsm.jira.action_fields', what: 'action issues' }] : []),
    ];
    for (const t of targets) {
      const screen = await this.screen(t.project, t.type, opts);
      const missing = CreateMeta.unmapped(screen, t.fields);
      if (missing.length) out.push(`${t.project} ${screen.issueType.name} (${t.what}) requires ${missing.map((f) => `${f.name} (${f.fieldId})`).join(', ')}: give ${missing.length === 1 ? 'it a value' : 'them values'} under ${t.key}`);
    }
    return out;
  }
}
