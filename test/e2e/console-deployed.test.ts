/**
 * The console against a deployed stack (`npm run console -- --deployed`), its deployed code path end to end without
 * AWS: a local stack plays the deployed one (its API answers the status route, its senders write the records), and
 * the console finds it as it finds a real stack – CloudFormation's outputs, the API key in Secrets Manager, DynamoDB,
 * SQS and CloudWatch – through AWS_ENDPOINT_URL and a stand-in that records every call (test/support/deployed-stand-in.ts).
 * Checked: one page at a time from the unsettled index, never a Scan, nothing written; the banner; the request lines
 * of the history decoded (Kelkoo's productsInfos); the README's IAM policy allows every call and grants nothing more;
 * and, in headless Chromium, an order with a failed delivery, its history and the dead-letter depth.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { catalogueOf, destinationsOf } from '../../lambdas/config/destinations';
import { EXAMPLE_CONFIG_PATH } from '../../lambdas/config/load';
import { DELIVERY_METRICS } from '../../lambdas/observability/metrics';
import { deliveryOutputNames } from '../../lib/constructs/naming';
import { tryItSample } from '../../local/console/sample';
import { freePort } from '../../local/services';
import type { LocalStack } from '../../local/stack';
import { launchChromium } from '../../scripts/console-browser';
import { run, RunningConsole, startDeployedConsole } from '../../scripts/console';
import { evaluate, unusedGrants } from '../artifacts/iam';
import { ACCOUNT } from '../artifacts/cloudformation';
import { dynamoClient, sqsClient } from '../support/aws';
import { DeployedStandIn, secretArn, startDeployedStandIn } from '../support/deployed-stand-in';
import { eventually, StackClient, startExampleStack } from '../support/local-stack';

// Functions given to page.evaluate run in the page; the project compiles without the DOM library.
declare const document: any;
declare const getComputedStyle: any;

const STAGE = 'test';
const STACK = `ConversionTracking-${STAGE}`;
const REGION = 'eu-west-1';
const SECRET = 'ApiKeys3BB3983D-a1b2c3d4e5f6';
/** Failed orders: more than one page of PAGE. */
const FAILED = 3;
const PAGE = 2;

let stack: LocalStack;
let client: StackClient;
let standIn: DeployedStandIn;
let running: RunningConsole;
let browser: Browser;
const savedEnv = { ...process.env };
const sqs = sqsClient();
const dynamo = dynamoClient();
let sentOrder: string;
const failedOrders: string[] = [];

/** Where the test leaves its screenshot (git-ignored). */
const SCREENSHOT = join(__dirname, '..', '..', 'test-results', 'console-deployed.png');

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, running.url));
  return { status: response.status, body: await response.json() };
}

/** A visitor with a click id for every destination, and an order of `items` (the sample's basket when absent). */
async function order(token: string, items?: unknown[]): Promise<string> {
  const sample = tryItSample(catalogueOf(destinationsOf(stack.config)), token);
  expect((await client.api('POST', '/v1/clicks', sample.capture)).status).toBe(201);
  expect((await client.api('POST', '/v1/identify', sample.identify)).status).toBe(200);
  const conversion = { ...sample.conversion, ...(items ? { items, orderValue: 79.9, netValue: 66.58 } : {}) };
  expect((await client.api('POST', '/v1/conversions', conversion)).status).toBe(202);
  const orderId = String(sample.conversion.orderId);
  await eventually(
    () => client.deliveries(orderId),
    (ds) => ds.every((d) => ['sent', 'failed', 'skipped'].includes(d.status)),
  );
  return orderId;
}

