/**
 * The sandbox answers like a strict vendor: a call that breaks the vendor's document gets 400 with the violations,
 * so the delivery is `failed` and its lastError names them in GET /v1/conversions/{orderId}. Here a Kelkoo endpoint
 * configured with a query of its own (`?source=web&orderValue=0x10`) makes every call break the document. A call
 * that breaks nothing is answered 200, whatever its values look like once decoded (a postback's `ref=ORD-%7B2026%7D-…`).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { eventually, StackClient } from '../support/local-stack';

const API_KEY = 'e2e-test-key-0123';
let workDir: string;
const stacks: LocalStack[] = [];

async function stackWith(lenientSandbox: boolean): Promise<StackClient> {
  const port = await freePort();
  const configPath = join(workDir, `config-${port}.json`);
  const endpoint = `http://127.0.0.1:${port}/sandbox/kelkoo/st?source=web&orderValue=0x10`;
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: { kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint } },
      delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 2000 },
      local: { apiKeys: [API_KEY] },
    }),
  );
  const stack = await startLocalStack({ configPath, port, quiet: true, lenientSandbox, dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT, sqsEndpoint: process.env.TEST_SQS_ENDPOINT });
  stacks.push(stack);
  return new StackClient(stack, API_KEY);
}

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'sandbox-strict-'));
});
afterAll(async () => {
  await Promise.all(stacks.map((s) => s.stop()));
  rmSync(workDir, { recursive: true, force: true });
});

async function deliver(client: StackClient) {
  const sessionId = `s-${randomUUID()}`;
  expect((await client.api('POST', '/v1/clicks', { visitor: { sessionId }, landingUrl: `https://www.shop.example/p?kk=kk-${randomUUID()}` })).status).toBe(201);
  const orderId = `STRICT-${randomUUID()}`;
  const order = { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 10, items: [{ productId: 'P1', name: 'x', unitPrice: 10, quantity: 1 }] };
  expect((await client.api('POST', '/v1/conversions', order)).status).toBe(202);
  const kelkoo = await eventually(async () => (await client.deliveries(orderId))[0]!, (d) => d.status !== 'queued' && d.status !== 'retrying', 20_000);
  const calls = (await client.sandboxCalls('kelkoo')).filter((c) => c.vendorUrl.includes(encodeURIComponent(orderId)) || c.query.orderId === orderId);
  return { kelkoo, calls };
}

/** A stack whose one destination is a postback with the usual macros, its network served by the sandbox. */
async function postbackStack(): Promise<StackClient> {
  const port = await freePort();
  const configPath = join(workDir, `config-${port}.json`);
  const url = `http://127.0.0.1:${port}/sandbox/awin/sread.php?ref={order.orderId}&cks={clickId}&amount={order.netValue}`;
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: {},
      postbacks: { awin: { clickIdParam: 'awc', url } },
      delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 2000 },
      local: { apiKeys: [API_KEY] },
    }),
  );
  const stack = await startLocalStack({ configPath, port, quiet: true, dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT, sqsEndpoint: process.env.TEST_SQS_ENDPOINT });
  stacks.push(stack);
  return new StackClient(stack, API_KEY);
}

describe('the strict vendor sandbox', () => {
  it('answers a non-conforming call 400 with its violations, which the delivery shows as failed with that lastError', async () => {
    const { kelkoo, calls } = await deliver(await stackWith(false));
    expect(kelkoo).toMatchObject({ status: 'failed', attempts: 1, vendorStatus: 400 });
    expect(kelkoo.lastError).toMatch(/^HTTP 400: kelkoo sandbox rejected the call: .*orderValue must be a non-negative decimal.*source must be serverToServer/);
    expect(calls.map((c) => c.status)).toEqual([400]);
    expect(calls[0]!.violations.length).toBeGreaterThanOrEqual(2);
  });

  it('delivers a postback for an order id holding braces: its value arrives encoded, which is no unfilled macro', async () => {
    const client = await postbackStack();
    const sessionId = `s-${randomUUID()}`;
    expect((await client.api('POST', '/v1/clicks', { visitor: { sessionId }, landingUrl: `https://www.shop.example/p?awc=aw-${randomUUID()}` })).status).toBe(201);
    const orderId = `ORD-{2026}-${randomUUID()}`;
    const order = { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 12, netValue: 10, items: [{ productId: 'P1', name: 'x', unitPrice: 12, quantity: 1 }] };
    expect((await client.api('POST', '/v1/conversions', order)).status).toBe(202);
    const awin = await eventually(async () => (await client.deliveries(orderId))[0]!, (d) => d.status !== 'queued' && d.status !== 'retrying', 20_000);
    expect(awin).toMatchObject({ vendor: 'awin', status: 'sent', vendorStatus: 200 });
    const calls = (await client.sandboxCalls('awin')).filter((c) => c.query.ref === orderId);
    expect(calls.map((c) => [c.status, c.violations])).toEqual([[200, []]]);
    expect(calls[0]!.url).toContain(`ref=${encodeURIComponent(orderId)}&`);
  });

  it('keeps the lenient behaviour on request: 200 and the violations only recorded', async () => {
    const { kelkoo, calls } = await deliver(await stackWith(true));
    expect(kelkoo).toMatchObject({ status: 'sent', vendorStatus: 200 });
    expect(calls.map((c) => c.status)).toEqual([200]);
    expect(calls[0]!.violations).toEqual(expect.arrayContaining([expect.stringMatching(/source must be serverToServer/)]));
  });
});
