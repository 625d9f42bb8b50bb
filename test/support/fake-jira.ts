/**
 * A strict fake Jira for tests: an HTTP server on 127.0.0.1 speaking the REST API as Atlassian's
 * reference describes it, in two flavours: Cloud (`/rest/api/3`, basic auth with e-mail + API token,
 * descriptions and comments in Atlassian Document Format, users by `accountId`, search by
 * `/search/jql` with `nextPageToken`) and Data Center (`/rest/api/2`, bearer personal access token,
 * wiki-markup strings, users by `name`, search with `startAt`/`total`). Refusals carry
 * `{ errorMessages, errors }`; 401 without valid credentials, 403 for a permission taken away, 404 for
 * unknown issues, 429 with `Retry-After` and 5xx on demand. It records every call and lets a test act
 * as another Jira user, building the webhook payload Jira would send for that change.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { FakeJiraStore, JiraRefusal, RESOLUTIONS, twoStepWorkflow, type FieldMeta, type Flavor, type Issue, type JiraUser, type Workflow } from './fake-jira-store.js';
import { listenOnLoopback } from './loopback-server.js';
import { StoredFaults } from './stored-faults.js';

export { simpleWorkflow, twoStepWorkflow, type Issue, type JiraUser } from './fake-jira-store.js';

/** `status`: what the caller got, 0 when the connection was dropped; `stored`: done although the caller got a failure or nothing (failAfterStoring). */
export interface RecordedJiraCall { method: string; path: string; query: Record<string, string>; body: unknown; status: number; user: string | null; stored?: boolean }
interface Fault { status: number; retryAfterSeconds?: number; remaining: number }


export const JIRA_PERMISSIONS = ['BROWSE_PROJECTS', 'CREATE_ISSUES', 'EDIT_ISSUES', 'TRANSITION_ISSUES', 'ADD_COMMENTS', 'LINK_ISSUES', 'CREATE_ATTACHMENTS', 'ASSIGN_ISSUES', 'SCHEDULE_ISSUES'] as const;
type Permission = (typeof JIRA_PERMISSIONS)[number];

