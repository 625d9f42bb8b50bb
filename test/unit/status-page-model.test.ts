import { describe, expect, it } from 'vitest';
import { statusPageSchema } from '../../src/policy/status-page-schema.js';
import { buildPage } from '../../src/status/page.js';
import type { Maintenance, StatusPost } from '../../src/status/post.js';
import { historyAtom } from '../../src/status/render-atom.js';
import { statusHtml } from '../../src/status/render-html.js';

const policy = statusPageSchema.parse({ title: 'Acme <status>', components: [{ name: 'Checkout', services: ['checkout'] }, { name: 'Website', services: ['web'] }] });
const at = (hhmm: string) => new Date(`2026-11-26T${hhmm}:00Z`);
let n = 0;
const post = (incidentId: string, time: string, fields: Partial<StatusPost>): StatusPost => ({
  id: String(++n),
  incidentId,
  authorId: 'UANA',
  status: 'investigating',
  title: 'Checkout errors',
  body: 'Looking into it.',
  components: [],
  notify: true,
  state: 'published',
  approvedBy: 'UBEN',
  requestChannel: null,
  requestTs: null,
  createdAt: at(time),
  publishedAt: at(time),
  ...fields,
});
const maintenance = (from: string, to: string): Maintenance => ({ changeId: '7', title: 'DB upgrade', body: 'Short pauses.', components: ['Website'], startsAt: at(from), endsAt: at(to), publishedStatus: 'scheduled', revision: 1, createdAt: at('08:00') });

describe('the status page model', () => {
  it('dates a component nothing has touched from the start of the history shown, not 1970', () => {
    const page = buildPage({ policy, now: at('12:00'), posts: [], incidentTimes: [], maintenances: [] });
    expect(page.components.map((c) => c.updatedAt.toISOString())).toEqual(['2026-08-29T00:00:00.000Z', '2026-08-29T00:00:00.000Z']);
    expect(page.updatedAt.toISOString()).toBe('2026-08-29T00:00:00.000Z');
    expect(page.components[0].days[0].date).toBe('2026-08-29');
  });

  it('takes the worst state of the open incidents per component, and maintenance yields to any outage', () => {
    const page = buildPage({
      policy,
      now: at('12:00'),
      posts: [post('1', '10:00', { components: [{ name: 'Checkout', state: 'partial_outage' }] }), post('2', '11:00', { components: [{ name: 'Checkout', state: 'degraded_performance' }, { name: 'Website', state: 'degraded_performance' }] })],
      incidentTimes: [],
      maintenances: [maintenance('11:30', '13:00')],
    });
    expect(page.components.map((c) => [c.name, c.state])).toEqual([['Checkout', 'partial_outage'], ['Website', 'degraded_performance']]);
    expect(page.indicator).toBe('major');
    expect(page.maintenance.map((m) => m.status)).toEqual(['in_progress']);
  });

  it('counts downtime from the declaration to the resolution, a partial outage at 30 %, a later post changing the state', () => {
    const page = buildPage({
      policy,
      now: at('20:00'),
      posts: [
        post('1', '10:10', { components: [{ name: 'Checkout', state: 'major_outage' }] }),
        post('1', '11:00', { status: 'identified', components: [{ name: 'Checkout', state: 'partial_outage' }] }),
        post('1', '13:00', { status: 'resolved', components: [] }),
      ],
      incidentTimes: [{ id: '1', impactFrom: at('10:00'), impactTo: at('12:00') }],
      maintenances: [],
    });
    const [incident] = page.incidents;
    expect(incident.windows).toEqual([
      { component: 'Checkout', from: at('10:00'), to: at('11:00'), state: 'major_outage' },
      { component: 'Checkout', from: at('11:00'), to: at('12:00'), state: 'partial_outage' },
    ]);
    // 1 h fully + 1 h at 30 % of the 20 h of the day so far.
    const today = page.components[0].days.at(-1)!;
    expect(today.worst).toBe('major_outage');
    expect(today.uptime).toBeCloseTo(1 - 1.3 / 20, 6);
    expect(page.components[0].state).toBe('operational');
    expect(page.open).toEqual([]);
    expect(incident.updates.map((u) => u.status)).toEqual(['resolved', 'identified', 'investigating']);
  });

  it('escapes what was written, in the page and the feed', () => {
    const page = buildPage({ policy, now: at('12:00'), posts: [post('1', '10:00', { title: '<script>x</script>', body: 'a & b <img src=x>' })], incidentTimes: [], maintenances: [] });
    const html = statusHtml(page);
    expect(html).not.toContain('<script>x');
    expect(html).not.toContain('<img src=x>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('<title>Acme &lt;status&gt;</title>');
    const atom = historyAtom(page, 'https://status.example.com/status/');
    expect(atom).toContain('<title>&lt;script&gt;x&lt;/script&gt;: Investigating</title>');
    expect(atom).not.toContain('<img');
  });
});
