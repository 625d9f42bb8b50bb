import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startTestApp, type TestApp } from './support/app.js';
import { findChromium } from './support/chromium.js';
import { FakeClock } from './support/clock.js';
import { declareIncident, lastResponse } from './support/flows.js';

const clock = new FakeClock(new Date());
let t: TestApp;
let browser: Browser;
let link: string;

beforeAll(async () => {
  const chromiumBinary = await findChromium();
  t = await startTestApp({ clock });
  for (const [id, name] of [['UANA', 'ana'], ['UBEN', 'ben']]) t.fake.addUser({ id, name });
  await declareIncident(t, { userId: 'UANA', title: 'Checkout latency', severity: 'SEV1', services: 'checkout' });
  clock.advanceMinutes(30);
  await declareIncident(t, { userId: 'UBEN', title: 'Laptop stolen from car', kind: 'security' });
  clock.advanceMinutes(5);
  const r = await lastResponse(t, (await t.slack.command({ text: 'dashboard', userId: 'UANA', channelId: 'CGENERAL' })).responseUrl);
  link = /(http:\/\/localhost:\d+\/dashboard\?token=\S+)/.exec(r.text)![1];
  browser = await chromium.launch({
    executablePath: chromiumBinary.executablePath,
    env: { ...process.env, ...chromiumBinary.env },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('web dashboard', () => {
  it('answers 401 without a valid link, and for a tampered one', async () => {
    expect((await fetch(`${t.url}/dashboard`)).status).toBe(401);
    expect((await fetch(`${t.url}/dashboard/export.csv`)).status).toBe(401);
    expect((await fetch(`${t.url}/dashboard/incidents/1`)).status).toBe(401);
    const tampered = link.replace(/token=([^.]+)\./, (_m, body: string) => `token=${body.slice(0, -2)}xx.`);
    expect((await fetch(tampered.replace('localhost', '127.0.0.1'), { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${t.url}/dashboard`, { headers: { cookie: 'io_dashboard=forged.value' } })).status).toBe(401);
  });

  it('loads through the signed link in a real browser, with charts, the table and exports', async () => {
    const page = await browser.newPage();
    const response = await page.goto(link);
    expect(response!.status()).toBe(200);
    expect(new URL(page.url()).search).toBe('');
    await expect(page.title()).resolves.toBe('Overview · Incident Officer');
    expect(await page.locator('figure.chart svg').count()).toBe(4);
    expect(await page.locator('figure.chart svg rect.bar').count()).toBeGreaterThan(0);
    const box = await page.locator('figure.chart svg').first().boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    const table = await page.locator('table').innerText();
    expect(table).toContain('Checkout latency');
    expect(table).toContain('Security incident (restricted)');
    expect(table).not.toContain('Laptop stolen');
    await page.screenshot({ path: '/tmp/incident-officer-dashboard.png', fullPage: true });

    await page.getByRole('link', { name: /INC-1$/ }).click();
    expect(await page.locator('h1').innerText()).toBe('INC-1: Checkout latency');
    expect(await page.locator('table').nth(1).innerText()).toContain('declared');

    const csv = await page.request.get(`${new URL(link).origin}/dashboard/export.csv?period=7d`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toMatch(/^ref,title,kind,priority/);
    const timeline = await page.request.get(`${new URL(link).origin}/dashboard/export.json?incident=1`);
    expect((await timeline.json()).timeline[0].kind).toBe('declared');
    await page.close();
  });

  it('filters the table, and keeps restricted incident pages from outsiders', async () => {
    const page = await browser.newPage();
    await page.goto(link);
    await page.selectOption('select[name=priority]', 'P1');
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(new URL(page.url()).searchParams.get('priority')).toBe('P1');
    const table = await page.locator('table').innerText();
    expect(table).toContain('Checkout latency');
    expect(table).not.toContain('Security incident (restricted)');
    const secret = await page.goto(`${new URL(link).origin}/dashboard/incidents/2`);
    expect(secret!.status()).toBe(403);
    await page.close();
  });

  it('reads well on a phone: no sideways scrolling, and notes read exactly as typed', async () => {
    const { channel_id } = await t.app.db.selectFrom('incidents').select('channel_id').where('number', '=', 1).executeTakeFirstOrThrow();
    const typed = '<b>bold</b> & "quotes"';
    for (const note of [typed, `Stack: ${'com.example.checkout.PaymentGatewayClient$Retrying.'.repeat(4)}call`]) {
      const r = await lastResponse(t, (await t.slack.command({ text: `note ${note}`, userId: 'UANA', channelId: channel_id! })).responseUrl);
      expect(r.text).toContain('Added to the INC-1 timeline');
    }
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const width = () => page.evaluate<{ scroll: number; inner: number }>('({ scroll: document.scrollingElement.scrollWidth, inner: innerWidth })');
    await page.goto(link);
    expect(await page.locator('figure.chart svg').count()).toBe(4);
    expect(await width()).toEqual({ scroll: expect.any(Number), inner: 390 });
    expect((await width()).scroll).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '/tmp/incident-officer-dashboard-phone.png', fullPage: true });

    await page.getByRole('link', { name: /INC-1$/ }).click();
    expect(await page.locator('h1').innerText()).toBe('INC-1: Checkout latency');
    expect(await width()).toEqual({ scroll: expect.any(Number), inner: 390 });
    expect((await width()).scroll).toBeLessThanOrEqual(390);
    const timeline = await page.locator('table').nth(1).innerText();
    expect(timeline).toContain(`text: ${typed}`);
    // Shown as text, never as markup.
    expect(await page.locator('main b').count()).toBe(0);
    expect(await page.content()).toContain('text: &lt;b&gt;bold&lt;/b&gt; &amp; "quotes"');
    await page.screenshot({ path: '/tmp/incident-officer-incident-phone.png', fullPage: true });
    await page.close();
  });

  it('links expire', async () => {
    clock.advanceMinutes(61);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(401);
  });
});
