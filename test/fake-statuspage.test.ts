import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeStatuspage, type FakeComponent, type FakeStatuspage } from './support/fake-statuspage.js';

let sp: FakeStatuspage;
let checkout: FakeComponent;
let website: FakeComponent;
beforeEach(async () => {
  sp = await startFakeStatuspage();
  checkout = sp.addComponent('Checkout');
  website = sp.addComponent('Website');
});
afterEach(() => sp.close());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sp.url}${path}`, {
    method,
    headers: { authorization: `OAuth ${sp.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}
const incidents = () => `/pages/${sp.pageId}/incidents`;

describe('fake Statuspage: authentication and routing', () => {
  it('answers 401 with an error body without the OAuth key, with a wrong key or another scheme', async () => {
    for (const authorization of ['', 'OAuth wrong', `Bearer ${sp.apiKey}`]) {
      const r = await call('GET', incidents(), undefined, { authorization });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: expect.any(String) });
    }
    expect(sp.calls.map((c) => c.status)).toEqual([401, 401, 401]);
  });

  it('answers 404 for another page, an unknown incident or route', async () => {
    expect((await call('GET', '/pages/nosuchpage/incidents')).status).toBe(404);
    expect((await call('GET', `${incidents()}/nosuchincident`)).json).toEqual({ error: 'Incident not found' });
    expect((await call('PATCH', `${incidents()}/nosuchincident`, { incident: { status: 'resolved' } })).status).toBe(404);
    expect((await call('GET', `/pages/${sp.pageId}/subscribers`)).status).toBe(404);
  });
});