beforeAll(async () => {
  mkdirSync(join(__dirname, '..', '..', 'test-results'), { recursive: true });
  browser = await launchChromium();
  stack = await startExampleStack();
  client = new StackClient(stack, 'local-dev-key');
  // A typical order of two lines, sent to every vendor; then orders QUALITYCLICK refuses (failed, unsettled).
  sentOrder = await order('sent01', [
    { productId: 'P140490', name: 'Boite de 1000 lamelles en bois Lamello en 20', unitPrice: 30.5, quantity: 1 },
    { productId: 'P108530', name: 'Serre joints écarteur Quick Grip 300 mm', unitPrice: 18.7, quantity: 2 },
  ]);
  await client.setBehaviour('qualityclick', { status: 400, body: 'unknown cpid' });
  failedOrders.push(...(await Promise.all(Array.from({ length: FAILED }, (_, i) => order(`fail0${i}`)))));
  await client.setBehaviour('qualityclick', null);

  standIn = await startDeployedStandIn({
    dynamodb: process.env.TEST_DYNAMODB_ENDPOINT!,
    sqs: process.env.TEST_SQS_ENDPOINT!,
    secrets: { [secretArn(REGION, SECRET)]: JSON.stringify({ primary: 'local-dev-key' }) },
    stacks: (queueUrl) => ({
      [STACK]: [
        { key: 'ApiUrl', value: `${stack.baseUrl}/` },
        { key: 'ApiKeysSecretArn', value: secretArn(REGION, SECRET) },
        { key: 'TableName', value: stack.tableName },
        { key: 'ServiceName', value: `conversion-tracking-${STAGE}` },
        ...Object.entries(stack.queueUrls).flatMap(([id, urls]) => [
          { key: deliveryOutputNames(id).queueUrl, value: queueUrl(urls.queue), description: `Delivery queue of ${id}` },
          { key: deliveryOutputNames(id).deadLetterQueueUrl, value: queueUrl(urls.deadLetterQueue), description: `Dead-letter queue of ${id}; redrive with npm run redrive -- ${id}` },
        ]),
      ],
    }),
    metric: (name, destination) => (name === DELIVERY_METRICS.sent ? (destination === 'qualityclick' ? 1 : 6) : name === DELIVERY_METRICS.failed && destination === 'qualityclick' ? FAILED : undefined),
  });
  // The operator's AWS: credentials of the local services' kind, every client sent to the stand-in.
  Object.assign(process.env, { AWS_ENDPOINT_URL: standIn.endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: REGION });
  delete process.env.AWS_PROFILE;
  running = await startDeployedConsole({ stackName: STACK, stage: STAGE, region: REGION, port: 0, config: stack.config });
});

afterAll(async () => {
  process.env = savedEnv;
  await browser?.close();
  await running?.stop();
  await standIn?.stop();
  await stack?.stop();
  sqs.destroy();
  dynamo.destroy();
});

const WRITES = /^(dynamodb:(Put|Update|Delete|BatchWrite|TransactWrite)|sqs:(Send|Delete|ChangeMessageVisibility|Purge|StartMessageMoveTask)|secretsmanager:Put)/;

