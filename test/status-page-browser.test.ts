import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { policySchema } from '../src/policy/schema.js';
import { startTestApp, type TestApp } from './support/app.js';
import { findChromium } from './support/chromium.js';
import { FakeClock } from './support/clock.js';
import { declareIncident } from './support/flows.js';
import { publishPublicUpdate, recordChange } from './support/status-page.js';

const COMPONENTS = ['Checkout', 'Website', 'API'];
const policy = policySchema.parse({
  services: [{ name: 'checkout-api' }, { name: 'payments' }, { name: 'web' }, { name: 'public-api' }],
  status_page: {
    title: 'Acme status',
    components: [
      { name: 'Checkout', services: ['checkout-api', 'payments'], description: 'Cart, payment and order confirmation' },
      { name: 'Website', services: ['web'] },
      { name: 'API', services: ['public-api'] },
    ],
  },
});

const clock = new FakeClock('2026-11-10T14:00:00Z');
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  const binary = await findChromium();
  t = await startTestApp({ policy, clock });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });

  // A past incident, resolved after 40 minutes.
  const past = await declareIncident(t, { userId: 'UANA', title: 'API timeouts', severity: 'SEV1', serviceList: ['public-api'] });
  await t.slack.command({ text: 'role comms <@UBEN>', userId: 'UANA', channelId: past.id });
  await t.settle();
  clock.advanceMinutes(5);
  await publishPublicUpdate(t, past, { author: 'UANA', approver: 'UBEN', components: COMPONENTS, status: 'investigating', message: 'p99 at 30s', title: 'Elevated API error rates', body: 'Some API requests time out. We are investigating.', states: { API: 'partial_outage' } });
  clock.advanceMinutes(35);
  // Resolved through /incident update, with its public "resolved" post.
  await publishPublicUpdate(t, past, { author: 'UANA', approver: 'UBEN', components: COMPONENTS, status: 'resolved', message: 'Scaled the pool', title: 'Elevated API error rates', body: 'API requests succeed again.', states: { API: 'operational' } });

  // Today: an open incident, and maintenance planned for tonight.
  clock.set('2026-11-26T09:00:00Z');
  const open = await declareIncident(t, { userId: 'UANA', title: 'Card payments failing', severity: 'SEV1', serviceList: ['checkout-api'] });
  await t.slack.command({ text: 'role comms <@UBEN>', userId: 'UANA', channelId: open.id });
  await t.settle();
  clock.advanceMinutes(8);
  await publishPublicUpdate(t, open, {
    author: 'UANA',
    approver: 'UBEN',
    components: COMPONENTS,
    status: 'identified',
    message: 'bad deploy',
    title: 'Card payments failing for some customers',
    body: 'Some card payments are declined at checkout. We found the cause and are rolling out a fix.\n\nNext update within 30 minutes.',
    states: { Checkout: 'major_outage' },
  });
  await recordChange(t, 'UBEN', { title: 'Website moves to a new load balancer', services: ['web'], start: new Date('2026-11-26T22:00:00Z'), end: new Date('2026-11-26T23:00:00Z'), publish: true, text: 'The website may be slow for a few minutes.' });
  clock.advanceMinutes(4);
  browser = await chromium.launch({
    executablePath: binary.executablePath,
    env: { ...process.env, ...binary.env },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the public status page in a browser', () => {
  for (const [label, viewport] of [
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    it(`reads on a ${label}, without JavaScript and without sideways scrolling`, async () => {
      const context = await browser.newContext({ viewport, javaScriptEnabled: false, isMobile: label === 'phone' });
      const page = await context.newPage();
      const response = await page.goto(`${t.url}/status`);
      expect(response!.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/status/');
      await expect(page.title()).resolves.toBe('Acme status');
      expect(await page.locator('[role=status]').innerText()).toBe('Major System Outage');
      const current = page.locator('section', { has: page.locator('h2', { hasText: 'Current incidents' }) });
      expect(await current.innerText()).toContain('Card payments failing for some customers');
      expect(await current.innerText()).toContain('Checkout · Major outage');
      expect(await page.locator('section', { has: page.locator('h2', { hasText: 'Scheduled maintenance' }) }).innerText()).toContain('Website moves to a new load balancer');
      expect(await page.locator('.components > li').count()).toBe(3);
      for (const li of await page.locator('.components > li').all()) expect(await li.locator('.bar').count()).toBe(90);
      expect(await page.locator('.components > li').first().locator('.state').innerText()).toBe('Major outage');
      expect(await page.locator('section', { has: page.locator('h2', { hasText: 'Past incidents' }) }).innerText()).toContain('Elevated API error rates');
      // Every bar is visible (not squeezed to nothing), and nothing is wider than the screen.
      const bars = await page.locator('.components > li').first().locator('.bars').boundingBox();
      expect(bars!.width).toBeGreaterThan(Math.min(viewport.width, 860) * 0.85);
      const lastBar = await page.locator('.components > li').first().locator('.bar').last().boundingBox();
      expect(lastBar!.width).toBeGreaterThan(1);
      // The page's own scripts are off; Playwright's evaluation still runs.
      const overflow = await page.evaluate(() => {
        const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
        return g.document.documentElement.scrollWidth - g.innerWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `/tmp/incident-officer-status-${label}.png`, fullPage: true });
      await context.close();
    });
  }

  it('links to its JSON and feed relatively, and they answer', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/status/`);
    const json = await page.request.get(new URL((await page.locator('footer a', { hasText: 'JSON' }).getAttribute('href'))!, page.url()).href);
    expect(json.status()).toBe(200);
    expect((await json.json()).status.indicator).toBe('critical');
    const atom = await page.request.get(new URL((await page.locator('link[rel=alternate]').getAttribute('href'))!, page.url()).href);
    expect(atom.headers()['content-type']).toContain('application/atom+xml');
    await page.close();
  });
});
