/**
 * A Raptor order of 500 lines (one vendor call per line) against a slow vendor, sent by invocations whose function
 * time runs out in the middle of the order. Each invocation gets a short remaining time; when it is over the
 * invocation is dead, as Lambda would kill it: no call leaves after its deadline, and an answer that arrives after
 * it is never seen. Every line must reach the vendor exactly once over all invocations.
 */
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { parseConfig } from '../../lambdas/config/schema';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import { destinationsOf } from '../../lambdas/config/destinations';
import { createSenderHandler } from '../../lambdas/sender/sender';
import { SqsDeliveryParking, SqsRetryScheduler } from '../../lambdas/store/delivery-queues';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { fetchHttpSender, HttpSender } from '../../lambdas/vendors/http-sender';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { VendorDouble } from '../support/vendor-double';
import { toSqsRecord } from '../../local/poller';

const LINES = 500;
/** Remaining time each invocation starts with, and the vendor's delay per call: short, so the test stays quick. */
const INVOCATION_MS = 4000;
const VENDOR_DELAY_MS = 3;
const CALL_TIMEOUT_MS = 1000;
const LEASE_SECONDS = 90;

const sqs = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start();
});
afterAll(() => vendor.stop());

/** Thrown where a killed function would simply have stopped existing. */
class FunctionKilled extends Error {}

function fakeContext(deadline: number): Context {
  return { functionName: 'sender-raptor', awsRequestId: 'req', getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) } as unknown as Context;
}

async function receiveOne(queueUrl: string): Promise<SQSRecord> {
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
  return toSqsRecord(received.Messages![0]!, 'arn:aws:sqs:eu-west-1:000000000000:delivery', 'eu-west-1');
}

describe('sender: a long multi-call delivery and the function timeout', () => {
  it('sends each line of a 500-line Raptor order exactly once when the function time runs out mid-order', async () => {
    const config = parseConfig({
      vendors: { raptor: { customerId: '1234', endpoint: `${vendor.url}/raptor`, purchaseParams: { p1: 'buy', p2: '{item.productId}', p5: '{order.orderId}' } } },
      delivery: { maxAttempts: 20, retryBaseSeconds: 0, timeoutMs: CALL_TIMEOUT_MS },
    });
    const queue = await createTestQueue(sqs, 20);
    vendor.always({ kind: 'slow', delayMs: VENDOR_DELAY_MS, status: 200 });
    const orderId = `R-${Date.now()}`;
    const message: DeliveryMessage = {
      version: 1,
      destination: 'raptor',
      receivedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
      context: { coid: 'c0c0c0c0-0000-4000-8000-000000000001', sid: '5e55e55e-0000-4000-8000-000000000002' },
      order: {
        orderId,
        currency: 'EUR',
        orderValue: LINES,
        netValue: LINES,
        occurredAt: new Date().toISOString(),
        items: Array.from({ length: LINES }, (_, i) => ({ productId: `L${i + 1}`, name: `Line ${i + 1}`, unitPrice: 1, quantity: 1 })),
      },
    };
    await store.createOrder({ orderId, receivedAt: new Date(), occurredAt: message.order.occurredAt, expiresAt: message.expiresAt, deliveries: [{ destination: 'raptor', status: 'queued' }] });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(message) }));

    let deadline = 0;
    // The function dies at its deadline: a call does not leave after it, and an answer after it is never read.
    const http: HttpSender = {
      async send(request, timeoutMs) {
        if (Date.now() >= deadline) throw new FunctionKilled('function timed out before the call');
        const response = await fetchHttpSender.send(request, timeoutMs);
        if (Date.now() >= deadline) throw new FunctionKilled('function timed out during the call');
        return response;
      },
    };
    // Each invocation runs later than the one before, past any lease a killed one left behind (as real time would).
    let clockOffsetMs = 0;
    const { logger } = recordingLogger();
    const handler = createSenderHandler({
      destination: destinationsOf(config)[0]!,
      delivery: config.delivery,
      store,
      retries: new SqsRetryScheduler(sqs, queue.queueUrl),
      parking: new SqsDeliveryParking(sqs, queue.dlqUrl),
      http,
      logger,
      claimLeaseSeconds: LEASE_SECONDS,
      clock: () => new Date(Date.now() + clockOffsetMs),
      stopMarginMs: 300,
    });

    const perLine = () => {
      const counts = new Map<string, number>();
      for (const call of vendor.calls) {
        const line = new URL(call.url, vendor.url).searchParams.get('p2');
        if (new URL(call.url, vendor.url).searchParams.get('p5') === orderId && line) counts.set(line, (counts.get(line) ?? 0) + 1);
      }
      return counts;
    };
    const status = async () => (await store.getOrder(orderId))!.deliveries[0]!;

    let invocations = 0;
    let overran = 0;
    while ((await status()).status !== 'sent' && invocations < 25) {
      const record = await receiveOne(queue.queueUrl);
      deadline = Date.now() + INVOCATION_MS;
      invocations++;
      await handler({ Records: [record] }, fakeContext(deadline));
      if (Date.now() > deadline) overran++;
      clockOffsetMs += (LEASE_SECONDS + 1) * 1000;
      // A killed invocation leaves its message invisible until the visibility timeout; the next receive comes later.
      if ([...perLine().values()].some((n) => n > 1)) break;
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 })).catch(() => undefined);
    }

    const counts = perLine();
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([line]) => line);
    expect({ duplicated: duplicated.slice(0, 5), duplicatedCount: duplicated.length }).toEqual({ duplicated: [], duplicatedCount: 0 });
    expect(counts.size).toBe(LINES);
    expect(await status()).toMatchObject({ status: 'sent' });
    // The time did run out mid-order (more than one invocation), and every invocation stopped before its deadline.
    expect(invocations).toBeGreaterThan(1);
    expect(overran).toBe(0);
  }, 90_000);
});
