/**
 * Retries that outlast an outage, on the local stack: a vendor that answers 503 to twelve calls in a row, then 200,
 * still receives the sale – once, with no redrive or any other operator action. Under the old policy (5 attempts,
 * then the dead-letter queue) the sale was dead-lettered after the fifth 503.
 *
 * The schedule is compressed by configuration alone: a horizon of 5 minutes, a first wait of 1 s and waits capped at
 * 1 s. The thirteen calls take about 25 s (each wait, plus the poller's 1 s batching window); the horizon, the one
 * figure that could end the retries early, is over ten times that, so a loaded machine does not make the test fail.
 * No test-only code path: the sandbox counts its 503s, and the sender runs as deployed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort, LOCAL_AWS } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { eventually, StackClient } from '../support/local-stack';

jest.setTimeout(180_000);

const API_KEY = 'e2e-retry-key-0123';
/** What the vendor's outage costs: this many 503s before it answers 200 again. */
const FAILURES = 12;

let workDir: string;
let stack: LocalStack;
let client: StackClient;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'retry-horizon-e2e-'));
  const port = await freePort();
  const configPath = join(workDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: {
        kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `http://127.0.0.1:${port}/sandbox/kelkoo/st` },
      },
      // The default maxAttempts (5) is far below the twelve failures: only the horizon keeps the sale retrying.
      delivery: { retryFor: '5m', retryBaseSeconds: 1, maxRetryDelay: '1s', timeoutMs: 2000 },
      local: { apiKeys: [API_KEY] },
    }),
  );
  stack = await startLocalStack({ configPath, port, quiet: true, dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT, sqsEndpoint: process.env.TEST_SQS_ENDPOINT });
  client = new StackClient(stack, API_KEY);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

it(`delivers a sale once, with no operator action, to a vendor that answers 503 ${FAILURES} times and then 200`, async () => {
  expect(stack.config.delivery.maxAttempts).toBeLessThan(FAILURES);
  const sessionId = `s-${randomUUID()}`;
  const captured = await client.api('POST', '/v1/clicks', { visitor: { sessionId }, landingUrl: `https://www.shop.example/p/1.html?kk=kk-${randomUUID()}` });
  expect(captured.status).toBe(201);
  await client.setBehaviour('kelkoo', { status: 503, times: FAILURES });

  const orderId = `CMD-${randomUUID()}`;
  const order = { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 30.5, country: 'fr', items: [{ productId: 'P1', name: 'Lamelles', unitPrice: 30.5, quantity: 1 }] };
  expect((await client.api('POST', '/v1/conversions', order)).status).toBe(202);

  const kelkoo = await eventually(
    async () => (await client.deliveries(orderId)).find((d) => d.vendor === 'kelkoo')!,
    (d) => d.status === 'sent' || d.status === 'dead-lettered' || d.status === 'failed',
    120_000,
  );
  expect(kelkoo).toMatchObject({ status: 'sent', attempts: FAILURES + 1, vendorStatus: 200 });

  const calls = (await client.sandboxCalls('kelkoo')).filter((call) => call.query.orderId === orderId);
  expect(calls.map((call) => call.status)).toEqual([...Array<number>(FAILURES).fill(503), 200]);
  // Every call the same request: retries resend what was recorded (Kelkoo's saleId included).
  expect(new Set(calls.map((call) => call.url)).size).toBe(1);

  // Nothing left behind: no copy waiting on the queue, nothing in the dead-letter queue.
  const sqs = new SQSClient({ endpoint: stack.sqsEndpoint, ...LOCAL_AWS });
  try {
    const depth = async (queueUrl: string) => {
      const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...names] }));
      return names.reduce((sum, name) => sum + Number(Attributes[name] ?? 0), 0);
    };
    const queues = stack.queueUrls.kelkoo!;
    expect(await eventually(() => depth(queues.queue), (n) => n === 0, 10_000)).toBe(0);
    expect(await depth(queues.deadLetterQueue)).toBe(0);
  } finally {
    sqs.destroy();
  }
});
