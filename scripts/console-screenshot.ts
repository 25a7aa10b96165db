/**
 * `npm run screenshot`: regenerates docs/console.png, the README's picture of the local console. Starts a local
 * stack of its own (shipped example configuration, a free port), runs "try it" in headless Chromium, looks up the
 * sample's user, and photographs the page.
 */
import { join, relative } from 'node:path';
import { EXAMPLE_CONFIG_PATH } from '../lambdas/config/load';
import { freePort } from '../local/services';
import { startLocalStack } from '../local/stack';
import { launchChromium, tryIt } from './console-browser';

const OUTPUT = join(__dirname, '..', 'docs', 'console.png');

async function main(): Promise<void> {
  const browser = await launchChromium();
  const stack = await startLocalStack({ configPath: EXAMPLE_CONFIG_PATH, port: await freePort(), quiet: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1080 } });
    await page.goto(`${stack.baseUrl}/`);
    const order = await tryIt(page, 60_000);
    await page.selectOption('#visitor-kind', 'userId');
    await page.fill('#visitor-value', `u-${order.orderId.split('-').pop()}`);
    await page.click('#visitor-form button');
    await page.locator('.visitor-key', { hasText: 'reached from user' }).waitFor();
    await page.screenshot({ path: OUTPUT });
    process.stdout.write(`Wrote ${relative(process.cwd(), OUTPUT)} (order ${order.orderId}: ${order.vendors.join(', ')} sent)\n`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
