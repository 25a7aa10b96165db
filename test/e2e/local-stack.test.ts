/**
 * The local stack end to end, over real HTTP: API → DynamoDB Local → SQS → poller → sender → vendor sandbox.
 * The stacks share the suite's DynamoDB Local and SQS server (each has its own table and queues) and send
 * every vendor call to their own sandbox.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ConfigurationError } from '../../lambdas/core/errors';
import { chooseConfig, DEFAULT_CONFIG_PATH, EXAMPLE_CONFIG_PATH, loadConfig } from '../../lambdas/config/load';
import { failedMessageIds } from '../../local/poller';
import { freePort, LOCAL_AWS } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { eventually, RecordedCall, sleep, StackClient } from '../support/local-stack';

const API_KEY = 'e2e-test-key-0123';
const REFERER = 'https://www.shop.example';

let workDir: string;
const stacks: LocalStack[] = [];

/** Starts a stack on a port chosen beforehand, with a config whose vendor endpoints point at that stack's sandbox. */
async function startStack(delivery: { maxAttempts: number; retryFor?: string; retryBaseSeconds: number; timeoutMs: number }): Promise<LocalStack> {
  const port = await freePort();
  const sandbox = `http://127.0.0.1:${port}/sandbox`;
  const configPath = join(workDir, `config-${port}.json`);
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: {
        kelkoo: { country: 'fr', comId: '100475501', referer: REFERER, endpoint: `${sandbox}/kelkoo/st` },
        qualityclick: { endpoint: `${sandbox}/qualityclick/get_trans.cgi`, cpid: '1', product: 'Sale' },
      },
      delivery,
      local: { apiKeys: [API_KEY] },
    }),
  );
  const stack = await startLocalStack({
    configPath,
    port,
    quiet: true,
    dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT,
    sqsEndpoint: process.env.TEST_SQS_ENDPOINT,
  });
  stacks.push(stack);
  return stack;
}

const client = (stack: LocalStack) => new StackClient(stack, API_KEY);

function api(stack: LocalStack, method: string, path: string, body?: unknown, options: { auth?: boolean } = {}) {
  return client(stack).api(method, path, body, options);
}

async function sandboxCalls(stack: LocalStack, vendor: string, orderId: string): Promise<RecordedCall[]> {
  return (await client(stack).sandboxCalls(vendor)).filter((r) => r.query.orderId === orderId);
}

function setBehaviour(stack: LocalStack, vendor: string, behaviour: { status: number; times?: number } | null): Promise<void> {
  return client(stack).setBehaviour(vendor, behaviour);
}

async function deliveryOf(stack: LocalStack, orderId: string, vendor: string) {
  const { status, body } = await api(stack, 'GET', `/v1/conversions/${encodeURIComponent(encodeURIComponent(orderId))}`);
  expect(status).toBe(200);
  return (body.deliveries as Array<{ vendor: string; status: string; attempts: number; vendorStatus?: number }>).find((d) => d.vendor === vendor)!;
}

const ITEMS = [
  { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 },
  { productId: 'P200001', name: 'Gants nitrile "M"', unitPrice: 12.25, quantity: 3 },
];

function conversion(orderId: string, visitor: Record<string, string>) {
  return { orderId, visitor, currency: 'EUR', orderValue: 67.25, netValue: 56.04, country: 'fr', returningUser: true, items: ITEMS };
}

/** A fresh visitor holding a live Kelkoo click; returns its session id and the `kk` value. */
async function visitorWithKelkooClick(stack: LocalStack): Promise<{ sessionId: string; kk: string }> {
  const sessionId = `s-${randomUUID()}`;
  const kk = `kk-${randomUUID()}`;
  const captured = await api(stack, 'POST', '/v1/clicks', { visitor: { sessionId }, landingUrl: `https://www.shop.example/p/1.html?kk=${kk}` });
  expect(captured.status).toBe(201);
  return { sessionId, kk };
}

let stack: LocalStack;
let shortRetryStack: LocalStack;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'local-stack-e2e-'));
  [stack, shortRetryStack] = await Promise.all([
    startStack({ maxAttempts: 5, retryBaseSeconds: 1, timeoutMs: 2000 }),
    startStack({ maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 2000 }),
  ]);
});

afterEach(async () => {
  for (const s of stacks) await setBehaviour(s, 'kelkoo', null);
});

afterAll(async () => {
  await Promise.all(stacks.map((s) => s.stop()));
  rmSync(workDir, { recursive: true, force: true });
});