describe('fake Statuspage: incidents', () => {
  it('creates, updates and lists an incident with per-component status, as the API answers them', async () => {
    const created = await call('POST', incidents(), {
      incident: { name: 'Checkout errors', status: 'investigating', body: 'We are looking into it.', component_ids: [checkout.id], components: { [checkout.id]: 'major_outage' }, deliver_notifications: true, metadata: { ours: { ref: 'incident:1' } } },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^[a-z0-9]{12}$/), page_id: sp.pageId, name: 'Checkout errors', status: 'investigating', impact: 'critical', metadata: { ours: { ref: 'incident:1' } } });
    expect(created.json.components).toEqual([expect.objectContaining({ id: checkout.id, name: 'Checkout', status: 'major_outage' })]);
    expect(created.json.incident_updates).toEqual([expect.objectContaining({ status: 'investigating', body: 'We are looking into it.' })]);

    const updated = await call('PATCH', `${incidents()}/${created.json.id}`, { incident: { status: 'resolved', body: 'Fixed.', components: { [checkout.id]: 'operational' } } });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ status: 'resolved', resolved_at: expect.any(String), impact: 'none' });
    expect(updated.json.incident_updates.map((u: { status: string }) => u.status)).toEqual(['resolved', 'investigating']);
    expect(sp.components.get(checkout.id)!.status).toBe('operational');

    const found = await call('GET', `${incidents()}?q=checkout&limit=10&page=1`);
    expect(found.json.map((i: { id: string }) => i.id)).toEqual([created.json.id]);
    expect((await call('GET', `${incidents()}?q=payments`)).json).toEqual([]);
    expect((await call('GET', `${incidents()}?limit=0`)).status).toBe(400);
  });

  it('refuses with 422 and the reasons: unknown component, invalid status, blank name, unknown attribute, bad metadata', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'x', component_ids: ['nosuchcomp'] }, /nosuchcomp, which is not a component of this page/],
      [{ name: 'x', components: { nosuchcomp: 'major_outage' } }, /nosuchcomp, which is not a component of this page/],
      [{ name: 'x', components: { [website.id]: 'down' } }, /Component status down is not included in the list/],
      [{ name: 'x', status: 'completed' }, /Scheduled for can't be blank/],
      [{ name: 'x', status: 'broken' }, /Status is not included in the list/],
      [{ name: ' ' }, /Name can't be blank/],
      [{ name: 'x', message: 'the old field' }, /Unknown attribute 'message'/],
      [{ name: 'x', metadata: { ref: 'flat' } }, /top-level values are objects/],
      [{ name: 'x', deliver_notifications: 'yes' }, /Deliver notifications must be true or false/],
    ];
    for (const [incident, reason] of cases) {
      const r = await call('POST', incidents(), { incident });
      expect(r.status, JSON.stringify(incident)).toBe(422);
      expect(r.json.error.join('\n')).toMatch(reason);
    }
    expect((await call('POST', incidents(), { name: 'no wrapper' })).status).toBe(400);
    expect(sp.allIncidents()).toEqual([]);
  });

  it('keeps realtime and scheduled statuses apart, and scheduled maintenance needs its window', async () => {
    const window = { scheduled_for: '2026-12-01T22:00:00Z', scheduled_until: '2026-12-01T23:00:00Z' };
    expect((await call('POST', incidents(), { incident: { name: 'DB upgrade', status: 'scheduled' } })).json.error).toContain("Scheduled for can't be blank");
    expect((await call('POST', incidents(), { incident: { name: 'DB upgrade', ...window, scheduled_until: '2026-12-01T21:00:00Z' } })).json.error).toContain('Scheduled until must be after scheduled for');
    const m = await call('POST', incidents(), { incident: { name: 'DB upgrade', status: 'scheduled', ...window, component_ids: [website.id] } });
    expect(m.status).toBe(201);
    expect(m.json).toMatchObject({ status: 'scheduled', impact: 'maintenance', ...window });
    expect((await call('PATCH', `${incidents()}/${m.json.id}`, { incident: { status: 'resolved' } })).status).toBe(422);
    expect((await call('PATCH', `${incidents()}/${m.json.id}`, { incident: { status: 'in_progress', components: { [website.id]: 'under_maintenance' } } })).json.status).toBe('in_progress');
    expect(sp.components.get(website.id)!.status).toBe('under_maintenance');

    const realtime = await call('POST', incidents(), { incident: { name: 'Outage', status: 'investigating' } });
    expect((await call('PATCH', `${incidents()}/${realtime.json.id}`, { incident: { status: 'in_progress' } })).status).toBe(422);
    expect((await call('PATCH', `${incidents()}/${realtime.json.id}`, { incident: window })).json.error).toContain('Scheduled for can only be set on scheduled maintenance');
  });

  it('deletes an incident, answering with the incident it deleted; 404 once gone, 401 without the key', async () => {
    const window = { scheduled_for: '2026-12-01T22:00:00Z', scheduled_until: '2026-12-01T23:00:00Z' };
    const m = await call('POST', incidents(), { incident: { name: 'DB upgrade', status: 'scheduled', ...window, component_ids: [website.id] } });
    expect((await call('DELETE', `${incidents()}/${m.json.id}`, undefined, { authorization: '' })).status).toBe(401);
    expect(sp.incident(m.json.id)).toBeDefined();

    const deleted = await call('DELETE', `${incidents()}/${m.json.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ id: m.json.id, name: 'DB upgrade', status: 'scheduled', ...window });
    expect(deleted.json.components).toEqual([expect.objectContaining({ id: website.id })]);
    expect(sp.incident(m.json.id)).toBeUndefined();
    expect((await call('GET', `${incidents()}/${m.json.id}`)).status).toBe(404);
    expect(await call('DELETE', `${incidents()}/${m.json.id}`)).toMatchObject({ status: 404, json: { error: 'Incident not found' } });
    expect((await call('DELETE', incidents())).status).toBe(405);
    expect(sp.writes().map((c) => `${c.method} ${c.status}`)).toEqual(['POST 201', 'DELETE 401', 'DELETE 200', 'DELETE 404', 'DELETE 405']);
  });

  it('lists the page components', async () => {
    const r = await call('GET', `/pages/${sp.pageId}/components`);
    expect(r.json.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([['Checkout', 'operational'], ['Website', 'operational']]);
  });
});

describe('fake Statuspage: faults on demand', () => {
  it('rate-limits with 429 or the legacy 420 and Retry-After, then recovers', async () => {
    sp.rateLimit(1, 30);
    sp.rateLimit(1, 5, 420);
    const first = await call('POST', incidents(), { incident: { name: 'x' } });
    expect([first.status, first.headers.get('retry-after'), first.json]).toEqual([429, '30', { error: 'Rate limit exceeded' }]);
    const second = await call('POST', incidents(), { incident: { name: 'x' } });
    expect([second.status, second.headers.get('retry-after')]).toEqual([420, '5']);
    expect((await call('POST', incidents(), { incident: { name: 'x' } })).status).toBe(201);
    expect(sp.allIncidents()).toHaveLength(1);
    expect(sp.writes().map((c) => c.status)).toEqual([429, 420, 201]);
  });

  it('can carry out a call and lose its answer', async () => {
    sp.loseAnswers(1);
    await expect(call('POST', incidents(), { incident: { name: 'x' } })).rejects.toThrow();
    expect(sp.allIncidents()).toHaveLength(1);
    expect(sp.calls).toEqual([expect.objectContaining({ method: 'POST', status: 201 })]);
  });
});
