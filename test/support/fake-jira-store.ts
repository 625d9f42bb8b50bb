/**
 * The state and rules of the fake Jira (fake-jira.ts): projects with issue types, their create
 * screens (createmeta) and workflows, issues with comments, remote links, issue links and attachments,
 * and users. Rules follow Atlassian's REST reference: a required field missing answers 400 with one
 * `errors` entry per field, a field not on the create screen is refused, a transition is valid only
 * from its `from` statuses and its screen's required fields must be given.
 */

export type Flavor = 'cloud' | 'datacenter';
export type StatusCategory = 'new' | 'indeterminate' | 'done';

export interface JiraUser { accountId: string; name: string; displayName: string; emailAddress: string; active: boolean }
export interface FieldMeta { fieldId: string; name: string; required: boolean; schema: { type: string; system?: string; custom?: string }; allowedValues?: { id: string; name?: string; value?: string }[] }
export interface Status { id: string; name: string; category: StatusCategory }
export interface Transition { id: string; name: string; from: string[] | 'any'; to: string; requires?: string[] }
export interface Workflow { initial: string; statuses: Status[]; transitions: Transition[] }
export interface IssueType { id: string; name: string; fields: FieldMeta[]; workflow: Workflow }
export interface Project { id: string; key: string; issueTypes: IssueType[] }

export interface Comment { id: string; author: JiraUser; body: unknown; created: string }
export interface RemoteLink { id: number; globalId?: string; object: { url: string; title: string } }
export interface Attachment { id: string; filename: string; mimeType: string; size: number; bytes: Buffer }
export interface Issue {
  id: string;
  key: string;
  project: Project;
  issueType: IssueType;
  status: Status;
  fields: Record<string, unknown>;
  comments: Comment[];
  remoteLinks: RemoteLink[];
  attachments: Attachment[];
  created: string;
  updated: string;
}
export interface IssueLink { id: string; type: string; inward: string; outward: string }

/** A refusal in Jira's error shape: `{ errorMessages, errors }`. */
export class JiraRefusal extends Error {
  constructor(
    readonly status: number,
    readonly errorMessages: string[],
    readonly errors: Record<string, string> = {},
  ) {
    super(errorMessages[0] ?? Object.values(errors)[0] ?? `HTTP ${status}`);
  }
}

export const RESOLUTIONS = [
  { id: '10000', name: 'Done' },
  { id: '10001', name: "Won't Do" },
  { id: '10002', name: 'Duplicate' },
];
export const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'].map((name, i) => ({ id: String(i + 1), name }));

const system = (fieldId: string, name: string, type: string, required = false, extra: Partial<FieldMeta> = {}): FieldMeta => ({ fieldId, name, required, schema: { type, system: fieldId }, ...extra });

/** The create screen of a stock Jira Software project. */
export function stockFields(): FieldMeta[] {
  return [
    system('project', 'Project', 'project', true),
    system('issuetype', 'Issue Type', 'issuetype', true),
    system('summary', 'Summary', 'string', true),
    system('description', 'Description', 'string'),
    system('priority', 'Priority', 'priority', false, { allowedValues: PRIORITIES }),
    system('labels', 'Labels', 'array'),
    system('assignee', 'Assignee', 'user'),
    system('reporter', 'Reporter', 'user'),
    system('duedate', 'Due date', 'date'),
  ];
}

/** To Do → In Progress → Done, where Done needs a resolution and is reached only from In Progress (a two-step workflow). */
export function twoStepWorkflow(): Workflow {
  return {
    initial: '1',
    statuses: [
      { id: '1', name: 'Open', category: 'new' },
      { id: '3', name: 'Working', category: 'indeterminate' },
      { id: '5', name: 'Closed', category: 'done' },
    ],
    transitions: [
      { id: '11', name: 'Start work', from: ['1'], to: '3' },
      { id: '21', name: 'Stop work', from: ['3'], to: '1' },
      { id: '31', name: 'Close issue', from: ['3'], to: '5', requires: ['resolution'] },
      { id: '41', name: 'Reopen issue', from: ['5'], to: '3' },
    ],
  };
}