describe('the journey of SPEC §1 on the local stack', () => {
  it('captures, links, converts in another session and delivers the exact Kelkoo call once', async () => {
    const kk = 'a4csscc-1781b717420-34cf3';
    const orderId = `CMD-${randomUUID()}`;
    const captured = await api(stack, 'POST', '/v1/clicks', {
      visitor: { sessionId: 's-1' },
      landingUrl: `https://www.acme.com/p/137.html?kk=${kk}&utm_source=kelkoo`,
    });
    expect(captured.status).toBe(201);
    expect(captured.body.stored).toEqual([expect.objectContaining({ param: 'kk', vendors: ['kelkoo'] })]);

    const linked = await api(stack, 'POST', '/v1/identify', { visitor: { sessionId: 's-1', userId: 'u-1' } });
    expect(linked).toEqual({ status: 200, body: { linked: 2 } });

    const accepted = await api(stack, 'POST', '/v1/conversions', conversion(orderId, { userId: 'u-1', sessionId: 's-7' }));
    expect(accepted.status).toBe(202);
    expect(accepted.body.deliveries).toEqual(
      expect.arrayContaining([{ vendor: 'kelkoo', status: 'queued' }, expect.objectContaining({ vendor: 'qualityclick', status: 'skipped' })]),
    );

    const [call] = await eventually(() => sandboxCalls(stack, 'kelkoo', orderId), (calls) => calls.length > 0, 10_000);
    expect(call!.violations).toEqual([]);
    expect(call!.url.startsWith('/sandbox/kelkoo/st?')).toBe(true);
    expect(call!.headers.referer).toBe(REFERER);
    const query = call!.query as Record<string, string>;
    expect(query).toMatchObject({
      country: 'fr',
      comId: '100475501',
      orderId,
      orderValue: '67.25',
      kelkooId: kk,
      returningUser: 'true',
      source: 'serverToServer',
    });
    const saleId = Number(query.saleId);
    expect(saleId).toBeGreaterThanOrEqual(0);
    expect(saleId).toBeLessThan(1);
    // Node's Base64 decoder reads the URL-safe alphabet too, so this holds whichever alphabet the sender chose.
    expect(JSON.parse(Buffer.from(query.productsInfos!, 'base64').toString('utf8'))).toEqual(
      ITEMS.map((i) => ({ productname: i.name, productid: i.productId, price: i.unitPrice, quantity: i.quantity })),
    );

    const kelkoo = await eventually(() => deliveryOf(stack, orderId, 'kelkoo'), (d) => d.status === 'sent');
    expect(kelkoo).toMatchObject({ status: 'sent', attempts: 1, vendorStatus: 200 });
  });

  it('answers 200 to the same conversion posted again and never calls the vendor twice', async () => {
    const { sessionId } = await visitorWithKelkooClick(stack);
    const orderId = `CMD-${randomUUID()}`;
    const order = conversion(orderId, { sessionId });
    expect((await api(stack, 'POST', '/v1/conversions', order)).status).toBe(202);
    await eventually(() => deliveryOf(stack, orderId, 'kelkoo'), (d) => d.status === 'sent');

    const again = await api(stack, 'POST', '/v1/conversions', order);
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(orderId);
    // Longer than a poll cycle and a delivery: a second message would have reached the sandbox by now.
    await sleep(2500);
    expect(await sandboxCalls(stack, 'kelkoo', orderId)).toHaveLength(1);
  });

  it('answers twelve concurrent posts of one order with one 202 and 200s, and calls the vendor once', async () => {
    const { sessionId } = await visitorWithKelkooClick(stack);
    const orderId = `CMD-${randomUUID()}`;
    const order = conversion(orderId, { sessionId });
    const answers = await Promise.all(Array.from({ length: 12 }, () => api(stack, 'POST', '/v1/conversions', order)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(11).fill(200), 202]);
    await eventually(() => deliveryOf(stack, orderId, 'kelkoo'), (d) => d.status === 'sent');
    // Requests that passed the existence check before the order was recorded queued copies; they reach no vendor.
    await sleep(2500);
    expect(await sandboxCalls(stack, 'kelkoo', orderId)).toHaveLength(1);
    expect(await deliveryOf(stack, orderId, 'kelkoo')).toMatchObject({ status: 'sent', attempts: 1 });
  });
});

