/**
 * Drives the local console in headless Chromium (Debian's `chromium` package, or CHROMIUM_PATH), for the browser
 * test and `npm run screenshot`. playwright-core never downloads a browser; without one this fails loudly.
 */
import { existsSync } from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';

// Functions passed to page.waitForFunction run in the page; the project compiles without the DOM library.
declare const document: any;

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The Chromium to use: CHROMIUM_PATH, else the first of the usual Linux locations that exists. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`);
    return env.CHROMIUM_PATH;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `No Chromium found (looked in ${CANDIDATES.join(', ')}). The console's browser test needs one: ` +
        'apt-get install chromium (bash .ci/run does it), or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface TriedOrder {
  orderId: string;
  /** The basket the page posted, as its conversion request held it. */
  items: Array<{ productId: string; name: string; unitPrice: number; quantity: number }>;
  /** Destination ids shown for the order. */
  vendors: string[];
}

/**
 * On an open console page: clicks "Try it", waits until every destination of the new order shows `sent` in the
 * orders list, and returns the order as posted. The order's detail is open when it returns.
 */
export async function tryIt(page: Page, timeoutMs = 30_000): Promise<TriedOrder> {
  await page.waitForFunction(() => document.getElementById('try-conversion')?.value.includes('orderId'));
  const conversion = JSON.parse(await page.locator('#try-conversion').inputValue()) as { orderId: string; items: TriedOrder['items'] };
  await page.click('#try-button');
  const row = page.locator(`#order-table tbody tr[data-order-id="${conversion.orderId}"]`);
  await row.waitFor({ timeout: timeoutMs });
  await page.waitForFunction(
    (orderId) => {
      const chips: any[] = [...document.querySelectorAll('#order-table tbody tr')]
        .filter((tr: any) => tr.dataset.orderId === orderId)
        .flatMap((tr: any) => [...tr.querySelectorAll('.chip')]);
      return chips.length > 0 && chips.every((c) => c.dataset.status === 'sent');
    },
    conversion.orderId,
    { timeout: timeoutMs },
  );
  const vendors = await row.locator('.chip').evaluateAll((chips) => chips.map((c: any) => String(c.dataset.vendor)));
  await row.click();
  await page.waitForFunction((orderId) => document.getElementById('order-id')?.textContent === orderId, conversion.orderId);
  return { orderId: conversion.orderId, items: conversion.items, vendors };
}
