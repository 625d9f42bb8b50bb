import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { PermanentFailure, RetryLater } from '../src/jobs/task-runner.js';
import { StatuspageClient, StatuspageRefused, StatuspageUnavailable, retryAfterMs } from '../src/statuspage/client.js';
import { statuspageConfig } from '../src/statuspage/config.js';
import { atlassianStatusPageSchema } from '../src/policy/statuspage-schema.js';
import { startFakeStatuspage, type FakeStatuspage } from './support/fake-statuspage.js';
import { rejection } from './support/statuspage.js';

let sp: FakeStatuspage;
beforeEach(async () => {
  sp = await startFakeStatuspage();
});
afterEach(() => sp.close());

const client = (extra: Partial<ConstructorParameters<typeof StatuspageClient>[0]> = {}) => new StatuspageClient({ apiUrl: sp.url, apiKey: sp.apiKey, ...extra });

describe('Statuspage client', () => {
  it('sends the key as `OAuth <key>` and reads incidents and components', async () => {
    const c = sp.addComponent('Checkout');
    const created = await client().createIncident(sp.pageId, { name: 'Errors', status: 'investigating', body: 'Looking.', component_ids: [c.id], components: { [c.id]: 'partial_outage' } });
    expect(created).toMatchObject({ name: 'Errors', status: 'investigating', metadata: {}, components: [expect.objectContaining({ id: c.id, status: 'partial_outage' })] });
    expect(await client().getIncident(sp.pageId, created.id)).toMatchObject({ id: created.id });
    expect(await client().getIncident(sp.pageId, 'nosuchincident')).toBeNull();
    expect((await client().listIncidents(sp.pageId, { q: 'errors' })).map((i) => i.id)).toEqual([created.id]);
    expect((await client().listComponents(sp.pageId)).map((x) => x.name)).toEqual(['Checkout']);
  });

  it('deletes an incident, answering with it; null once it is gone; a refused key is a refusal', async () => {
    const created = await client().createIncident(sp.pageId, { name: 'Maintenance', scheduled_for: '2026-12-01T22:00:00Z', scheduled_until: '2026-12-01T23:00:00Z' });
    expect((await rejection(client({ apiKey: 'sp-not-the-key-42' }).deleteIncident(sp.pageId, created.id), StatuspageRefused)).status).toBe(401);
    expect(await client().deleteIncident(sp.pageId, created.id)).toMatchObject({ id: created.id, name: 'Maintenance', status: 'scheduled' });
    expect(await client().deleteIncident(sp.pageId, created.id)).toBeNull();
    expect(sp.writes().map((c) => `${c.method} ${c.status}`)).toEqual(['POST 201', 'DELETE 401', 'DELETE 200', 'DELETE 404']);
  });

  it('maps rate limits, 5xx and network failures to RetryLater, honouring Retry-After', async () => {
    sp.rateLimit(1, 12);
    const limited = await rejection(client().listComponents(sp.pageId), StatuspageUnavailable);
    expect(limited).toBeInstanceOf(RetryLater);
    expect([limited.status, limited.delayMs, limited.rateLimited]).toEqual([429, 12_000, true]);
    sp.failNext(1, 502);
    const bad = await rejection(client().listComponents(sp.pageId), StatuspageUnavailable);
    expect([bad.status, bad.delayMs, bad.rateLimited]).toEqual([502, undefined, false]);
    const down = await rejection(new StatuspageClient({ apiUrl: 'http://127.0.0.1:9/v1', apiKey: sp.apiKey }).listComponents(sp.pageId), StatuspageUnavailable);
    expect(down.status).toBeNull();
    expect(down.message).toMatch(/^Statuspage GET \/pages\/\w+\/components failed: /);
    const hanging: typeof fetch = (_u, init) => new Promise((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
    expect((await rejection(client({ fetch: hanging, timeoutMs: 50 }).listComponents(sp.pageId), StatuspageUnavailable)).message).toMatch(/timed out after 50 ms/);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:30 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(30_000);
  });

  it('maps refusals to PermanentFailure with Statuspage\'s message and a hint, never the key', async () => {
    const wrong = 'sp-not-the-key-42';
    const unauthorized = await rejection(client({ apiKey: wrong }).listComponents(sp.pageId), StatuspageRefused);
    expect(unauthorized).toBeInstanceOf(PermanentFailure);
    expect(unauthorized.message).toBe(`Statuspage GET /pages/${sp.pageId}/components answered 401: Could not authenticate (the API key was refused: check STATUSPAGE_API_KEY)`);
    expect(unauthorized.message).not.toContain(wrong);
    expect((await rejection(client().listComponents('otherpage'), StatuspageRefused)).message).toMatch(/404: Page not found \(not found: check status_page.atlassian.page_id/);
    const invalid = await rejection(client().createIncident(sp.pageId, { name: 'x', status: 'in_progress' }), StatuspageRefused);
    expect([invalid.status, invalid.vendorMessage]).toEqual([422, "Scheduled for can't be blank"]);
  });

  it('a caller\'s abort is passed through, not turned into a retry', async () => {
    const ac = new AbortController();
    ac.abort(new Error('shutting down'));
    const e = await client().listComponents(sp.pageId, { signal: ac.signal }).catch((err: Error) => err);
    expect(e).not.toBeInstanceOf(RetryLater);
    expect(sp.calls).toEqual([]);
  });
});

describe('status_page.atlassian policy and STATUSPAGE_API_KEY', () => {
  it('defaults the API URL, components and retry window, and names a bad key', () => {
    expect(atlassianStatusPageSchema.parse({ page_id: 'abc123' })).toEqual({ page_id: 'abc123', api_url: 'https://api.statuspage.io/v1', components: {}, retry_hours: 24 });
    expect(atlassianStatusPageSchema.parse({ page_id: 'abc123', api_url: 'http://127.0.0.1:4010/v1/', components: { Checkout: 'cmp1' } })).toMatchObject({ api_url: 'http://127.0.0.1:4010/v1', components: { Checkout: 'cmp1' } });
    const problems = (v: unknown) => atlassianStatusPageSchema.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({})).toEqual([expect.stringMatching(/^page_id: /)]);
    expect(problems({ page_id: 'abc123', retry_hours: 0 })).toEqual(['retry_hours: must be at least 1']);
    expect(problems({ page_id: 'abc123', retry_hours: '24h' })).toEqual([expect.stringMatching(/^retry_hours: /)]);
    expect(problems({ page_id: 'abc123', api_url: 'http://statuspage.example.com/v1' })).toEqual(['api_url: must be https (plain http only on loopback, for tests)']);
    expect(problems({ page_id: 'abc123', components: { Checkout: 'cmp 1' } })).toEqual([expect.stringMatching(/^components\.Checkout: must be a Statuspage component id/)]);
    expect(problems({ page_id: 'abc123', component: {} })).toEqual([expect.stringMatching(/component/)]);
  });

  it('requires STATUSPAGE_API_KEY once the connector is configured, and nothing otherwise', () => {
    const policy = atlassianStatusPageSchema.parse({ page_id: 'abc123', components: { Checkout: 'cmp1' } });
    expect(statuspageConfig(undefined, { STATUSPAGE_API_KEY: 'k' })).toBeUndefined();
    expect(statuspageConfig(policy, { STATUSPAGE_API_KEY: ' key123 ' })).toEqual({ apiUrl: 'https://api.statuspage.io/v1', apiKey: 'key123', pageId: 'abc123', components: { Checkout: 'cmp1' } });
    const missing = (() => { try { statuspageConfig(policy, {}); } catch (e) { return e; } })() as ConfigError;
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.problems).toEqual([expect.stringMatching(/^STATUSPAGE_API_KEY: is required by status_page.atlassian/)]);
    expect(() => statuspageConfig(policy, { STATUSPAGE_API_KEY: 'OAuth key123' })).toThrow(/without spaces or the "OAuth" prefix/);
  });
});