describe('delivery retries on the local stack', () => {
  it('retries a vendor answering 503 twice and delivers on the third attempt with the same saleId', async () => {
    await setBehaviour(stack, 'kelkoo', { status: 503, times: 2 });
    const { sessionId } = await visitorWithKelkooClick(stack);
    const orderId = `CMD-${randomUUID()}`;
    expect((await api(stack, 'POST', '/v1/conversions', conversion(orderId, { sessionId }))).status).toBe(202);

    const kelkoo = await eventually(() => deliveryOf(stack, orderId, 'kelkoo'), (d) => d.status === 'sent', 20_000);
    expect(kelkoo).toMatchObject({ status: 'sent', attempts: 3, vendorStatus: 200 });
    const calls = await sandboxCalls(stack, 'kelkoo', orderId);
    expect(calls.map((c) => c.status)).toEqual([503, 503, 200]);
    expect(new Set(calls.map((c) => c.query.saleId)).size).toBe(1);
  });

  it('does not retry a vendor answering 400', async () => {
    await setBehaviour(stack, 'kelkoo', { status: 400, times: 1 });
    const { sessionId } = await visitorWithKelkooClick(stack);
    const orderId = `CMD-${randomUUID()}`;
    expect((await api(stack, 'POST', '/v1/conversions', conversion(orderId, { sessionId }))).status).toBe(202);

    const kelkoo = await eventually(() => deliveryOf(stack, orderId, 'kelkoo'), (d) => d.status === 'failed');
    expect(kelkoo).toMatchObject({ status: 'failed', attempts: 1, vendorStatus: 400 });
    await sleep(2000);
    expect(await sandboxCalls(stack, 'kelkoo', orderId)).toHaveLength(1);
    expect((await deliveryOf(stack, orderId, 'kelkoo')).status).toBe('failed');
  });

  it('dead-letters a message after maxAttempts calls and keeps it in the DLQ', async () => {
    await setBehaviour(shortRetryStack, 'kelkoo', { status: 503 });
    const { sessionId } = await visitorWithKelkooClick(shortRetryStack);
    const orderId = `CMD-${randomUUID()}`;
    expect((await api(shortRetryStack, 'POST', '/v1/conversions', conversion(orderId, { sessionId }))).status).toBe(202);

    const kelkoo = await eventually(() => deliveryOf(shortRetryStack, orderId, 'kelkoo'), (d) => d.status === 'dead-lettered');
    expect(kelkoo).toMatchObject({ status: 'dead-lettered', attempts: 5, vendorStatus: 503 });

    const sqs = new SQSClient({ endpoint: shortRetryStack.sqsEndpoint, ...LOCAL_AWS });
    try {
      const dlqUrl = shortRetryStack.queueUrls.kelkoo!.deadLetterQueue;
      const dead = await eventually(
        async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [],
        (messages) => messages.length > 0,
        10_000,
      );
      expect(dead.map((m) => JSON.parse(m.Body!).order.orderId)).toEqual([orderId]);
    } finally {
      sqs.destroy();
    }
    expect(await sandboxCalls(shortRetryStack, 'kelkoo', orderId)).toHaveLength(5);
  });
});