describe('the deployed data path', () => {
  it('names the stack, stage and region, and offers "try it" only as a dry run sample', async () => {
    const { status, body } = await get('/local/info');
    expect(status).toBe(200);
    expect(body).toMatchObject({ mode: 'deployed', deployed: { stackName: STACK, stage: STAGE, region: REGION, apiUrl: stack.baseUrl } });
    expect(body).not.toHaveProperty('apiKey');
    expect(body.destinations.map((d: { id: string }) => d.id).sort()).toEqual(Object.keys(stack.queueUrls).sort());
  });

  it('lists the unsettled orders a page at a time, newest first, from the index – never a Scan', async () => {
    const first = await get(`/local/orders?limit=${PAGE}`);
    expect(first.status).toBe(200);
    expect(first.body.orders).toHaveLength(PAGE);
    expect(typeof first.body.cursor).toBe('string');
    const failedAt = (o: { deliveries: Array<{ vendor: string; updatedAt: string }> }) => o.deliveries.find((d) => d.vendor === 'qualityclick')!.updatedAt;
    const seen: Array<{ orderId: string; at: string }> = first.body.orders.map((o: any) => ({ orderId: o.orderId, at: failedAt(o) }));
    let cursor: string | undefined = first.body.cursor;
    for (let pages = 1; cursor; pages++) {
      expect(pages).toBeLessThan(FAILED);
      const next = await get(`/local/orders?limit=${PAGE}&cursor=${encodeURIComponent(cursor)}`);
      expect(next.status).toBe(200);
      seen.push(...next.body.orders.map((o: any) => ({ orderId: o.orderId, at: failedAt(o) })));
      cursor = next.body.cursor;
    }
    // Each failed order once, newest failure first; the sent order is not listed (it is opened by its id).
    expect(seen.map((o) => o.orderId).sort()).toEqual([...failedOrders].sort());
    expect(seen.map((o) => o.at)).toEqual(seen.map((o) => o.at).sort().reverse());
    const failed = first.body.orders[0].deliveries.find((d: { vendor: string }) => d.vendor === 'qualityclick');
    expect(failed).toMatchObject({ status: 'failed', vendorStatus: 400 });

    expect((await get('/local/orders?limit=0')).body.error.details).toEqual([expect.objectContaining({ field: 'limit' })]);
    const forged = Buffer.from(JSON.stringify({ failed: { pk: 'CLICK#x', sk: 'y', unsettledStatus: 'failed', unsettledAt: '2026-01-01T00:00:00.000Z' } })).toString('base64url');
    const refused = await get(`/local/orders?cursor=${forged}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it("opens any order by its id: each attempt's request line decoded, Kelkoo's productsInfos whole, and the status route's view", async () => {
    const { status, body } = await get(`/local/orders/${encodeURIComponent(sentOrder)}`);
    expect(status).toBe(200);
    const kelkoo = body.deliveries.find((d: { vendor: string }) => d.vendor === 'kelkoo');
    expect(kelkoo).toMatchObject({ status: 'sent', name: 'Kelkoo Group' });
    expect(kelkoo.calls).toHaveLength(1);
    expect(kelkoo.calls[0]).toMatchObject({ source: 'history', method: 'GET', status: 200, outcome: 'sent' });
    expect(kelkoo.calls[0].decoded.productsInfos.lines).toEqual([
      { productname: 'Boite de 1000 lamelles en bois Lamello en 20', productid: 'P140490', price: 30.5, quantity: 1 },
      { productname: 'Serre joints écarteur Quick Grip 300 mm', productid: 'P108530', price: 18.7, quantity: 2 },
    ]);
    expect(body.presented.deliveries.map((d: { vendor: string; status: string }) => d.status)).toEqual(body.deliveries.map((d: { status: string }) => d.status));

    const failed = (await get(`/local/orders/${encodeURIComponent(failedOrders[0]!)}`)).body;
    const qualityclick = failed.deliveries.find((d: { vendor: string }) => d.vendor === 'qualityclick');
    expect(qualityclick.history).toEqual([expect.objectContaining({ outcome: 'failed', httpStatus: 400, response: 'unknown cpid' })]);
    expect((await get('/local/orders/NOPE-1')).status).toBe(404);
  });

  it('shows queue and dead-letter depths, and the per-vendor numbers of npm run report', async () => {
    const { body } = await get('/local/queues');
    // A refused sale is parked in its dead-letter queue (docs/RELIABILITY.md).
    expect(body.queues.find((q: { destination: string }) => q.destination === 'qualityclick')).toEqual({ destination: 'qualityclick', waiting: 0, inFlight: 0, deadLetters: FAILED });
    expect(body.queues.find((q: { destination: string }) => q.destination === 'kelkoo')).toEqual({ destination: 'kelkoo', waiting: 0, inFlight: 0, deadLetters: 0 });
    const metrics = await get('/local/metrics?days=7');
    expect(metrics.body.rows.find((r: { vendor: string }) => r.vendor === 'qualityclick')).toMatchObject({ sent: 1, failed: FAILED });
    expect((await get('/local/metrics?days=99')).body.error.details).toEqual([expect.objectContaining({ field: 'days' })]);
  });

  it('npm run console: --stage (or --deployed) serves it on 127.0.0.1; without, it points to npm start', async () => {
    const err: string[] = [];
    expect(await run([], { out: () => undefined, err: (l) => err.push(l) })).toBe(1);
    expect(err[0]).toMatch(/^The local stack's console is served by npm start itself/);
    const out: string[] = [];
    let started: RunningConsole | undefined;
    const argv = ['--stage', STAGE, '--region', REGION, '--listen', String(await freePort()), '--config', EXAMPLE_CONFIG_PATH];
    expect(await run(argv, { out: (l) => out.push(l), err: (l) => out.push(l) }, (r) => (started = r))).toBe(0);
    try {
      expect(out).toEqual([expect.stringMatching(new RegExp(`^Console of stack ${STACK} in ${REGION} \\(read-only\\) at http://localhost:\\d+/`))]);
      const info = (await (await fetch(new URL('/local/info', started!.url))).json()) as { deployed: { stage: string } };
      expect(info.deployed.stage).toBe(STAGE);
    } finally {
      await started?.stop();
    }
  });

  it('answers GET only, on localhost only', async () => {
    expect((await fetch(new URL('/local/orders', running.url), { method: 'POST' })).status).toBe(405);
    // fetch will not set Host: a raw request does, as a DNS-rebinding page's would arrive.
    const foreign = await new Promise<number>((resolve, reject) => {
      const url = new URL('/local/info', running.url);
      request({ host: '127.0.0.1', port: url.port, path: url.pathname, headers: { host: `evil.example:${url.port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(foreign).toBe(403);
  });

  it('keeps a sent delivery record of a typical two-line order within 1 KB (one write unit)', async () => {
    const sizes: Record<string, number> = {};
    for (const destination of Object.keys(stack.queueUrls)) {
      const { Item } = await dynamo.send(new GetItemCommand({ TableName: stack.tableName, Key: { pk: { S: `ORDER#${sentOrder}` }, sk: { S: `DELIVERY#${destination}` } } }));
      if (!Item || unmarshall(Item).status !== 'sent') continue;
      sizes[destination] = itemBytes(Item);
    }
    expect(Object.keys(sizes).length).toBeGreaterThanOrEqual(5);
    writeFileSync(join(__dirname, '..', '..', 'test-results', 'delivery-record-sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
    for (const [destination, bytes] of Object.entries(sizes)) expect({ destination, bytes: Math.min(bytes, 1024) }).toEqual({ destination, bytes });
  });

});

describe('in Chromium', () => {
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(running.url);
  });

  it('shows the banner in its own colour, an order with a failed delivery, its history and the dead-letter depth', async () => {
    await page.locator('#banner-stack').waitFor();
    expect(await page.locator('#banner').textContent()).toContain(`Deployed stack ${STACK} · stage ${STAGE} · region ${REGION}`);
    const header = await page.locator('header').evaluate((el: any) => getComputedStyle(el).backgroundColor);
    expect(header).toBe('rgb(91, 26, 11)');
    expect(await page.locator('#sandbox-link').isVisible()).toBe(false);

    const shown = failedOrders[0]!;
    const row = page.locator(`#order-table tbody tr[data-order-id="${shown}"]`);
    await row.waitFor();
    expect(await row.locator('.chip[data-vendor="qualityclick"]').getAttribute('data-status')).toBe('failed');
    await row.click();
    await page.waitForFunction((id) => document.getElementById('order-id')?.textContent === id, shown);
    const qualityclick = page.locator('.delivery[data-vendor="qualityclick"]');
    expect(await qualityclick.locator('.error').textContent()).toContain('Last error');
    await qualityclick.locator('details.history summary').click();
    expect(await qualityclick.locator('table.history tbody tr td').nth(1).textContent()).toBe('failed');
    expect(await qualityclick.locator('table.history tbody tr td').nth(2).textContent()).toBe('400');
    expect(await qualityclick.locator('.call .answer').allTextContents()).toEqual([' → 400']);
    expect(await page.locator('#presented').textContent()).toContain('qualityclick failed');
    // The sample's five lines are more than the history keeps whole: the page says so.
    expect(await page.locator('.delivery[data-vendor="kelkoo"] .call .error').textContent()).toMatch(/^productsInfos is cut: the attempt history keeps the first 25\d bytes/);

    await page.waitForFunction((n) => document.querySelector('#queue-table tr[data-destination="qualityclick"] td.dlq')?.textContent === String(n), FAILED);
    await page.locator('#metric-table tr[data-vendor="qualityclick"]').waitFor();

    // More: the next page of unsettled orders.
    expect(await page.locator('#orders-more').isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  it('makes "try it" a dry run: the requests shown, labelled, and nothing sent', async () => {
    const before = (await client.sandboxCalls()).length;
    const callsBefore = standIn.calls.length;
    await page.waitForFunction(() => document.getElementById('try-conversion')?.value.includes('orderId'));
    await page.click('#try-button');
    await page.locator('#try-result .dry-run-label').waitFor();
    expect(await page.locator('#try-result .dry-run-label').textContent()).toBe('DRY RUN');
    expect(await page.locator('#try-result .request-line code').allTextContents()).toEqual(['/v1/clicks', '/v1/identify', '/v1/conversions'].map((p) => `POST ${stack.baseUrl}${p}`));
    await page.locator('#order-lookup-id').fill(sentOrder);
    await page.locator('#order-lookup button').click();
    await page.waitForFunction((id) => document.getElementById('order-id')?.textContent === id, sentOrder);
    expect(await page.locator('.delivery[data-vendor="kelkoo"] table.products tbody tr').count()).toBe(2);
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    expect((await client.sandboxCalls()).length).toBe(before);
    expect(standIn.calls.slice(callsBefore).filter((c) => WRITES.test(c.action))).toEqual([]);
    expect(errors).toEqual([]);
  });
});

// After everything above, so that every call the console made is judged.
describe('every call the console made', () => {
  it('never scans and writes nothing: reads only, every one of them', () => {
    const actions = new Set(standIn.calls.map((c) => c.action));
    expect(actions.has('dynamodb:Scan')).toBe(false);
    expect([...actions].filter((a) => WRITES.test(a))).toEqual([]);
    expect([...actions].sort()).toEqual(
      ['cloudformation:DescribeStacks', 'cloudwatch:GetMetricData', 'dynamodb:Query', 'secretsmanager:GetSecretValue', 'sqs:GetQueueAttributes'].sort(),
    );
  });
});

describe("the README's IAM policy for the deployed console", () => {
  /** The policy as the README shows it, with the placeholders an operator fills in. */
  function readmePolicy(): { Statement: Array<Record<string, unknown>> } {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- console-policy -->\s*```json\n([\s\S]*?)\n```/.exec(readme);
    if (!block) throw new Error('README.md has no ```json block after <!-- console-policy -->');
    const filled = block[1]!
      .replace(/<region>/g, REGION)
      .replace(/<account>/g, ACCOUNT)
      .replace(/<stage>/g, STAGE)
      .replace(/<ApiKeysSecretArn>/g, secretArn(REGION, SECRET));
    return JSON.parse(filled) as { Statement: Array<Record<string, unknown>> };
  }

  /** The local table's and queues' names as a deployment names them (CDK's generated names start with the stack's). */
  function asDeployed(resource: string): string {
    let arn = resource.replace(`table/${stack.tableName}`, `table/${STACK}-TrackingTable1A2B3C4D-0123456789AB`);
    for (const [id, urls] of Object.entries(stack.queueUrls)) {
      arn = arn.replace(new RegExp(`:${urls.queue.split('/').pop()}$`), `:${STACK}-delivery-${id}`);
      arn = arn.replace(new RegExp(`:${urls.deadLetterQueue.split('/').pop()}$`), `:${STACK}-${id}DeadLetterQueue12345678-AbCdEfGhIjKl`);
    }
    return arn;
  }

  it('allows every call the console made, and grants nothing none of them used', () => {
    const statements = readmePolicy().Statement as never[];
    const calls = standIn.calls.map((c) => ({ action: c.action, resource: asDeployed(c.resource) }));
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.filter((c) => evaluate(statements, c) !== 'allowed')).toEqual([]);
    expect(unusedGrants(statements, calls)).toEqual([]);
    // Another stage's resources are not granted.
    expect(evaluate(statements, { action: 'dynamodb:Query', resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/ConversionTracking-prod-TrackingTable1-X` })).toBe('implicit-deny');
  });
});

/** An item's size as DynamoDB bills it: attribute names and values in bytes (the rules of bench/replay-storage.ts). */
function itemBytes(item: Record<string, any>): number {
  const value = (v: any): number => {
    if (v.S !== undefined) return Buffer.byteLength(v.S);
    if (v.N !== undefined) return Math.ceil(Math.max(v.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length, 1) / 2) + 1;
    if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
    if (v.L) return 3 + v.L.reduce((sum: number, e: any) => sum + 1 + value(e), 0);
    if (v.M) return 3 + Object.entries(v.M).reduce((sum: number, [k, e]) => sum + 1 + Buffer.byteLength(k) + value(e), 0);
    if (v.SS) return v.SS.reduce((sum: number, s: string) => sum + Buffer.byteLength(s), 0);
    throw new Error(`no size rule for ${JSON.stringify(v)}`);
  };
  return Object.entries(item).reduce((sum, [name, v]) => sum + Buffer.byteLength(name) + value(v), 0);
}
