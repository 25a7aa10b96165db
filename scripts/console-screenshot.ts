/**
 * `npm run screenshot [-- --deployed]`: regenerates the README's pictures of the console.
 *
 * - docs/console.png, the local console: starts a local stack of its own (shipped example configuration, a free
 *   port), runs "try it" in headless Chromium, looks up the sample's user, and photographs the page.
 * - docs/console-deployed.png (`--deployed`), the deployed console: the same local stack plays a deployed one – an
 *   order sent to every vendor, then orders QUALITYCLICK refuses – and the console finds it through stand-ins of
 *   CloudFormation, Secrets Manager and CloudWatch (scripts/console-stand-in.ts, reached through AWS_ENDPOINT_URL) as
 *   it would find stack ConversionTracking-prod; the page shows a failed order with its history and the queues.
 */
import { join, relative } from 'node:path';
import { EXAMPLE_CONFIG_PATH } from '../lambdas/config/load';
import { DELIVERY_METRICS } from '../lambdas/observability/metrics';
import { freePort } from '../local/services';
import { startLocalStack } from '../local/stack';
import { launchChromium, tryIt } from './console-browser';
import { startDeployedConsole } from './console';
import { behaviour, order, standInOutputs } from './console-orders';
import { startConsoleStandIn } from './console-stand-in';

// Functions passed to page.waitForFunction run in the page; the project compiles without the DOM library.
declare const document: any;

const LOCAL_OUTPUT = join(__dirname, '..', 'docs', 'console.png');
const DEPLOYED_OUTPUT = join(__dirname, '..', 'docs', 'console-deployed.png');

async function local(): Promise<void> {
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
    await page.screenshot({ path: LOCAL_OUTPUT });
    process.stdout.write(`Wrote ${relative(process.cwd(), LOCAL_OUTPUT)} (order ${order.orderId}: ${order.vendors.join(', ')} sent)\n`);
  } finally {
    await browser.close();
    await stack.stop();
  }
}

async function deployed(): Promise<void> {
  const stage = 'prod';
  const stackName = `ConversionTracking-${stage}`;
  const region = 'eu-west-1';
  const secretArn = `arn:aws:secretsmanager:${region}:000000000000:secret:ApiKeys3BB3983D-a1b2c3d4e5f6-AbCdEf`;
  const browser = await launchChromium();
  const stack = await startLocalStack({ configPath: EXAMPLE_CONFIG_PATH, port: await freePort(), quiet: true });
  const saved = { ...process.env };
  try {
    await order(stack, 'a1b2c3');
    await behaviour(stack, 'qualityclick', { status: 400, body: 'Fehler: unbekannte cpid' });
    const failed = [await order(stack, 'd4e5f6'), await order(stack, '0718ab')];
    await behaviour(stack, 'qualityclick', null);
    const standIn = await startConsoleStandIn({
      dynamodb: stack.dynamoEndpoint,
      sqs: stack.sqsEndpoint,
      secrets: { [secretArn]: JSON.stringify({ primary: stack.apiKeys[0] }) },
      stacks: (queueUrl) => ({ [stackName]: standInOutputs(stack, stage, secretArn, queueUrl) }),
      metric: (name, destination) =>
        name === DELIVERY_METRICS.queued ? 3 : name === DELIVERY_METRICS.sent ? (destination === 'qualityclick' ? 1 : 3) : name === DELIVERY_METRICS.failed && destination === 'qualityclick' ? 2 : undefined,
    });
    Object.assign(process.env, { AWS_ENDPOINT_URL: standIn.endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: region });
    delete process.env.AWS_PROFILE;
    const running = await startDeployedConsole({ stackName, stage, region, port: 0, config: stack.config });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 1080 } });
      await page.goto(running.url);
      const row = page.locator(`#order-table tbody tr[data-order-id="${failed[1]}"]`);
      await row.waitFor({ timeout: 30_000 });
      await row.click();
      await page.waitForFunction((id) => document.getElementById('order-id')?.textContent === id, failed[1]);
      const qualityclick = page.locator('.delivery[data-vendor="qualityclick"]');
      await qualityclick.locator('details.history summary').click();
      await page.waitForFunction(() => document.querySelector('#queue-table tr[data-destination="qualityclick"] td.dlq')?.textContent === '2');
      await page.locator('#metric-table tr[data-vendor="qualityclick"]').waitFor();
      await qualityclick.scrollIntoViewIfNeeded();
      await page.screenshot({ path: DEPLOYED_OUTPUT });
      process.stdout.write(`Wrote ${relative(process.cwd(), DEPLOYED_OUTPUT)} (order ${failed[1]}: qualityclick failed)\n`);
    } finally {
      await running.stop();
      await standIn.stop();
    }
  } finally {
    process.env = saved;
    await browser.close();
    await stack.stop();
  }
}

(process.argv.includes('--deployed') ? deployed() : local()).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
