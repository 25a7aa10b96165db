/**
 * Throttling that protects sales, on the local stack: it applies `api.throttle` as API Gateway does (a token bucket
 * per route, 429 `{"message":"Too Many Requests"}`). A burst of landings is throttled on the capture route, and every
 * order sent during that burst is accepted. The limits make the outcome independent of timing: burst limits are
 * counts, and a refill of one token per 1,000 seconds adds nothing within the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { StackClient } from '../support/local-stack';

const API_KEY = 'e2e-throttle-key-0123';
const CAPTURE_BURST = 5;
const CAPTURES = 30;
const ORDERS = 10;

let workDir: string;
let stack: LocalStack;
let client: StackClient;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'throttle-'));
  const port = await freePort();
  const configPath = join(workDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: { kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `http://127.0.0.1:${port}/sandbox/kelkoo/st` } },
      api: {
        throttle: {
          capture: { rateLimit: 0.001, burstLimit: CAPTURE_BURST },
          conversion: { rateLimit: 0.001, burstLimit: ORDERS },
          default: { rateLimit: 0.001, burstLimit: 100 },
        },
      },
      local: { apiKeys: [API_KEY] },
    }),
  );
  stack = await startLocalStack({
    configPath,
    port,
    quiet: true,
    dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT,
    sqsEndpoint: process.env.TEST_SQS_ENDPOINT,
  });
  client = new StackClient(stack, API_KEY);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('route throttles on the local stack', () => {
  it('throttles a burst of captures on their own route, and accepts every order sent during the burst', async () => {
    const run = Date.now().toString(36);
    const capture = (i: number) =>
      client.api('POST', '/v1/clicks', { visitor: { sessionId: `t-${run}-${i}` }, landingUrl: `https://www.shop.example/?utm_source=newsletter&kk=kk-${run}-${i}` });
    const order = (i: number) =>
      client.api('POST', '/v1/conversions', {
        orderId: `THROTTLE-${run}-${i}`,
        visitor: { sessionId: `t-${run}-${i}` },
        currency: 'EUR',
        orderValue: 10,
        items: [{ productId: 'P1', name: 'Gloves', unitPrice: 10, quantity: 1 }],
      });

    // Captures and orders interleaved (three landings, then an order), all in flight at once.
    const sends: Array<{ kind: 'capture' | 'order'; send: () => ReturnType<typeof capture> }> = [];
    for (let i = 0; i < CAPTURES; i++) {
      sends.push({ kind: 'capture', send: () => capture(i) });
      if (i % 3 === 2 && i / 3 < ORDERS) sends.push({ kind: 'order', send: () => order((i - 2) / 3) });
    }
    const answers = await Promise.all(sends.map(async ({ kind, send }) => ({ kind, ...(await send()) })));

    const captures = answers.filter((a) => a.kind === 'capture');
    const orders = answers.filter((a) => a.kind === 'order');
    expect(captures.filter((a) => a.status === 201)).toHaveLength(CAPTURE_BURST);
    const throttled = captures.filter((a) => a.status === 429);
    expect(throttled).toHaveLength(CAPTURES - CAPTURE_BURST);
    for (const answer of throttled) expect(answer.body).toEqual({ message: 'Too Many Requests' });
    expect(orders.map((a) => a.status)).toEqual(Array.from({ length: ORDERS }, () => 202));

    // Each accepted order is recorded, with its deliveries.
    for (let i = 0; i < ORDERS; i++) expect((await client.deliveries(`THROTTLE-${run}-${i}`)).map((d) => d.vendor)).toEqual(['kelkoo']);
  });
});
