/**
 * Concurrent reports of one order with different bodies, on the local stack over real HTTP: what a vendor receives
 * must be what the service recorded. In each trial four reports of one orderId race: one from a visitor holding a
 * Kelkoo click with orderValue 111, three from a visitor without one with 222. Whichever is recorded, Kelkoo must
 * have been called exactly when the recorded plan queued it, and then with the recorded body (orderValue 111).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { sleep, StackClient } from '../support/local-stack';

const API_KEY = 'e2e-test-key-0123';
const TRIALS = 12;

let workDir: string;
let stack: LocalStack;
let client: StackClient;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'concurrent-reports-'));
  const port = await freePort();
  const configPath = join(workDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: { kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `http://127.0.0.1:${port}/sandbox/kelkoo/st` } },
      delivery: { maxAttempts: 5, retryBaseSeconds: 1, timeoutMs: 2000 },
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

const report = (orderId: string, sessionId: string, orderValue: number) => ({
  orderId,
  visitor: { sessionId },
  currency: 'EUR',
  orderValue,
  country: 'fr',
  items: [{ productId: 'P1', name: 'Thing', unitPrice: orderValue, quantity: 1 }],
});

async function trial(): Promise<{ orderId: string; statuses: number[]; recordedValue?: number }> {
  const clicked = `s-${randomUUID()}`;
  const captured = await client.api('POST', '/v1/clicks', { visitor: { sessionId: clicked }, landingUrl: `https://www.shop.example/p/1.html?kk=kk-${randomUUID()}` });
  expect(captured.status).toBe(201);
  const orderId = `RACE-${randomUUID()}`;
  const bodies = [report(orderId, clicked, 111), ...Array.from({ length: 3 }, () => report(orderId, `s-${randomUUID()}`, 222))];
  const answers = await Promise.all(bodies.map((body) => client.api('POST', '/v1/conversions', body)));
  // The report whose record won answers 202: the recorded order is its body.
  const winner = answers.findIndex((a) => a.status === 202);
  return { orderId, statuses: answers.map((a) => a.status), recordedValue: bodies[winner]?.orderValue };
}

describe('concurrent reports of one order with different bodies', () => {
  it('sends a vendor only what the service recorded, in every trial', async () => {
    const trials = await Promise.all(Array.from({ length: TRIALS }, () => trial()));
    for (const t of trials) expect(t.statuses.sort()).toEqual([200, 200, 200, 202]);

    // Every message of every report has been received and settled: sent, or dropped as not recorded.
    await sleep(3000);

    const outcomes = [];
    for (const { orderId, recordedValue } of trials) {
      const [kelkoo] = await client.deliveries(orderId);
      const calls = (await client.sandboxCalls('kelkoo')).filter((c) => c.query.orderId === orderId);
      outcomes.push({ recordedValue, status: kelkoo!.status, calls: calls.map((c) => c.query.orderValue) });
    }
    // The recorded order decides: a 222 report (no Kelkoo click) → Kelkoo skipped and never called; the 111 report →
    // exactly one call, with the recorded body.
    const expected = outcomes.map((o) =>
      o.recordedValue === 111 ? { recordedValue: 111, status: 'sent', calls: ['111.00'] } : { recordedValue: 222, status: 'skipped', calls: [] },
    );
    expect(outcomes).toEqual(expected);
  }, 60_000);
});
