import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceNowClient, ServiceNowError, retryAfterMs, type ServiceNowClientOptions } from '../src/servicenow/client.js';
import { EncodedQuery, escapeQueryValue } from '../src/servicenow/query.js';
import { startFakeServiceNow, type FakeServiceNow } from './support/fake-servicenow.js';

let sn: FakeServiceNow;
let tick: number;
beforeEach(async () => {
  tick = Date.parse('2026-03-02T10:00:00Z');
  sn = await startFakeServiceNow({ now: () => new Date(tick) });
});
afterEach(() => sn.close());

const basic = (extra: Partial<ServiceNowClientOptions> = {}) =>
  new ServiceNowClient({ instanceUrl: sn.url, auth: { kind: 'basic', username: sn.integrationUser.userName, password: sn.integrationUser.password }, backoffMs: 10, ...extra });
const oauth = (extra: Partial<ServiceNowClientOptions> = {}) =>
  new ServiceNowClient({ instanceUrl: sn.url, auth: { kind: 'oauth', clientId: sn.oauthClient.clientId, clientSecret: sn.oauthClient.clientSecret }, backoffMs: 10, ...extra });

/** A fetch that never answers, honouring its signal like the real one. */
const hangingFetch: typeof fetch = (_url, init) =>
  new Promise((_, reject) => {
    const signal = init!.signal!;
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason));
  });

async function rejection(p: Promise<unknown>): Promise<ServiceNowError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ServiceNowError);
  return e as ServiceNowError;
}

describe('auth', () => {
  it('creates, reads and updates a record with basic auth', async () => {
    const client = basic();
    const inc = await client.createRecord('incident', { short_description: 'Checkout down', impact: '1', urgency: '1', correlation_id: 'IO-1' });
    expect(inc).toMatchObject({ number: expect.stringMatching(/^INC\d{7}$/), priority: '1', correlation_id: 'IO-1' });
    const updated = await client.updateRecord('incident', inc.sys_id, { urgency: '2' });
    expect(updated.priority).toBe('2');
    expect(await client.getRecord('incident', inc.sys_id, { fields: ['number', 'priority'] })).toEqual({ number: inc.number, priority: '2' });
    expect(await client.getRecord('incident', 'f'.repeat(32))).toBeNull();
    expect(sn.apiCalls().every((c) => c.auth === 'basic' && c.user === 'incident.officer')).toBe(true);
  });

  it('fails permanently on wrong basic credentials, without the password in the message', async () => {
    const client = new ServiceNowClient({ instanceUrl: sn.url, auth: { kind: 'basic', username: 'incident.officer', password: 'hunter2-secret' }, backoffMs: 10 });
    const e = await rejection(client.createRecord('incident', { short_description: 'x' }));
    expect(e).toMatchObject({ status: 401, retryable: false, snMessage: 'User Not Authenticated' });
    expect(e.message).not.toContain('hunter2');
    expect(sn.apiCalls()).toHaveLength(1);
  });

  it('gets an OAuth token once, reuses it, and refreshes it once after a 401', async () => {
    const client = oauth();
    await client.createRecord('incident', { short_description: 'a' });
    await client.createRecord('incident', { short_description: 'b' });
    expect(sn.calls.filter((c) => c.path === '/oauth_token.do')).toHaveLength(1);
    sn.expireTokens();
    await client.createRecord('incident', { short_description: 'c' });
    expect(sn.calls.filter((c) => c.path === '/oauth_token.do')).toHaveLength(2);
    expect(sn.apiCalls().map((c) => c.status)).toEqual([201, 201, 401, 201]);
    expect(sn.apiCalls().every((c) => c.auth === 'bearer')).toBe(true);
  });

  it('refreshes a token ServiceNow says has expired before using it', async () => {
    const short = await startFakeServiceNow({ tokenTtlSeconds: 30 });
    try {
      const client = new ServiceNowClient({ instanceUrl: short.url, auth: { kind: 'oauth', clientId: short.oauthClient.clientId, clientSecret: short.oauthClient.clientSecret } });
      await client.query('incident', '');
      await client.query('incident', '');
      // A 30 s token is inside the refresh margin at once: each call asks for a fresh one, none is refused.
      expect(short.calls.filter((c) => c.path === '/oauth_token.do')).toHaveLength(2);
      expect(short.apiCalls().every((c) => c.status === 200)).toBe(true);
    } finally {
      await short.close();
    }
  });

  it('reports a refused OAuth client without its secret', async () => {
    const client = new ServiceNowClient({ instanceUrl: sn.url, auth: { kind: 'oauth', clientId: sn.oauthClient.clientId, clientSecret: 'top-secret-value' } });
    const e = await rejection(client.query('incident', ''));
    expect(e).toMatchObject({ status: 401, retryable: false });
    expect(e.message).toContain('oauth_token.do');
    expect(e.message).not.toContain('top-secret-value');
    expect(sn.apiCalls()).toHaveLength(0);
  });

  it('refuses a plain-http instance that is not on loopback', () => {
    expect(() => new ServiceNowClient({ instanceUrl: 'http://acme.service-now.com', auth: { kind: 'basic', username: 'u', password: 'p' } })).toThrow(/https/);
  });
});