describe('the local HTTP API', () => {
  it('answers health without a key', async () => {
    expect(await api(stack, 'GET', '/v1/health', undefined, { auth: false })).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('answers 401 without a key and writes nothing', async () => {
    const sessionId = `s-${randomUUID()}`;
    const refused = await api(stack, 'POST', '/v1/clicks', { visitor: { sessionId }, landingUrl: 'https://x.example/?kk=k-1' }, { auth: false });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthorized');
    const wrongKey = await fetch(`${stack.baseUrl}/v1/conversions/any`, { headers: { authorization: 'Bearer not-the-key' } });
    expect(wrongKey.status).toBe(401);

    // Had the refused capture stored its kk, this visitor's order would be queued for Kelkoo.
    const orderId = `CMD-${randomUUID()}`;
    const accepted = await api(stack, 'POST', '/v1/conversions', conversion(orderId, { sessionId }));
    expect(accepted.body.deliveries).toContainEqual(expect.objectContaining({ vendor: 'kelkoo', status: 'skipped' }));
  });

  it('answers 404 for an unknown order, and returns an order whose id needs percent-encoding', async () => {
    const unknown = await api(stack, 'GET', `/v1/conversions/${encodeURIComponent(`nope-${randomUUID()}`)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');

    // No click held: every vendor is skipped, so no call is made.
    const orderId = `A/B 1?&é#${randomUUID()}`;
    expect((await api(stack, 'POST', '/v1/conversions', conversion(orderId, { sessionId: `s-${randomUUID()}` }))).status).toBe(202);
    // As on API Gateway, the path is decoded before matching: an id holding `/` (or `%`) is encoded twice.
    expect((await api(stack, 'GET', `/v1/conversions/${encodeURIComponent(orderId)}`)).status).toBe(404);
    const found = await api(stack, 'GET', `/v1/conversions/${encodeURIComponent(encodeURIComponent(orderId))}`);
    expect(found.status).toBe(200);
    expect(found.body.orderId).toBe(orderId);
  });

  it('answers unknown routes and wrong methods with 404 (as HTTP APIs do) and oversized bodies with 413, in the API error shape', async () => {
    const notFound = await api(stack, 'GET', '/v1/nothing-here');
    expect(notFound.status).toBe(404);
    expect(notFound.body.error.code).toBe('route_not_found');

    const wrongMethod = await api(stack, 'PUT', '/v1/clicks', {});
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.body.error.code).toBe('route_not_found');

    const tooLarge = await api(stack, 'POST', '/v1/clicks', JSON.stringify({ visitor: { sessionId: 's' }, pad: 'x'.repeat(200 * 1024) }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('payload_too_large');
  });
});

describe('configuration of the local stack', () => {
  it('ships an example with every vendor on the sandbox, re-based onto the port actually used', () => {
    const example = chooseConfig({ env: { TRACKING_CONFIG: EXAMPLE_CONFIG_PATH } });
    expect(example.isExample).toBe(true);
    const asShipped = loadConfig(example);
    expect(Object.keys(asShipped.vendors).sort()).toEqual(['clickmeter', 'kelkoo', 'klevu', 'qualityclick', 'raptor']);
    expect(asShipped.local?.apiKeys).toEqual(['local-dev-key']);
    expect(asShipped.vendors.kelkoo?.endpoint).toBe('http://localhost:3000/sandbox/kelkoo/st');

    const moved = loadConfig(example, { baseUrl: 'http://localhost:4567' });
    expect(moved.vendors.kelkoo?.endpoint).toBe('http://localhost:4567/sandbox/kelkoo/st');
    expect(moved.vendors.raptor?.endpoint).toBe('http://localhost:4567/sandbox/raptor');
    expect(moved.vendors.kelkoo?.referer).toBe(asShipped.vendors.kelkoo?.referer);
  });

  it('uses a merchant file exactly as written', () => {
    const path = join(workDir, 'own.json');
    writeFileSync(path, JSON.stringify({ vendors: { kelkoo: { country: 'fr', comId: '1', referer: REFERER, endpoint: 'http://localhost:3000/x' } } }));
    const own = chooseConfig({ explicit: path });
    expect(own).toMatchObject({ source: 'option', isExample: false });
    expect(loadConfig(own, { baseUrl: 'http://localhost:4567' }).vendors.kelkoo?.endpoint).toBe('http://localhost:3000/x');
  });

  it('prefers the option, then TRACKING_CONFIG, then tracking.config.json, then the example', () => {
    expect(chooseConfig({ explicit: 'a.json', env: { TRACKING_CONFIG: 'b.json' } }).source).toBe('option');
    expect(chooseConfig({ env: { TRACKING_CONFIG: 'b.json' } }).source).toBe('TRACKING_CONFIG');
    expect(chooseConfig({ env: {} }).path).toBe(existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : EXAMPLE_CONFIG_PATH);
  });

  it('refuses an invalid file before starting anything, naming the bad field', async () => {
    const path = join(workDir, 'bad.json');
    writeFileSync(path, JSON.stringify({ vendors: { kelkoo: { country: 'fr', comId: 'not-a-number', referer: REFERER } } }));
    const started = startLocalStack({ configPath: path, port: 0, quiet: true, dynamoEndpoint: 'http://127.0.0.1:9', sqsEndpoint: 'http://127.0.0.1:9' });
    await expect(started).rejects.toThrow(ConfigurationError);
    await expect(started).rejects.toThrow(/vendors\.kelkoo\.comId/);
  });
});

describe("the pollers' reading of a partial batch response (Lambda's rules)", () => {
  const records = ['m-1', 'm-2', 'm-3'].map((messageId) => ({ messageId }) as SQSRecord);

  it('keeps only the listed records', () => {
    expect([...failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'm-2' }] }, records)]).toEqual(['m-2']);
  });

  it('keeps none when nothing is listed or nothing is returned', () => {
    expect(failedMessageIds({ batchItemFailures: [] }, records).size).toBe(0);
    expect(failedMessageIds(undefined, records).size).toBe(0);
  });

  it('keeps the whole batch when an identifier is empty or not in the batch', () => {
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: '' }] }, records).size).toBe(3);
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'other' }] }, records).size).toBe(3);
  });
});
