/**
 * The local console in a real browser (headless Chromium, see scripts/console-browser.ts): the "try it" flow
 * reaches every vendor, the order shows what each one received, decoded; hostile values stay text; the sandbox's
 * violations are highlighted. Also its routes over plain HTTP. Without a Chromium this fails – it never skips.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { EXAMPLE_CONFIG_PATH } from '../../lambdas/config/load';
import { freePort } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { launchChromium, tryIt } from '../../scripts/console-browser';
import { eventually, StackClient } from '../support/local-stack';

// Functions given to page.evaluate run in the page; the project compiles without the DOM library.
declare const document: any;
declare const window: any;

/** Where the test leaves its screenshot (git-ignored). */
const SCREENSHOT = join(__dirname, '..', '..', 'test-results', 'console.png');

let stack: LocalStack;
let client: StackClient;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const startOn = async (configPath: string, port: number) =>
  startLocalStack({ configPath, port, quiet: true, dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT, sqsEndpoint: process.env.TEST_SQS_ENDPOINT });

beforeAll(async () => {
  // The browser first: without one, fail at once with the message saying how to get it.
  browser = await launchChromium();
  stack = await startOn(EXAMPLE_CONFIG_PATH, await freePort());
  client = new StackClient(stack, 'local-dev-key');
  page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('routes', () => {
  it('serves the page with a policy that forbids inline script, on localhost only', async () => {
    const response = await fetch(`${stack.baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('unsafe-inline');
    const html = await response.text();
    // No inline script at all: the only script element loads the module from a file.
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="/console/app.js">']);

    // A page elsewhere reaching it through a rebound DNS name is refused.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${stack.baseUrl}/local/info`, { headers: { host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('answers bad requests with a 4xx naming the problem', async () => {
    const get = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${stack.baseUrl}${path}`, init);
      return { status: response.status, body: (await response.json()) as { error: { message: string } } };
    };
    expect(await get('/local/orders?limit=0')).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('limit') } } });
    expect(await get('/local/orders/%E0%A4%A')).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('orderId') } } });
    expect(await get('/local/orders/no-such-order')).toMatchObject({ status: 404 });
    expect(await get('/local/visitors?sessionId=')).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('sessionId') } } });
    expect(await get('/local/visitors?cookie=1')).toMatchObject({ status: 400 });
    expect(await get('/local/visitors')).toMatchObject({ status: 400 });
    expect(await get('/local/orders', { method: 'DELETE' })).toMatchObject({ status: 405 });
    expect(await get('/local/nothing')).toMatchObject({ status: 404 });
  });
});

describe('in Chromium', () => {
  it('runs "try it": every vendor turns sent, and the order shows the decoded Kelkoo lines of the basket posted', async () => {
    await page.goto(`${stack.baseUrl}/`);
    const started = Date.now();
    const order = await tryIt(page);
    const seconds = (Date.now() - started) / 1000;
    expect(order.vendors).toEqual(['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor', 'awin']);
    expect(order.items.length).toBeGreaterThan(1);

    // The page's "sent" agrees with the API's.
    const deliveries = await client.deliveries(order.orderId);
    expect(deliveries.map((d) => d.status)).toEqual(order.vendors.map(() => 'sent'));

    const kelkoo = page.locator('.delivery[data-vendor="kelkoo"]');
    const lines = await kelkoo.locator('table.products tbody tr').evaluateAll((rows) => rows.map((row: any) => [...row.cells].map((cell: any) => cell.textContent)));
    expect(lines).toEqual(order.items.map((item) => [item.name, item.productId, String(item.unitPrice), String(item.quantity)]));

    // Every destination shows its call(s), checked by the sandbox, and where the click id came from.
    for (const vendor of order.vendors) {
      const section = page.locator(`.delivery[data-vendor="${vendor}"]`);
      expect(await section.locator('.call').count()).toBeGreaterThan(0);
      expect(await section.locator('.call.violating').count()).toBe(0);
      expect(await section.locator('.attribution li').count()).toBeGreaterThan(0);
    }
    // Raptor: one call per basket line, each with ruid decoded back to the user id of the sample.
    const userId = `u-${order.orderId.split('-').pop()}`;
    expect(await page.locator('.delivery[data-vendor="raptor"] .ruid').allTextContents()).toEqual(order.items.map(() => userId));
    // Kelkoo's kk: captured under the session, found through the user the order named.
    const kk = await kelkoo.locator('.attribution li').first().textContent();
    expect(kk).toMatch(new RegExp(`^kk = 66b5837-16afefa0c40-1b540 · captured \\d\\d:\\d\\d:\\d\\d under session s-\\w+ \\(reached from user ${userId}\\)$`));
    // Klevu's event, pretty-printed.
    const klevu = JSON.parse((await page.locator('.delivery[data-vendor="klevu"] details.json pre').textContent()) ?? '');
    expect(klevu[0]).toMatchObject({ event: 'order_purchase', event_data: { items: expect.any(Array) } });
    expect(await page.locator('.delivery[data-vendor="klevu"] details.json pre').textContent()).toContain('\n    "event": "order_purchase"');

    // The visitor lookup: the user reaches the session and its live click ids with their expiry.
    await page.selectOption('#visitor-kind', 'userId');
    await page.fill('#visitor-value', userId);
    await page.click('#visitor-form button');
    const session = page.locator('.visitor-key', { hasText: 'reached from user' });
    await session.waitFor();
    expect(await session.locator('ul.clicks li').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^kk = 66b5837-16afefa0c40-1b540 · captured .* · expires \d{4}-\d\d-\d\d \d\d:\d\d$/)]),
    );

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    expect(pageErrors).toEqual([]);
    // Reported in the test output: how long a newcomer waits after clicking.
    process.stdout.write(`console "try it": every vendor sent after ${seconds.toFixed(1)} s\n`);
  });

  it('shows a value holding <script> as text, the attempts of a retried call, and the policy blocks inline script', async () => {
    const hostile = '<script>window.__injected = 1</script><img src=x onerror="window.__injected = 2">';
    const orderId = `X-<script>window.__injected=3</script>`;
    expect((await client.api('POST', '/v1/clicks', { visitor: { sessionId: 'xss-1' }, params: { kk: 'kk-<b>bold</b>' } })).status).toBe(201);
    // Kelkoo's first call is answered 503: the order shows both attempts.
    await client.setBehaviour('kelkoo', { status: 503, times: 1 });
    const accepted = await client.api('POST', '/v1/conversions', {
      orderId,
      visitor: { sessionId: 'xss-1' },
      currency: 'EUR',
      orderValue: 10,
      items: [{ productId: 'P-1', name: hostile, unitPrice: 10, quantity: 1 }],
    });
    expect(accepted.status).toBe(202);
    await eventually(() => client.deliveries(orderId), (ds) => ds.find((d) => d.vendor === 'kelkoo')?.status === 'sent');

    await page.goto(`${stack.baseUrl}/#order=${encodeURIComponent(orderId)}`);
    await page.waitForFunction((id) => document.getElementById('order-id')?.textContent === id, orderId, { timeout: 10_000 });
    await page.locator('.delivery[data-vendor="kelkoo"] table.products').first().waitFor();
    expect(await page.locator('.delivery[data-vendor="kelkoo"] table.products tbody td').first().textContent()).toBe(hostile);
    expect(await page.locator(`#order-table tr[data-order-id="${orderId.replace(/"/g, '\\"')}"] code`).textContent()).toBe(orderId);
    // Newest first: this order was reported after the try-it one.
    expect(await page.locator('#order-table tbody tr').evaluateAll((rows) => rows.map((row: any) => row.dataset.orderId))).toEqual([orderId, expect.stringMatching(/^CMD0572084-/)]);
    expect(await page.locator('.delivery[data-vendor="kelkoo"] .attribution li').first().textContent()).toMatch(/^kk = kk-<b>bold<\/b> · /);
    await page.waitForFunction(() => document.querySelectorAll('.delivery[data-vendor="kelkoo"] .call').length === 2, undefined, { timeout: 10_000 });
    expect(await page.locator('.delivery[data-vendor="kelkoo"] .call .answer').allTextContents()).toEqual([' → 503', ' → 200']);
    expect(await page.locator('.delivery[data-vendor="kelkoo"] h3').textContent()).toMatch(/^kelkoo sent ×2 Kelkoo Group · 2 attempts · vendor answered 200 · sent \d\d:\d\d:\d\d$/);

    const dom = await page.evaluate(() => ({
      injected: window.__injected,
      scripts: document.querySelectorAll('script').length,
      images: document.querySelectorAll('img').length,
      bold: document.querySelectorAll('#order b').length - document.querySelectorAll('#order .chip b, #order .request-line b').length,
    }));
    expect(dom).toEqual({ injected: undefined, scripts: 1, images: 0, bold: 0 });

    // Even script the page itself inserted inline does not run: the policy, not only the escaping, stops it.
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = true';
      document.body.append(script);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return window.__inline === true;
    });
    expect(ran).toBe(false);
  });
});

describe('violations', () => {
  let workDir: string;
  let other: LocalStack;
  afterAll(async () => {
    await other?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('highlights what the sandbox found wrong in a call', async () => {
    // A postback pointed at QUALITYCLICK's sandbox path is checked against QUALITYCLICK's document: it breaks it.
    workDir = mkdtempSync(join(tmpdir(), 'console-'));
    const port = await freePort();
    const configPath = join(workDir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        vendors: {},
        postbacks: { misrouted: { clickIdParam: 'mr', url: `http://127.0.0.1:${port}/sandbox/qualityclick/get_trans.cgi?ref={order.orderId}&cks={clickId}` } },
        local: { apiKeys: ['console-key-0123'] },
      }),
    );
    other = await startOn(configPath, port);
    const api = new StackClient(other, 'console-key-0123');
    expect((await api.api('POST', '/v1/clicks', { visitor: { sessionId: 'v-1' }, params: { mr: 'mr-1' } })).status).toBe(201);
    expect((await api.api('POST', '/v1/conversions', { orderId: 'V-1', visitor: { sessionId: 'v-1' }, currency: 'EUR', orderValue: 1, items: [{ productId: 'p', name: 'n', unitPrice: 1, quantity: 1 }] })).status).toBe(202);
    const recorded = await eventually(() => api.sandboxCalls('qualityclick'), (calls) => calls.length > 0);
    expect(recorded[0]!.violations.length).toBeGreaterThan(0);

    await page.goto(`${other.baseUrl}/#order=V-1`);
    const call = page.locator('.delivery[data-vendor="misrouted"] .call.violating').first();
    await call.waitFor();
    expect(await call.locator('.violations li').allTextContents()).toEqual(recorded[0]!.violations);
    const colours = await call.locator('.violations').evaluate((list: any) => {
      const style = getComputedStyle(list);
      return { color: style.color, background: style.backgroundColor };
    });
    // Red text on a red tint (style.css --bad, --bad-bg), not the page's ink.
    expect(colours).toEqual({ color: 'rgb(180, 35, 24)', background: 'rgb(253, 231, 228)' });
  });
});

declare function getComputedStyle(element: unknown): { color: string; backgroundColor: string };