/** Jira Software's simplified workflow: any status to any other. */
export function simpleWorkflow(): Workflow {
  return {
    initial: '10000',
    statuses: [
      { id: '10000', name: 'To Do', category: 'new' },
      { id: '10001', name: 'In Progress', category: 'indeterminate' },
      { id: '10002', name: 'Done', category: 'done' },
    ],
    transitions: [
      { id: '11', name: 'To Do', from: 'any', to: '10000' },
      { id: '21', name: 'In Progress', from: 'any', to: '10001' },
      { id: '31', name: 'Done', from: 'any', to: '10002' },
    ],
  };
}

export class FakeJiraStore {
  readonly projects = new Map<string, Project>();
  readonly issues = new Map<string, Issue>();
  readonly links: IssueLink[] = [];
  readonly users: JiraUser[] = [];
  private seq = 10000;

  constructor(private readonly now: () => Date) {}

  nextId(): string {
    return String(++this.seq);
  }

  addProject(key: string, types: { name: string; workflow?: Workflow; extraFields?: FieldMeta[] }[]): Project {
    const project: Project = { id: this.nextId(), key, issueTypes: [] };
    for (const t of types) project.issueTypes.push({ id: this.nextId(), name: t.name, fields: [...stockFields(), ...(t.extraFields ?? [])], workflow: t.workflow ?? simpleWorkflow() });
    this.projects.set(key, project);
    return project;
  }

  issue(keyOrId: string): Issue {
    const issue = this.issues.get(keyOrId) ?? [...this.issues.values()].find((i) => i.id === keyOrId);
    if (!issue) throw new JiraRefusal(404, ['Issue does not exist or you do not have permission to see it.']);
    return issue;
  }

  user(accountIdOrName: string): JiraUser | undefined {
    return this.users.find((u) => u.accountId === accountIdOrName || u.name === accountIdOrName);
  }