describe('failures', () => {
  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    sn.rateLimit(1, 1);
    const started = Date.now();
    const rec = await basic().createRecord('incident', { short_description: 'after the limit' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rec.short_description).toBe('after the limit');
    expect(sn.apiCalls().map((c) => c.status)).toEqual([429, 201]);
  });

  it('hands a Retry-After longer than it may wait to the caller, and gives up on repeated 5xx as retryable', async () => {
    sn.rateLimit(1, 120);
    const limited = await rejection(basic({ maxWaitMs: 5_000 }).query('incident', ''));
    expect(limited).toMatchObject({ status: 429, retryable: true, retryAfterMs: 120_000, snMessage: 'Rate limit exceeded' });
    sn.failNext(10, 500);
    const down = await rejection(basic({ retries: 2 }).query('incident', ''));
    expect(down).toMatchObject({ status: 500, retryable: true });
    expect(sn.apiCalls().filter((c) => c.status === 500)).toHaveLength(3);
  });

  it('surfaces ACL refusals and the resolve data policy as permanent, with ServiceNow’s message', async () => {
    sn.deny({ table: 'problem', operation: 'create' });
    const acl = await rejection(basic().createRecord('problem', { short_description: 'x' }));
    expect(acl).toMatchObject({ status: 403, retryable: false, detail: 'ACL Exception Insert Failed due to security constraints' });
    expect(acl.message).toBe('ServiceNow POST /api/now/table/problem answered 403: Operation Failed (ACL Exception Insert Failed due to security constraints)');
    const inc = await basic().createRecord('incident', { short_description: 'x' });
    const policy = await rejection(basic().updateRecord('incident', inc.sys_id, { state: '6' }));
    expect(policy).toMatchObject({ status: 403, retryable: false });
    expect(policy.message).toContain('The following fields are mandatory: Resolution code, Resolution notes');
    expect(sn.apiCalls().filter((c) => c.status === 403)).toHaveLength(2);
  });

  it('times out a hung instance as a retryable failure, and stops at once when the caller aborts', async () => {
    const client = new ServiceNowClient({ instanceUrl: sn.url, auth: { kind: 'basic', username: 'u', password: 'p' }, timeoutMs: 200, retries: 0, fetch: hangingFetch });
    expect(await rejection(client.query('incident', ''))).toMatchObject({ status: null, retryable: true, message: expect.stringContaining('timed out') });
    const controller = new AbortController();
    const pending = client.query('incident', '', { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('delivery time limit'));
    expect(await pending).toMatchObject({ message: 'delivery time limit' });
  });

  it('parses Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs('Mon, 02 Mar 2026 10:00:30 GMT', Date.parse('2026-03-02T10:00:00Z'))).toBe(30_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});

describe('queries', () => {
  it('follows Link rel="next" through every page and reports X-Total-Count', async () => {
    const client = basic();
    for (let i = 0; i < 7; i++) await client.createRecord('incident', { short_description: `paged ${i}` });
    const { records, total } = await client.query('incident', new EncodedQuery().where('short_description', 'STARTSWITH', 'paged').orderBy('number'), { pageSize: 3, fields: ['short_description'] });
    expect(total).toBe(7);
    expect(records.map((r) => r.short_description)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `paged ${i}`));
    expect(sn.apiCalls().filter((c) => c.method === 'GET')).toHaveLength(3);
  });

  it('escapes values so they cannot add conditions', async () => {
    const client = basic();
    await client.createRecord('incident', { short_description: 'a^ORshort_descriptionISNOTEMPTY' });
    await client.createRecord('incident', { short_description: 'other' });
    const { records } = await client.query('incident', new EncodedQuery().where('short_description', '=', 'a^ORshort_descriptionISNOTEMPTY'));
    expect(records.map((r) => r.short_description)).toEqual(['a^ORshort_descriptionISNOTEMPTY']);
    expect(escapeQueryValue('x^y')).toBe('x^^y');
    expect(() => new EncodedQuery().where('bad field', '=', 'x')).toThrow();
    expect(new EncodedQuery().where('state', '=', 6).or('state', '=', 7).where('active', 'ISNOTEMPTY').orderBy('sys_updated_on', 'desc').toString()).toBe('state=6^ORstate=7^activeISNOTEMPTY^ORDERBYDESCsys_updated_on');
  });

  it('reads journal entries since a watermark, oldest first, without the integration’s own', async () => {
    const client = basic();
    const inc = await client.createRecord('incident', { short_description: 'j', work_notes: 'ours, before' });
    sn.addUser({ user_name: 'beth.agent', name: 'Beth Agent' });
    tick += 5_000;
    const watermark = new Date(tick);
    sn.as('beth.agent').update('incident', inc.sys_id, { comments: 'customer asked' });
    await client.updateRecord('incident', inc.sys_id, { work_notes: 'ours, after' });
    tick += 1_000;
    sn.as('beth.agent').update('incident', inc.sys_id, { work_notes: 'desk note' });
    const other = await client.createRecord('incident', { short_description: 'other' });
    sn.as('beth.agent').update('incident', other.sys_id, { work_notes: 'elsewhere' });
    const entries = await client.journalSince({ recordSysIds: [inc.sys_id], since: watermark, excludeCreatedBy: 'incident.officer' });
    expect(entries.map((e) => [e.element, e.value, e.sys_created_by, e.sys_created_on])).toEqual([
      ['comments', 'customer asked', 'beth.agent', '2026-03-02 10:00:05'],
      ['work_notes', 'desk note', 'beth.agent', '2026-03-02 10:00:06'],
    ]);
    expect(await client.journalSince({ recordSysIds: [inc.sys_id], since: watermark, elements: ['work_notes'] })).toHaveLength(2);
    expect(await client.journalSince({ recordSysIds: [], since: null })).toEqual([]);
  });

  it('finds a user by e-mail and uploads an attachment', async () => {
    const ann = sn.addUser({ user_name: 'ann', name: 'Ann Example', email: 'ann@example.com' });
    const client = oauth();
    expect(await client.userByEmail(' ann@example.com ')).toMatchObject({ sys_id: ann.sys_id, user_name: 'ann' });
    expect(await client.userByEmail('nobody@example.com')).toBeNull();
    const inc = await client.createRecord('incident', { short_description: 'with review' });
    const bytes = new TextEncoder().encode('# Post-incident review\n');
    const att = await client.attach('incident', inc.sys_id, { name: 'review.md', contentType: 'text/markdown', bytes });
    expect(att).toMatchObject({ file_name: 'review.md', size_bytes: String(bytes.length) });
    expect(sn.attachment(att.sys_id)!.toString()).toBe('# Post-incident review\n');
  });
});
