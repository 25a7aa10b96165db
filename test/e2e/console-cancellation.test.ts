/**
 * A cancelled order in the local console, in headless Chromium: the orders list shows each sale's cancellation next
 * to its vendor (never `awin-cancel` as a vendor of its own) and marks the order cancelled; the order's view shows
 * when and why it was cancelled, the exclusive group's winner, and under Awin its cancellation call with the call the
 * sandbox received; under Kelkoo that its cancellation is unsupported.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { launchChromium } from '../../scripts/console-browser';
import { eventually, StackClient } from '../support/local-stack';

// Functions given to page.evaluate run in the page; the project compiles without the DOM library.
declare const document: any;

const API_KEY = 'console-cancel-key-0123';
let workDir: string;
let stack: LocalStack;
let client: StackClient;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  workDir = mkdtempSync(join(tmpdir(), 'console-cancel-'));
  const port = await freePort();
  const sandbox = `http://127.0.0.1:${port}/sandbox`;
  const configPath = join(workDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: {
        kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `${sandbox}/kelkoo/st` },
        qualityclick: { endpoint: `${sandbox}/qualityclick/get_trans.cgi`, cpid: '1', product: 'Sale' },
      },
      postbacks: {
        awin: {
          clickIdParam: 'awc',
          url: `${sandbox}/awin/sread.php?tt=ss&ref={order.orderId}&cks={clickId}&ch={channel}`,
          cancel: { url: `${sandbox}/awin/cancel.php?ref={order.orderId}&cks={clickId}` },
        },
      },
      attribution: { exclusive: { affiliates: { members: ['qualityclick', 'awin'] } } },
      local: { apiKeys: [API_KEY] },
    }),
  );
  stack = await startLocalStack({ configPath, port, quiet: true, dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT, sqsEndpoint: process.env.TEST_SQS_ENDPOINT });
  client = new StackClient(stack, API_KEY);
  page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

it('shows the cancellation under its sale\'s vendor, the order\'s cancellation and the group\'s winner', async () => {
  const orderId = 'CC-1';
  expect((await client.api('POST', '/v1/clicks', { visitor: { sessionId: 'cc-1' }, params: { awc: 'aw-1', kk: 'kk-1' } })).status).toBe(201);
  const accepted = await client.api('POST', '/v1/conversions', {
    orderId,
    visitor: { sessionId: 'cc-1' },
    currency: 'EUR',
    orderValue: 10,
    items: [{ productId: 'P-1', name: 'Thing', unitPrice: 10, quantity: 1 }],
  });
  expect(accepted.status).toBe(202);
  await eventually(() => client.deliveries(orderId), (ds) => ds.filter((d) => d.status === 'sent').length === 2);
  expect((await client.api('POST', `/v1/conversions/${orderId}/cancellation`, { reason: 'returned' })).status).toBe(200);
  await eventually(
    () => client.deliveries(orderId),
    (ds) => (ds.find((d) => d.vendor === 'awin') as { cancellation?: { status?: string } } | undefined)?.cancellation?.status === 'sent',
  );

  await page.goto(`${stack.baseUrl}/#order=${orderId}`);
  await page.locator('#order-cancellation').waitFor({ timeout: 10_000 });
  // The list: a chip per vendor, the cancellation next to it, the order marked cancelled.
  const listRow = page.locator(`#order-table tr[data-order-id="${orderId}"]`);
  await listRow.locator('.chip.cancel[data-cancellation-of="awin"][data-status="sent"]').waitFor({ timeout: 10_000 });
  expect(await listRow.locator('.chip:not(.cancel)').evaluateAll((chips) => chips.map((c: any) => c.dataset.vendor))).toEqual(['kelkoo', 'qualityclick', 'awin']);
  expect(await listRow.locator('.chip.cancel').evaluateAll((chips) => chips.map((c: any) => `${c.dataset.cancellationOf} ${c.dataset.status}`))).toEqual([
    'kelkoo unsupported',
    'awin sent',
  ]);
  expect(await listRow.locator('.order-cancelled').textContent()).toBe(' cancelled');

  // The order's view.
  expect(await page.locator('#order-cancellation').textContent()).toMatch(/^Cancelled \d\d:\d\d:\d\d · reason: returned$/);
  expect(await page.locator('#order-groups li[data-group="affiliates"]').textContent()).toBe('Exclusive group affiliates: won by awin · {channel} = awin');
  expect(await page.locator('.delivery').evaluateAll((sections) => sections.map((s: any) => s.dataset.vendor))).toEqual(['kelkoo', 'qualityclick', 'awin']);
  expect(await page.locator('.delivery[data-vendor="kelkoo"] .cancellation.unsupported').textContent()).toMatch(/^Cancellation: unsupported/);
  const call = page.locator('.delivery[data-vendor="awin"] .cancellation[data-cancellation-of="awin"]');
  expect(await call.locator('h4').textContent()).toMatch(/^Cancellation call ↩ cancellation sent · 1 attempt · vendor answered 200 · sent \d\d:\d\d:\d\d$/);
  expect(await call.locator('.call .request-line code').allTextContents()).toEqual(['/cancel.php?ref=CC-1&cks=aw-1']);
  expect(pageErrors).toEqual([]);
});