const send = (res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

/** The text of an ADF document (paragraphs, text, links), for assertions. */
export function adfText(doc: unknown): string {
  if (typeof doc === 'string') return doc;
  const walk = (n: { type?: string; text?: string; content?: unknown[] }): string => (n.type === 'text' ? n.text ?? '' : (n.content ?? []).map((c) => walk(c as never)).join(n.type === 'doc' ? '\n' : ''));
  return walk(doc as never);
}

export class FakeJira {
  readonly store: FakeJiraStore;
  readonly calls: RecordedJiraCall[] = [];
  readonly bot: JiraUser;
  readonly apiToken = `tok-${randomBytes(8).toString('hex')}`;
  readonly pat = `pat-${randomBytes(12).toString('hex')}`;
  url = '';
  /** Permissions the bot's account holds (all by default). */
  readonly granted = new Set<Permission>(JIRA_PERMISSIONS);
  private listening!: Awaited<ReturnType<typeof listenOnLoopback>>;
  private readonly faults: Fault[] = [];
  private readonly storedFaults = new StoredFaults<RecordedJiraCall>();
  /** The most comments Jira answers in one page, whatever maxResults asks for (Cloud's cap is 100). */
  commentPageLimit = 100;

  constructor(readonly flavor: Flavor, private readonly now: () => Date = () => new Date()) {
    this.store = new FakeJiraStore(now);
    this.bot = this.addUser({ displayName: 'Incident Officer', emailAddress: 'incident.officer@example.com' });
  }

  get api(): string {
    return this.flavor === 'cloud' ? '/rest/api/3' : '/rest/api/2';
  }

  async start(): Promise<this> {
    this.listening = await listenOnLoopback((req, res) => void this.handle(req, res));
    this.url = `${this.listening.origin}`;
    return this;
  }

  close(): Promise<void> {
    return this.listening.close();
  }

  // ---- helpers for tests ----

  addUser(u: { displayName: string; emailAddress: string }): JiraUser {
    const user: JiraUser = { accountId: `5b10${randomBytes(10).toString('hex')}`, name: u.emailAddress.split('@')[0], active: true, ...u };
    this.store.users.push(user);
    return user;
  }
  addProject(key: string, types: { name: string; workflow?: Workflow; extraFields?: FieldMeta[] }[]) {
    return this.store.addProject(key, types);
  }
  issues(): Issue[] {
    return [...this.store.issues.values()];
  }
  issue(key: string): Issue {
    return this.store.issue(key);
  }
  /** The next `times` API calls answer 429 with `Retry-After`. */
  rateLimit(times: number, retryAfterSeconds: number): void {
    this.faults.push({ status: 429, retryAfterSeconds, remaining: times });
  }
  /** The next `times` API calls answer `status` (500, 502, 503…), with `Retry-After` when given. */
  failNext(times: number, status: number, retryAfterSeconds?: number): void {
    this.faults.push({ status, retryAfterSeconds, remaining: times });
  }
  /**
   * The next `times` writes (POST, PUT; only those `only` accepts, when given) are done,
   * and then answered `answer` (500, 502…) or not at all (`'drop'`: the connection is closed before
   * the answer), as when Jira commits and a node or the network fails afterwards.
   */
  failAfterStoring(times: number, answer: number | 'drop', only?: (call: RecordedJiraCall) => boolean): void {
    this.storedFaults.add(times, answer, only);
  }
  recover(): void {
    this.faults.length = 0;
    this.storedFaults.clear();
  }
  apiCalls(): RecordedJiraCall[] {
    return this.calls.filter((c) => c.path.startsWith('/rest/'));
  }

  /** A user's reference as this flavour's API and webhooks carry it. */
  userJson(u: JiraUser): Record<string, unknown> {
    return this.flavor === 'cloud' ? { accountId: u.accountId, displayName: u.displayName, active: u.active, accountType: 'atlassian' } : { name: u.name, key: `JIRAUSER${u.accountId.slice(-5)}`, displayName: u.displayName, emailAddress: u.emailAddress, active: u.active };
  }

  issueJson(issue: Issue): Record<string, unknown> {
    const f = issue.fields;
    const type = issue.issueType;
    return {
      id: issue.id,
      key: issue.key,
      self: `${this.url}${this.api}/issue/${issue.id}`,
      fields: {
        ...f,
        summary: f.summary,
        project: { id: issue.project.id, key: issue.project.key },
        issuetype: { id: type.id, name: type.name },
        status: { id: issue.status.id, name: issue.status.name, statusCategory: { key: issue.status.category, name: { new: 'To Do', indeterminate: 'In Progress', done: 'Done' }[issue.status.category] } },
        assignee: f.assignee ? this.userJson(f.assignee as JiraUser) : null,
        reporter: f.reporter ? this.userJson(f.reporter as JiraUser) : null,
        resolution: f.resolution ?? null,
        issuelinks: this.store.links
          .filter((l) => l.inward === issue.key || l.outward === issue.key)
          .map((l) => ({ id: l.id, type: { name: l.type, inward: 'relates to', outward: 'relates to' }, ...(l.inward === issue.key ? { outwardIssue: { key: l.outward } } : { inwardIssue: { key: l.inward } }) })),
        labels: f.labels ?? [],
        created: issue.created,
        updated: issue.updated,
      },
    };
  }

  /** Someone moves an issue in the UI to the status named; answers the `jira:issue_updated` webhook body. */
  moveAs(user: JiraUser, key: string, statusName: string): Record<string, unknown> {
    const issue = this.issue(key);
    const from = issue.status;
    const to = issue.issueType.workflow.statuses.find((s) => s.name === statusName)!;
    this.store.moveTo(issue, to.id, to.category === 'done' ? RESOLUTIONS[0] : undefined);
    return this.webhook('jira:issue_updated', user, issue, { changelog: { id: this.store.nextId(), items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: from.id, fromString: from.name, to: to.id, toString: to.name }] }, issue_event_type_name: 'issue_generic' });
  }

  /** Someone assigns an issue to another user; answers the webhook body. */
  assignAs(user: JiraUser, key: string, assignee: JiraUser): Record<string, unknown> {
    const issue = this.issue(key);
    const before = issue.fields.assignee as JiraUser | null;
    issue.fields.assignee = assignee;
    const ref = (u: JiraUser | null) => (u ? (this.flavor === 'cloud' ? u.accountId : u.name) : null);
    return this.webhook('jira:issue_updated', user, issue, { changelog: { id: this.store.nextId(), items: [{ field: 'assignee', fieldtype: 'jira', fieldId: 'assignee', from: ref(before), fromString: before?.displayName ?? null, to: ref(assignee), toString: assignee.displayName }] }, issue_event_type_name: 'issue_assigned' });
  }

  /** Someone comments in the UI; answers the `comment_created` webhook body. */
  commentAs(user: JiraUser, key: string, text: string): Record<string, unknown> {
    const issue = this.issue(key);
    const body = this.flavor === 'cloud' ? { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] } : text;
    const comment = { id: this.store.nextId(), author: user, body, created: this.now().toISOString() };
    issue.comments.push(comment);
    // Jira Cloud's webhooks carry comment bodies as wiki text, whatever the REST version.
    return this.webhook('comment_created', user, issue, { comment: { id: comment.id, author: this.userJson(user), body: text, created: comment.created } });
  }

  private webhook(event: string, user: JiraUser, issue: Issue, extra: Record<string, unknown>): Record<string, unknown> {
    return { timestamp: this.now().getTime(), webhookEvent: event, user: this.userJson(user), issue: this.issueJson(issue), ...extra };
  }

  // ---- HTTP ----

  private authenticate(req: http.IncomingMessage): JiraUser | null {
    const auth = req.headers.authorization ?? '';
    if (this.flavor === 'cloud') {
      const m = /^Basic (.+)$/.exec(auth);
      if (!m) return null;
      const [email, token] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
      return email === this.bot.emailAddress && token === this.apiToken ? this.bot : null;
    }
    return auth === `Bearer ${this.pat}` ? this.bot : null;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const call: RecordedJiraCall = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body: null, status: 0, user: null };
    this.calls.push(call);
    const answer = (status: number, body?: unknown, headers?: Record<string, string>) => {
      if (this.storedFaults.lose(call, status, res, (s) => send(res, s, { errorMessages: ['Internal server error'], errors: {} }))) return;
      call.status = status;
      send(res, status, body, headers);
    };
    try {
      const user = this.authenticate(req);
      if (!user) return answer(401, { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} });
      call.user = user.accountId;
      const fault = this.faults.find((f) => f.remaining > 0);
      if (fault) {
        fault.remaining--;
        return answer(fault.status, { errorMessages: [fault.status === 429 ? 'Rate limit exceeded.' : 'Internal server error'], errors: {} }, fault.retryAfterSeconds ? { 'retry-after': String(fault.retryAfterSeconds) } : {});
      }
      if (!url.pathname.startsWith(`${this.api}/`)) return answer(404, { errorMessages: ['null for uri: ' + url.pathname], errors: {} });
      const path = url.pathname.slice(this.api.length);
      const ctype = req.headers['content-type'] ?? '';
      if (raw.length && /json/.test(ctype)) {
        try {
          call.body = JSON.parse(raw.toString('utf8'));
        } catch {
          return answer(400, { errorMessages: ['Unexpected character in the request body.'], errors: {} });
        }
      }
      const out = await this.route(call.method, path, url.searchParams, call.body as Record<string, unknown>, { raw, ctype, xsrf: req.headers['x-atlassian-token'] }, user);
      answer(out.status, out.body);
    } catch (e) {
      if (e instanceof JiraRefusal) return answer(e.status, { errorMessages: e.errorMessages, errors: e.errors });
      answer(500, { errorMessages: [String(e)], errors: {} });
    }
  }

  private need(p: Permission): void {
    if (!this.granted.has(p)) throw new JiraRefusal(403, [`You do not have the permission ${p} in this project.`]);
  }

  private async route(method: string, path: string, q: URLSearchParams, body: Record<string, unknown>, upload: { raw: Buffer; ctype: string; xsrf: unknown }, user: JiraUser): Promise<{ status: number; body?: unknown }> {
    const store = this.store;
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/myself') return { status: 200, body: { ...this.userJson(user), emailAddress: user.emailAddress } };
    if (method === 'GET' && path === '/mypermissions') {
      const keys = (q.get('permissions') ?? '').split(',').filter(Boolean);
      if (!keys.length) throw new JiraRefusal(400, ['The permissions query parameter is required.']);
      return { status: 200, body: { permissions: Object.fromEntries(keys.map((k) => [k, { key: k, havePermission: this.granted.has(k as Permission) }])) } };
    }
    if (method === 'GET' && (m = /^\/issue\/createmeta\/([^/]+)\/issuetypes(?:\/([^/]+))?$/.exec(path))) {
      const project = [...store.projects.values()].find((p) => p.key === m![1] || p.id === m![1]);
      if (!project || !this.granted.has('CREATE_ISSUES')) throw new JiraRefusal(404, ['Issue Does Not Exist']);
      const startAt = Number(q.get('startAt') ?? 0);
      const maxResults = Math.min(Number(q.get('maxResults') ?? 50), 50);
      const list: unknown[] = m[2] ? (project.issueTypes.find((t) => t.id === m![2])?.fields ?? null)! : project.issueTypes.map((t) => ({ id: t.id, name: t.name, subtask: false }));
      if (!list) throw new JiraRefusal(404, ['Issue type not found']);
      const page = list.slice(startAt, startAt + maxResults).map((f) => (m![2] ? { ...(f as FieldMeta), key: (f as FieldMeta).fieldId, hasDefaultValue: false, operations: ['set'] } : f));
      const key = m[2] ? 'fields' : 'issueTypes';
      return { status: 200, body: this.flavor === 'cloud' ? { [key]: page, startAt, maxResults, total: list.length } : { values: page, startAt, maxResults, total: list.length, isLast: startAt + maxResults >= list.length } };
    }
    if (method === 'POST' && path === '/issue') {
      this.need('CREATE_ISSUES');
      const issue = store.create((body?.fields ?? {}) as Record<string, unknown>, this.flavor, user);
      return { status: 201, body: { id: issue.id, key: issue.key, self: `${this.url}${this.api}/issue/${issue.id}` } };
    }
    if ((m = /^\/issue\/([^/]+)$/.exec(path))) {
      const issue = store.issue(m[1]);
      if (method === 'GET') return { status: 200, body: this.issueJson(issue) };
      if (method === 'PUT') {
        this.need('EDIT_ISSUES');
        store.edit(issue, (body?.fields ?? {}) as Record<string, unknown>, this.flavor);
        return { status: 204 };
      }
    }
    if ((m = /^\/issue\/([^/]+)\/transitions$/.exec(path))) {
      const issue = store.issue(m[1]);
      if (method === 'GET') {
        const expand = (q.get('expand') ?? '').includes('transitions.fields');
        const transitions = store.transitionsOf(issue).map((t) => {
          const to = issue.issueType.workflow.statuses.find((s) => s.id === t.to)!;
          const fields = expand ? Object.fromEntries((t.requires ?? []).map((f) => [f, { required: true, name: 'Resolution', key: f, schema: { type: 'resolution', system: f }, allowedValues: RESOLUTIONS, operations: ['set'] }])) : undefined;
          return { id: t.id, name: t.name, to: { id: to.id, name: to.name, statusCategory: { key: to.category } }, hasScreen: (t.requires ?? []).length > 0, ...(fields ? { fields } : {}) };
        });
        return { status: 200, body: { expand: 'transitions', transitions } };
      }
      if (method === 'POST') {
        this.need('TRANSITION_ISSUES');
        const id = (body?.transition as { id?: string } | undefined)?.id;
        if (!id) throw new JiraRefusal(400, ['Missing transition id.']);
        store.transition(issue, String(id), (body?.fields ?? {}) as Record<string, unknown>);
        return { status: 204 };
      }
    }
    if ((m = /^\/issue\/([^/]+)\/comment$/.exec(path))) {
      const issue = store.issue(m[1]);
      if (method === 'GET') return { status: 200, body: this.commentPage(issue, q) };
      if (method === 'POST') {
        this.need('ADD_COMMENTS');
        const b = body?.body;
        if (this.flavor === 'cloud' ? !(b && typeof b === 'object' && (b as { type?: string }).type === 'doc') : typeof b !== 'string' || !b.trim()) throw new JiraRefusal(400, [], { comment: this.flavor === 'cloud' ? 'Comment body is not valid!' : 'Comment body can not be empty!' });
        const comment = { id: store.nextId(), author: user, body: b, created: this.now().toISOString() };
        issue.comments.push(comment);
        return { status: 201, body: { id: comment.id, author: this.userJson(user), body: b, created: comment.created } };
      }
    }
    if ((m = /^\/issue\/([^/]+)\/remotelink$/.exec(path))) {
      const issue = store.issue(m[1]);
      if (method === 'GET') return { status: 200, body: issue.remoteLinks.map((l) => ({ id: l.id, globalId: l.globalId, object: l.object })) };
      if (method === 'POST') {
        this.need('LINK_ISSUES');
        const object = body?.object as { url?: string; title?: string } | undefined;
        if (!object?.url || !object.title) throw new JiraRefusal(400, [], { object: 'object.url and object.title are required.' });
        const globalId = typeof body.globalId === 'string' ? body.globalId : undefined;
        const existing = globalId ? issue.remoteLinks.find((l) => l.globalId === globalId) : undefined;
        if (existing) {
          existing.object = { url: object.url, title: object.title };
          return { status: 200, body: { id: existing.id, self: `${this.url}${this.api}/issue/${issue.key}/remotelink/${existing.id}` } };
        }
        const link = { id: Number(store.nextId()), globalId, object: { url: object.url, title: object.title } };
        issue.remoteLinks.push(link);
        return { status: 201, body: { id: link.id, self: `${this.url}${this.api}/issue/${issue.key}/remotelink/${link.id}` } };
      }
    }
    if (method === 'POST' && path === '/issueLink') {
      this.need('LINK_ISSUES');
      const type = (body?.type as { name?: string } | undefined)?.name;
      if (type !== 'Relates' && type !== 'Blocks' && type !== 'Duplicate') throw new JiraRefusal(404, [`No issue link type with name '${type}' found.`]);
      const inward = store.issue((body.inwardIssue as { key?: string })?.key ?? '');
      const outward = store.issue((body.outwardIssue as { key?: string })?.key ?? '');
      store.links.push({ id: store.nextId(), type, inward: inward.key, outward: outward.key });
      return { status: 201 };
    }
    if (method === 'POST' && (m = /^\/issue\/([^/]+)\/attachments$/.exec(path))) {
      if (upload.xsrf !== 'no-check') throw new JiraRefusal(403, ['XSRF check failed']);
      this.need('CREATE_ATTACHMENTS');
      const issue = store.issue(m[1]);
      if (!/^multipart\/form-data/.test(upload.ctype)) throw new JiraRefusal(415, ['Unsupported Media Type']);
      const form = await new Request('http://x/', { method: 'POST', body: upload.raw, headers: { 'content-type': upload.ctype } }).formData();
      const files = form.getAll('file').filter((f): f is File => typeof f !== 'string');
      if (!files.length) throw new JiraRefusal(400, ['No file was attached under the part name "file".']);
      const out = [];
      for (const file of files) {
        const a = { id: store.nextId(), filename: file.name, mimeType: file.type || 'application/octet-stream', size: file.size, bytes: Buffer.from(await file.arrayBuffer()) };
        issue.attachments.push(a);
        out.push({ id: a.id, filename: a.filename, mimeType: a.mimeType, size: a.size, author: this.userJson(user) });
      }
      return { status: 200, body: out };
    }
    if (method === 'GET' && path === '/user') {
      const id = this.flavor === 'cloud' ? q.get('accountId') : q.get('username');
      const found = id ? store.user(id) : undefined;
      if (!found) throw new JiraRefusal(404, [`The user with account ID '${id}' does not exist`]);
      // Cloud shows an e-mail address only where the person's profile visibility allows it; these test users allow it.
      return { status: 200, body: { ...this.userJson(found), emailAddress: found.emailAddress } };
    }
    if (method === 'GET' && path === '/user/search') {
      const query = (this.flavor === 'cloud' ? q.get('query') : q.get('username'))?.toLowerCase();
      if (!query) throw new JiraRefusal(400, [this.flavor === 'cloud' ? 'The query parameter is required.' : 'The username query parameter was not provided']);
      return { status: 200, body: store.users.filter((u) => u.active && (u.emailAddress.toLowerCase() === query || u.displayName.toLowerCase().startsWith(query))).map((u) => this.userJson(u)) };
    }
    if (method === 'GET' && (path === '/search/jql' ? this.flavor === 'cloud' : path === '/search' && this.flavor === 'datacenter')) return { status: 200, body: this.search(q) };
    throw new JiraRefusal(404, [`null for uri: ${this.url}${this.api}${path}`]);
  }

  /** A page of an issue's comments: `startAt`, `maxResults` (at most commentPageLimit), `orderBy` created, -created or +created. */
  private commentPage(issue: Issue, q: URLSearchParams): unknown {
    const startAt = Number(q.get('startAt') ?? 0);
    const asked = Number(q.get('maxResults') ?? this.commentPageLimit);
    if (!Number.isInteger(startAt) || startAt < 0 || !Number.isInteger(asked) || asked < 0) throw new JiraRefusal(400, ['startAt and maxResults must be non-negative integers.']);
    const orderBy = q.get('orderBy') ?? 'created';
    if (!['created', '-created', '+created'].includes(orderBy)) throw new JiraRefusal(400, [`Invalid orderBy: ${orderBy}`]);
    // Comments in the order added (ids grow), which is created order even within one millisecond.
    const ordered = orderBy === '-created' ? [...issue.comments].reverse() : issue.comments;
    const maxResults = Math.min(asked, this.commentPageLimit);
    const page = ordered.slice(startAt, startAt + maxResults);
    return { startAt, maxResults, total: ordered.length, comments: page.map((c) => ({ id: c.id, author: this.userJson(c.author), body: c.body, created: c.created })) };
  }

  /** JQL subset: `field = "v"` / `field in ("a","b")` clauses joined by AND (project, labels, key, issuetype), `ORDER BY created`. */
  private search(q: URLSearchParams): unknown {
    const jql = q.get('jql') ?? '';
    const [where] = jql.split(/\s+ORDER\s+BY\s+/i);
    const clauses = where.split(/\s+AND\s+/i).filter((c) => c.trim());
    const unquote = (v: string) => v.trim().replace(/^"(.*)"$/, '$1').replace(/\\"/g, '"');
    const tests = clauses.map((c) => {
      const m = /^\s*(\w+)\s*(=|in)\s*(.+?)\s*$/i.exec(c);
      if (!m) throw new JiraRefusal(400, [`Error in the JQL Query: '${c}'`]);
      const values = m[2].toLowerCase() === 'in' ? m[3].replace(/^\(|\)$/g, '').split(',').map(unquote) : [unquote(m[3])];
      const field = m[1].toLowerCase();
      if (!['project', 'labels', 'key', 'issuetype'].includes(field)) throw new JiraRefusal(400, [`Field '${m[1]}' does not exist or you do not have permission to view it.`]);
      return (i: Issue) => (field === 'project' ? values.includes(i.project.key) : field === 'key' ? values.includes(i.key) : field === 'issuetype' ? values.includes(i.issueType.name) : values.some((v) => ((i.fields.labels as string[]) ?? []).includes(v)));
    });
    const matched = this.issues().filter((i) => tests.every((t) => t(i)));
    const maxResults = Math.min(Number(q.get('maxResults') ?? 50), 100);
    if (this.flavor === 'cloud') {
      const start = Number(q.get('nextPageToken') ? Buffer.from(q.get('nextPageToken')!, 'base64url').toString() : 0);
      const page = matched.slice(start, start + maxResults);
      const next = start + maxResults < matched.length ? Buffer.from(String(start + maxResults)).toString('base64url') : undefined;
      return { issues: page.map((i) => this.issueJson(i)), ...(next ? { nextPageToken: next } : {}), isLast: !next };
    }
    const startAt = Number(q.get('startAt') ?? 0);
    return { startAt, maxResults, total: matched.length, issues: matched.slice(startAt, startAt + maxResults).map((i) => this.issueJson(i)) };
  }
}

/** A fake Jira with project OPS (Incident on a two-step workflow, Task on the simplified one), started. */
export async function startFakeJira(flavor: Flavor, opts: { incidentFields?: FieldMeta[] } = {}): Promise<FakeJira> {
  const jira = new FakeJira(flavor);
  jira.addProject('OPS', [{ name: 'Incident', workflow: twoStepWorkflow(), extraFields: opts.incidentFields }, { name: 'Task' }]);
  return jira.start();
}