  /** Creates an issue as Jira would: project and type resolved, every required field present, nothing off the screen. */
  create(fields: Record<string, unknown>, flavor: Flavor, author: JiraUser): Issue {
    const projectRef = fields.project as { key?: string; id?: string } | undefined;
    const project = [...this.projects.values()].find((p) => p.key === projectRef?.key || p.id === projectRef?.id);
    if (!project) throw new JiraRefusal(400, [], { project: 'valid project is required' });
    const typeRef = fields.issuetype as { id?: string; name?: string } | undefined;
    const type = project.issueTypes.find((t) => t.id === typeRef?.id || t.name === typeRef?.name);
    if (!type) throw new JiraRefusal(400, [], { issuetype: 'valid issue type is required' });
    const errors: Record<string, string> = {};
    for (const f of type.fields) {
      const v = fields[f.fieldId];
      if (f.required && (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0))) errors[f.fieldId] = `${f.name} is required.`;
    }
    for (const [id, v] of Object.entries(fields)) {
      const meta = type.fields.find((f) => f.fieldId === id);
      if (!meta) errors[id] = `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;
      else Object.assign(errors, this.checkValue(meta, v, flavor));
    }
    if (Object.keys(errors).length) throw new JiraRefusal(400, [], errors);
    const at = this.now().toISOString();
    const id = this.nextId();
    const n = [...this.issues.values()].filter((i) => i.project === project).length + 1;
    const issue: Issue = { id, key: `${project.key}-${n}`, project, issueType: type, status: type.workflow.statuses.find((s) => s.id === type.workflow.initial)!, fields: { ...fields, reporter: author }, comments: [], remoteLinks: [], attachments: [], created: at, updated: at };
    this.setUser(issue, fields.assignee);
    this.issues.set(issue.key, issue);
    return issue;
  }

  /** Edits fields of an issue (PUT /issue): only those on the screen. */
  edit(issue: Issue, fields: Record<string, unknown>, flavor: Flavor): void {
    const errors: Record<string, string> = {};
    for (const [id, v] of Object.entries(fields)) {
      const meta = issue.issueType.fields.find((f) => f.fieldId === id);
      if (!meta || id === 'project' || id === 'issuetype') errors[id] = `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;
      else Object.assign(errors, this.checkValue(meta, v, flavor));
    }
    if (Object.keys(errors).length) throw new JiraRefusal(400, [], errors);
    Object.assign(issue.fields, fields);
    this.setUser(issue, fields.assignee);
    issue.updated = this.now().toISOString();
  }

  /** Transitions valid from the issue's current status. */
  transitionsOf(issue: Issue): Transition[] {
    return issue.issueType.workflow.transitions.filter((t) => (t.from === 'any' || t.from.includes(issue.status.id)) && t.to !== issue.status.id);
  }

  transition(issue: Issue, transitionId: string, fields: Record<string, unknown>): void {
    const t = this.transitionsOf(issue).find((x) => x.id === transitionId);
    if (!t) throw new JiraRefusal(400, [`Transition id '${transitionId}' is not valid for this issue.`]);
    const errors: Record<string, string> = {};
    for (const f of t.requires ?? []) if (fields[f] === undefined || fields[f] === null) errors[f] = `${f === 'resolution' ? 'Resolution' : f} is required.`;
    for (const f of Object.keys(fields)) if (!(t.requires ?? []).includes(f)) errors[f] = `Field '${f}' cannot be set. It is not on the appropriate screen, or unknown.`;
    const resolution = fields.resolution as { name?: string; id?: string } | undefined;
    if (resolution && !RESOLUTIONS.some((r) => r.name === resolution.name || r.id === resolution.id)) errors.resolution = `Resolution '${resolution.name ?? resolution.id}' is not valid.`;
    if (Object.keys(errors).length) throw new JiraRefusal(400, [], errors);
    this.moveTo(issue, t.to, resolution);
  }

  moveTo(issue: Issue, statusId: string, resolution?: { name?: string; id?: string }): void {
    issue.status = issue.issueType.workflow.statuses.find((s) => s.id === statusId)!;
    issue.fields.resolution = issue.status.category === 'done' ? RESOLUTIONS.find((r) => r.name === resolution?.name || r.id === resolution?.id) ?? null : null;
    issue.updated = this.now().toISOString();
  }

  private setUser(issue: Issue, value: unknown): void {
    if (value === undefined) return;
    const ref = value as { accountId?: string; name?: string } | null;
    issue.fields.assignee = ref ? this.user(ref.accountId ?? ref.name ?? '') ?? null : null;
  }

  private checkValue(meta: FieldMeta, v: unknown, flavor: Flavor): Record<string, string> {
    const id = meta.fieldId;
    if (id === 'description' && v !== null) {
      if (flavor === 'cloud' && !(typeof v === 'object' && (v as { type?: string }).type === 'doc' && (v as { version?: number }).version === 1 && Array.isArray((v as { content?: unknown }).content))) return { description: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)' };
      if (flavor === 'datacenter' && typeof v !== 'string') return { description: 'Operation value must be a string' };
    }
    if ((id === 'summary' && (typeof v !== 'string' || v.length > 255)) || (id === 'summary' && /[\r\n]/.test(v as string))) return { summary: 'Summary must be less than 255 characters and on one line.' };
    if (meta.allowedValues && v !== null) {
      const ref = v as { id?: string; name?: string; value?: string };
      if (!meta.allowedValues.some((a) => (ref.id && a.id === ref.id) || (ref.name && a.name === ref.name) || (ref.value && a.value === ref.value))) return { [id]: `Specify a valid value for ${meta.name}` };
    }
    if (id === 'labels' && (!Array.isArray(v) || v.some((l) => typeof l !== 'string' || /\s/.test(l)))) return { labels: 'Labels cannot contain spaces.' };
    if (id === 'duedate' && v !== null && !/^\d{4}-\d{2}-\d{2}$/.test(String(v))) return { duedate: "Error parsing date string: " + String(v) };
    if (meta.schema.type === 'user' && v !== null) {
      const ref = v as { accountId?: string; name?: string };
      const key = flavor === 'cloud' ? ref.accountId : ref.name;
      if (!key || !this.user(key)) return { [id]: flavor === 'cloud' ? 'Specify a valid accountId.' : `User '${ref.name}' does not exist.` };
    }
    return {};
  }
}
