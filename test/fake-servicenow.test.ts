import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServiceNow, type FakeServiceNow } from './support/fake-servicenow.js';

// The fake checked against ServiceNow's published REST behaviour, with raw HTTP, so that the connector
// is tested against a service as strict as the real one.
let sn: FakeServiceNow;
let tick = Date.parse('2026-03-02T10:00:00Z');
beforeAll(async () => {
  sn = await startFakeServiceNow({ now: () => new Date(tick) });
});
afterAll(() => sn.close());

const basic = () => `Basic ${Buffer.from(`${sn.integrationUser.userName}:${sn.integrationUser.password}`).toString('base64')}`;
async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sn.url}${path}`, {
    method,
    headers: { authorization: basic(), accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
const createIncident = async (fields: Record<string, unknown>) => (await api('POST', '/api/now/table/incident', fields)).body.result;

describe('the Table API', () => {
  it('creates records in a result envelope with a 32-hex sys_id, a number and sys fields', async () => {
    const res = await api('POST', '/api/now/table/incident', { short_description: 'Checkout down', impact: '1', urgency: '2', nonsense_field: 'x' });
    expect(res.status).toBe(201);
    const r = res.body.result;
    expect(r.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(r.number).toMatch(/^INC\d{7}$/);
    expect(r).toMatchObject({ short_description: 'Checkout down', state: '1', priority: '2', sys_updated_by: 'incident.officer', sys_updated_on: '2026-03-02 10:00:00' });
    expect(r).not.toHaveProperty('nonsense_field');
    const problem = (await api('POST', '/api/now/table/problem', { short_description: 'p' })).body.result;
    expect(problem.number).toMatch(/^PRB\d{7}$/);
    const task = (await api('POST', '/api/now/table/incident_task', { short_description: 't', incident: r.sys_id })).body.result;
    expect(task.number).toMatch(/^TASK\d{7}$/);
    expect((await api('GET', `/api/now/table/incident/${r.sys_id}`)).body.result.number).toBe(r.number);
  });

  it('computes priority from impact × urgency with the stock lookup, whatever priority is sent', async () => {
    const expected: Record<string, string> = { '11': '1', '12': '2', '13': '3', '21': '2', '22': '3', '23': '4', '31': '3', '32': '4', '33': '5' };
    for (const [iu, p] of Object.entries(expected)) {
      const r = await createIncident({ short_description: 'x', impact: iu[0], urgency: iu[1], priority: '1' });
      expect(r.priority, iu).toBe(p);
    }
  });

  it('refuses to resolve without close_code and close_notes with the data policy message', async () => {
    const r = await createIncident({ short_description: 'to resolve' });
    const refused = await api('PATCH', `/api/now/table/incident/${r.sys_id}`, { state: '6', close_notes: 'fixed' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { message: 'Operation Failed', detail: expect.stringContaining('mandatory: Resolution code') }, status: 'failure' });
    expect(sn.record('incident', r.sys_id)!.state).toBe('1');
    const ok = await api('PUT', `/api/now/table/incident/${r.sys_id}`, { state: '6', close_code: 'Solution provided', close_notes: 'fixed' });
    expect(ok.status).toBe(200);
    expect(ok.body.result).toMatchObject({ state: '6', close_code: 'Solution provided' });
    expect(ok.body.result.resolved_at).not.toBe('');
  });

  it('appends journal entries for work_notes and comments, readable on sys_journal_field', async () => {
    const r = await createIncident({ short_description: 'j', work_notes: 'first note' });
    tick += 1000;
    const upd = await api('PATCH', `/api/now/table/incident/${r.sys_id}`, { comments: 'customer visible' });
    expect(upd.body.result.work_notes).toBe('');
    expect(upd.body.result.sys_updated_on).toBe('2026-03-02 10:00:01');
    sn.addUser({ user_name: 'beth.agent', name: 'Beth Agent', email: 'beth@example.com' });
    tick += 1000;
    sn.as('beth.agent').update('incident', r.sys_id, { work_notes: 'from the desk' });
    const q = encodeURIComponent(`element_id=${r.sys_id}^ORDERBYsys_created_on`);
    const rows = (await api('GET', `/api/now/table/sys_journal_field?sysparm_query=${q}&sysparm_fields=element,value,sys_created_by,sys_created_on`)).body.result;
    expect(rows).toEqual([
      { element: 'work_notes', value: 'first note', sys_created_by: 'incident.officer', sys_created_on: '2026-03-02 10:00:00' },
      { element: 'comments', value: 'customer visible', sys_created_by: 'incident.officer', sys_created_on: '2026-03-02 10:00:01' },
      { element: 'work_notes', value: 'from the desk', sys_created_by: 'beth.agent', sys_created_on: '2026-03-02 10:00:02' },
    ]);
    expect(sn.record('incident', r.sys_id)!.sys_updated_by).toBe('beth.agent');
  });

  it('answers encoded queries: comparisons, LIKE, STARTSWITH, ISEMPTY, ^OR, ORDERBYDESC and ^^ escapes', async () => {
    const tag = `q${Date.now()}`;
    const a = await createIncident({ short_description: `${tag} alpha`, impact: '1', urgency: '1', category: 'network' });
    const b = await createIncident({ short_description: `${tag} beta ^ caret`, impact: '2', urgency: '2' });
    const c = await createIncident({ short_description: `${tag} gamma`, impact: '3', urgency: '3', category: 'database' });
    const numbers = async (query: string) => (await api('GET', `/api/now/table/incident?sysparm_query=${encodeURIComponent(query)}&sysparm_fields=number`)).body.result.map((r: { number: string }) => r.number);
    expect(await numbers(`short_descriptionSTARTSWITH${tag}^priority<=3^ORDERBYpriority`)).toEqual([a.number, b.number]);
    expect(await numbers(`short_descriptionLIKE${tag}^priority>3`)).toEqual([c.number]);
    expect(await numbers(`short_descriptionLIKE${tag}^priority!=3^ORDERBYDESCpriority`)).toEqual([c.number, a.number]);
    expect(await numbers(`short_descriptionLIKE${tag}^categoryISEMPTY`)).toEqual([b.number]);
    expect(await numbers(`short_descriptionLIKE${tag}^category=network^ORcategory=database^ORDERBYnumber`)).toEqual([a.number, c.number]);
    expect(await numbers(`short_description=${tag} beta ^^ caret`)).toEqual([b.number]);
    expect(await numbers(`short_descriptionLIKE${tag}^priority>=5`)).toEqual([c.number]);
    expect(await numbers(`no_such_field=1`)).toEqual([]);
  });

  it('compares strings case-insensitively, as an instance does (an e-mail address in any case finds its user)', async () => {
    const eva = sn.addUser({ user_name: 'eva.case', name: 'Eva Case', email: 'eva.case@example.com' });
    const find = async (q: string) => (await api('GET', `/api/now/table/sys_user?sysparm_fields=sys_id&sysparm_query=${encodeURIComponent(q)}`)).body.result.map((u: { sys_id: string }) => u.sys_id);
    expect(await find('email=Eva.Case@Example.COM^active=true')).toEqual([eva.sys_id]);
    expect(await find('emailINnobody@example.com,EVA.CASE@EXAMPLE.COM')).toEqual([eva.sys_id]);
    expect(await find('user_name=eva.case^email!=EVA.CASE@example.com')).toEqual([]);
  });

  it('keeps each table\'s own state model: task states for tasks, problem and change states for those', async () => {
    const label = async (table: string, sysId: string) => (await api('GET', `/api/now/table/${table}/${sysId}?sysparm_fields=state,active&sysparm_display_value=all`)).body.result;
    const inc = await createIncident({ short_description: 'parent' });
    const task = (await api('POST', '/api/now/table/incident_task', { short_description: 't', incident: inc.sys_id })).body.result;
    expect(task).toMatchObject({ state: '1', active: 'true' });
    expect((await api('PATCH', `/api/now/table/incident_task/${task.sys_id}`, { state: '3' })).body.result).toMatchObject({ state: '3', active: 'false', closed_at: sn.stamp() });
    expect(await label('incident_task', task.sys_id)).toEqual({ state: { display_value: 'Closed Complete', value: '3' }, active: { display_value: 'false', value: 'false' } });

    // Problems (the Madrid state model): 101 New … 107 Closed; 3 means nothing there.
    const problem = (await api('POST', '/api/now/table/problem', { short_description: 'p' })).body.result;
    expect(problem).toMatchObject({ state: '101', active: 'true' });
    expect(await label('problem', problem.sys_id)).toMatchObject({ state: { display_value: 'New', value: '101' } });
    expect((await api('PATCH', `/api/now/table/problem/${problem.sys_id}`, { state: '3' })).body.result).toMatchObject({ active: 'true', closed_at: '' });
    expect((await api('PATCH', `/api/now/table/problem/${problem.sys_id}`, { state: '107' })).body.result).toMatchObject({ state: '107', active: 'false' });
    expect(await label('problem', problem.sys_id)).toMatchObject({ state: { display_value: 'Closed', value: '107' } });

    // Change requests: -5 New … 3 Closed, 4 Canceled.
    const change = (await api('POST', '/api/now/table/change_request', { short_description: 'c' })).body.result;
    expect(change).toMatchObject({ state: '-5', active: 'true' });
    expect(await label('change_request', change.sys_id)).toMatchObject({ state: { display_value: 'New', value: '-5' } });
    expect((await api('PATCH', `/api/now/table/change_request/${change.sys_id}`, { state: '-1' })).body.result).toMatchObject({ active: 'true' });
    expect(await label('change_request', change.sys_id)).toMatchObject({ state: { display_value: 'Implement', value: '-1' } });
    expect((await api('PATCH', `/api/now/table/change_request/${change.sys_id}`, { state: '4' })).body.result).toMatchObject({ state: '4', active: 'false' });
  });

  it('pages with sysparm_limit/offset, Link rel="next" and X-Total-Count', async () => {
    const tag = `page${Date.now()}`;
    for (let i = 0; i < 5; i++) await createIncident({ short_description: `${tag} ${i}` });
    const first = await api('GET', `/api/now/table/incident?sysparm_query=${encodeURIComponent(`short_descriptionSTARTSWITH${tag}^ORDERBYnumber`)}&sysparm_limit=2`);
    expect(first.headers.get('x-total-count')).toBe('5');
    expect(first.body.result).toHaveLength(2);
    const next = /<([^>]+)>;rel="next"/.exec(first.headers.get('link')!)![1];
    expect(new URL(next).searchParams.get('sysparm_offset')).toBe('2');
    const last = await api('GET', `${new URL(next).pathname}${new URL(next).search}`.replace('sysparm_offset=2', 'sysparm_offset=4'));
    expect(last.body.result).toHaveLength(1);
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });

  it('renders reference and choice fields per sysparm_display_value and sysparm_exclude_reference_link', async () => {
    const caller = sn.addUser({ user_name: 'ann.caller', name: 'Ann Caller', email: 'ann@example.com' });
    const r = await createIncident({ short_description: 'refs', caller_id: caller.sys_id, state: '2' });
    const get = async (q: string) => (await api('GET', `/api/now/table/incident/${r.sys_id}?sysparm_fields=caller_id,state&${q}`)).body.result;
    const link = `${sn.url}/api/now/table/sys_user/${caller.sys_id}`;
    expect(await get('')).toEqual({ caller_id: { link, value: caller.sys_id }, state: '2' });
    expect(await get('sysparm_exclude_reference_link=true')).toEqual({ caller_id: caller.sys_id, state: '2' });
    expect(await get('sysparm_display_value=true')).toEqual({ caller_id: { display_value: 'Ann Caller', link }, state: 'In Progress' });
    expect(await get('sysparm_display_value=all')).toEqual({ caller_id: { display_value: 'Ann Caller', link, value: caller.sys_id }, state: { display_value: 'In Progress', value: '2' } });
    const byEmail = await api('GET', `/api/now/table/sys_user?sysparm_query=${encodeURIComponent('email=ann@example.com')}&sysparm_fields=sys_id,user_name`);
    expect(byEmail.body.result).toEqual([{ sys_id: caller.sys_id, user_name: 'ann.caller' }]);
  });

  it('answers 404, 400 and 415 in its error shape', async () => {
    expect((await api('GET', `/api/now/table/incident/${'0'.repeat(32)}`)).body).toEqual({ error: { message: 'No Record found', detail: "Record doesn't exist or ACL restricts the record retrieval" }, status: 'failure' });
    expect((await api('GET', '/api/now/table/incidentx')).status).toBe(400);
    expect((await api('POST', '/api/now/table/incident', undefined, { 'content-type': 'text/plain' })).status).toBe(415);
  });
});

describe('authentication, ACLs and faults', () => {
  it('answers 401 without or with wrong credentials', async () => {
    const none = await fetch(`${sn.url}/api/now/table/incident`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' });
    const wrong = await api('GET', '/api/now/table/incident', undefined, { authorization: `Basic ${Buffer.from('incident.officer:nope').toString('base64')}` });
    expect(wrong.status).toBe(401);
  });

  it('issues expiring OAuth tokens for client_credentials and password grants', async () => {
    const token = async (form: Record<string, string>) => fetch(`${sn.url}/oauth_token.do`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    const { clientId: client_id, clientSecret: client_secret } = sn.oauthClient;
    const cc = await (await token({ grant_type: 'client_credentials', client_id, client_secret })).json() as any;
    expect(cc).toMatchObject({ token_type: 'Bearer', expires_in: 1800, scope: 'useraccount' });
    const pw = await (await token({ grant_type: 'password', client_id, client_secret, username: sn.integrationUser.userName, password: sn.integrationUser.password })).json() as any;
    expect(pw.refresh_token).toEqual(expect.any(String));
    expect((await token({ grant_type: 'client_credentials', client_id, client_secret: 'wrong' })).status).toBe(401);
    expect((await token({ grant_type: 'password', client_id, client_secret, username: 'incident.officer', password: 'wrong' })).status).toBe(401);
    const bearer = { authorization: `Bearer ${cc.access_token}` };
    expect((await api('GET', '/api/now/table/incident?sysparm_limit=1', undefined, bearer)).status).toBe(200);
    tick += 1801_000;
    expect((await api('GET', '/api/now/table/incident?sysparm_limit=1', undefined, bearer)).status).toBe(401);
  });

  it('answers 403 for denied tables and fields, and 429 / 5xx on demand', async () => {
    const local = await startFakeServiceNow();
    try {
      const auth = { authorization: `Basic ${Buffer.from(`${local.integrationUser.userName}:${local.integrationUser.password}`).toString('base64')}`, 'content-type': 'application/json' };
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${local.url}${path}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, headers: res.headers, body: (await res.json()) as any };
      };
      local.deny({ table: 'problem', operation: 'create' });
      expect(await call('POST', '/api/now/table/problem', { short_description: 'x' })).toMatchObject({ status: 403, body: { error: { message: 'Operation Failed', detail: 'ACL Exception Insert Failed due to security constraints' } } });
      local.deny({ table: 'sys_user', operation: 'read' });
      expect((await call('GET', '/api/now/table/sys_user')).status).toBe(403);
      const inc = (await call('POST', '/api/now/table/incident', { short_description: 'x' })).body.result;
      local.deny({ table: 'incident', operation: 'write', field: 'assigned_to' });
      expect((await call('PATCH', `/api/now/table/incident/${inc.sys_id}`, { assigned_to: 'abc', urgency: '1' })).status).toBe(200);
      expect(local.record('incident', inc.sys_id)).toMatchObject({ assigned_to: '', urgency: '1' });
      local.deny({ table: 'incident', operation: 'write', field: 'cmdb_ci', refuse: true });
      expect((await call('PATCH', `/api/now/table/incident/${inc.sys_id}`, { cmdb_ci: 'abc' })).body.error.detail).toContain('incident.cmdb_ci');
      local.rateLimit(1, 7);
      const limited = await call('GET', '/api/now/table/incident');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      local.failNext(1, 503);
      expect((await call('GET', '/api/now/table/incident')).status).toBe(503);
      expect((await call('GET', '/api/now/table/incident')).status).toBe(200);
    } finally {
      await local.close();
    }
  });

  it('can store a write and then answer 500 or drop the connection; reads are never taken by that fault', async () => {
    const r = await createIncident({ short_description: 'lost answers' });
    sn.failAfterStoring(1, 500, (c) => c.method === 'PATCH');
    expect((await api('GET', `/api/now/table/incident/${r.sys_id}`)).status).toBe(200);
    expect(await api('PATCH', `/api/now/table/incident/${r.sys_id}`, { work_notes: 'first' })).toMatchObject({ status: 500, body: { error: { message: 'Internal server error' } } });
    sn.failAfterStoring(1, 'drop');
    expect(await api('PATCH', `/api/now/table/incident/${r.sys_id}`, { work_notes: 'second' }).catch((e: Error) => e)).toBeInstanceOf(Error);
    expect(sn.journal(r.sys_id).map((j) => j.value)).toEqual(['first', 'second']);
    expect(sn.calls.filter((c) => c.method === 'PATCH').slice(-2).map((c) => [c.status, c.stored])).toEqual([[500, true], [0, true]]);
    sn.failAfterStoring(1, 502);
    sn.recover();
    expect((await api('PATCH', `/api/now/table/incident/${r.sys_id}`, { work_notes: 'third' })).status).toBe(200);
    // Journal entries are found by their text with LIKE, as the instance does (without regard to case).
    const q = encodeURIComponent(`element_id=${r.sys_id}^elementINwork_notes,comments^valueLIKESECOND`);
    expect((await api('GET', `/api/now/table/sys_journal_field?sysparm_query=${q}&sysparm_fields=value`)).body.result).toEqual([{ value: 'second' }]);
  });

  it('stores attachments posted with their raw body and content type', async () => {
    const r = await createIncident({ short_description: 'att' });
    const bytes = Buffer.from('# Review\nall good\n');
    const res = await fetch(`${sn.url}/api/now/attachment/file?table_name=incident&table_sys_id=${r.sys_id}&file_name=review.md`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'text/markdown' }, body: bytes });
    expect(res.status).toBe(201);
    const att = ((await res.json()) as any).result;
    expect(att).toMatchObject({ file_name: 'review.md', table_name: 'incident', table_sys_id: r.sys_id, content_type: 'text/markdown', size_bytes: String(bytes.length) });
    expect(sn.attachment(att.sys_id)!.equals(bytes)).toBe(true);
    const bad = await fetch(`${sn.url}/api/now/attachment/file?table_name=incident&table_sys_id=${'f'.repeat(32)}&file_name=x`, { method: 'POST', headers: { authorization: basic(), 'content-type': 'text/plain' }, body: 'x' });
    expect(bad.status).toBe(400);
  });
});
