import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { parseConfig } from '../../lambdas/config/schema';
import { DeliveryMetrics, RecordingDeliveryMetrics } from '../../lambdas/observability/metrics';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import { MessageCopy, SqsRetryScheduler } from '../../lambdas/store/delivery-queues';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { decodeProductsInfos } from '../../lambdas/vendors/kelkoo/mapping';
import { lambdaContext } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { eventually } from '../support/local-stack';
import { receiveRecord, receiveRecords, senderFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;
let queue: { queueUrl: string; dlqUrl: string };
let orderSeq = 0;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start();
});
afterAll(() => vendor.stop());
beforeEach(async () => {
  // A queue per test: messages a test leaves behind (retries) must not reach the next one.
  queue = await createTestQueue(sqs, 3);
  vendor.calls.length = 0;
  vendor.always({ kind: 'status', status: 200, body: 'OK' });
});

/** The real scheduler, remembering each delay it was asked for. */
class RecordingRetries extends SqsRetryScheduler {
  readonly delays: number[] = [];
  override async retryIn(receiptHandle: string, seconds: number): Promise<void> {
    this.delays.push(seconds);
    await super.retryIn(receiptHandle, seconds);
  }
  override async sendAgain(copy: MessageCopy, seconds: number): Promise<void> {
    this.delays.push(seconds);
    await super.sendAgain(copy, seconds);
  }
}

function sender(options: { maxAttempts?: number; retryFor?: string; timeoutMs?: number; retryBaseSeconds?: number; metrics?: DeliveryMetrics } = {}) {
  const config = parseConfig({
    vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: `${vendor.url}/st` } },
    delivery: {
      maxAttempts: options.maxAttempts ?? 5,
      ...(options.retryFor ? { retryFor: options.retryFor } : {}),
      retryBaseSeconds: options.retryBaseSeconds ?? 1,
      timeoutMs: options.timeoutMs ?? 2000,
    },
  });
  const { logger, lines } = recordingLogger();
  const metrics = new RecordingDeliveryMetrics();
  const retries = new RecordingRetries(sqs, queue.queueUrl);
  const handler = senderFor(config, 'kelkoo', queue, { store, sqs, logger, metrics: options.metrics ?? metrics, retries, random: () => 0.5 });
  return { handler, lines, metrics, retries };
}

/** Creates the order's delivery record (as the conversion would) and returns the message for it. */
async function queuedOrder(orderId = `S-${++orderSeq}`): Promise<DeliveryMessage> {
  const message: DeliveryMessage = {
    version: 1,
    destination: 'kelkoo',
    receivedAt: '2026-11-21T10:00:00.000Z',
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    context: { saleId: '0.42', kelkooId: 'kk&=?#%+/ é' },
    order: {
      orderId,
      currency: 'EUR',
      orderValue: 10.5,
      netValue: 9,
      occurredAt: '2026-11-21T10:00:00.000Z',
      items: [{ productId: 'P1', name: 'Thing & "quotes"', unitPrice: 10.5, quantity: 1, groupId: 'P1', variantId: 'P1' }],
    },
  };
  await store.createOrder({
    orderId,
    receivedAt: new Date(),
    occurredAt: message.order.occurredAt,
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    deliveries: [{ destination: 'kelkoo', status: 'queued' }],
  });
  return message;
}

/** Puts the message on the real queue and receives it back, so the record carries a real receipt handle. */
async function recordFor(message: DeliveryMessage | string): Promise<SQSRecord> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: typeof message === 'string' ? message : JSON.stringify(message) }));
  return receiveRecord(sqs, queue.queueUrl);
}

const withReceiveCount = (record: SQSRecord, count: number): SQSRecord => ({ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(count) } });
const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const statusOf = async (orderId: string) => (await store.getOrder(orderId))!.deliveries[0]!;

describe('sender', () => {
  it('makes the exact Kelkoo call once, marks it sent and acknowledges the record', async () => {
    const message = await queuedOrder('S & 1/?');
    const { handler, metrics } = sender();
    const result = await handler(event(await recordFor(message)), lambdaContext);
    expect(metrics.events).toEqual([{ destination: 'kelkoo', event: 'sent' }]);
    expect(result.batchItemFailures).toEqual([]);
    expect(vendor.calls).toHaveLength(1);
    const url = new URL(vendor.calls[0]!.url, vendor.url);
    expect(url.pathname).toBe('/st');
    expect(url.searchParams.get('orderId')).toBe('S & 1/?');
    expect(url.searchParams.get('kelkooId')).toBe('kk&=?#%+/ é');
    expect(url.searchParams.get('saleId')).toBe('0.42');
    expect(url.searchParams.get('source')).toBe('serverToServer');
    expect(decodeProductsInfos(url.searchParams.get('productsInfos')!)).toEqual([{ productname: 'Thing & "quotes"', productid: 'P1', price: 10.5, quantity: 1 }]);
    expect(vendor.calls[0]!.headers.referer).toBe('https://www.shop.example');
    expect(await statusOf('S & 1/?')).toMatchObject({ status: 'sent', attempts: 1, vendorStatus: 200, sentAt: expect.any(String) });
  });

  it('does not call the vendor again for a duplicate of a message already sent', async () => {
    const message = await queuedOrder();
    const { handler } = sender();
    await handler(event(await recordFor(message)), lambdaContext);
    const duplicate = await handler(event(await recordFor(message), await recordFor(message)), lambdaContext);
    expect(duplicate.batchItemFailures).toEqual([]);
    expect(vendor.calls).toHaveLength(1);
  });

  it('makes one call when two senders process the same message at the same time', async () => {
    const message = await queuedOrder();
    // The winner's call takes a while, so the other sender's claim surely meets the lease rather than a `sent`.
    vendor.always({ kind: 'slow', delayMs: 500, status: 200 });
    const record = await recordFor(message);
    const [a, b] = await Promise.all([sender().handler(event(record), lambdaContext), sender().handler(event(record), lambdaContext)]);
    expect(vendor.calls).toHaveLength(1);
    // the loser sends a copy that looks again after the lease, when the delivery is settled
    expect([...a.batchItemFailures, ...b.batchItemFailures]).toEqual([]);
    expect((await statusOf(message.order.orderId)).status).toBe('sent');
  });

  it.each([
    ['a 503', { kind: 'status', status: 503, body: 'down' } as const, /HTTP 503/],
    ['a 429 with Retry-After', { kind: 'status', status: 429, headers: { 'retry-after': '7' } } as const, /HTTP 429/],
    ['a connection reset', { kind: 'reset' } as const, /Transport error/],
    ['no answer within the timeout', { kind: 'hang' } as const, /no answer within 300 ms/],
  ])('retries after %s with backoff, counting the attempt', async (_, behaviour, error) => {
    const message = await queuedOrder();
    vendor.always(behaviour);
    const record = await recordFor(message);
    const { handler, metrics } = sender({ timeoutMs: 300 });
    const result = await handler(event(record), lambdaContext);
    // acknowledged: the retry is a copy, delayed by the backoff (test/integration/sender-retry-horizon.test.ts)
    expect(result.batchItemFailures).toEqual([]);
    expect(metrics.events).toEqual([{ destination: 'kelkoo', event: 'retrying' }]);
    expect(await statusOf(message.order.orderId)).toMatchObject({ status: 'retrying', attempts: 1, lastError: expect.stringMatching(error) });
    // the copy is delayed: nothing is receivable at once
    expect(await receiveRecords(sqs, queue.queueUrl, { waitSeconds: 0 })).toEqual([]);
  });

  it('waits at least as long as a 429 asks in Retry-After, and backs off exponentially otherwise', async () => {
    vendor.always({ kind: 'status', status: 429, headers: { 'retry-after': '40' } });
    const limited = sender({ retryBaseSeconds: 2 });
    await limited.handler(event(await recordFor(await queuedOrder())), lambdaContext);
    expect(limited.retries.delays).toEqual([40]);

    vendor.always({ kind: 'status', status: 503 });
    const backoff = sender({ retryBaseSeconds: 10 });
    const message = await queuedOrder();
    const record = await recordFor(message);
    for (const receiveCount of [1, 2]) await backoff.handler(event(withReceiveCount(record, receiveCount)), lambdaContext);
    // attempt 1: 10 s with equal jitter (random 0.5 → 7.5, rounded up); attempt 2: 20 s → 15
    expect(backoff.retries.delays).toEqual([8, 15]);
    expect(await statusOf(message.order.orderId)).toMatchObject({ status: 'retrying', attempts: 2 });
  });

  it('marks a non-retryable 4xx failed at once and does not retry it', async () => {
    const message = await queuedOrder();
    vendor.always({ kind: 'status', status: 400, body: 'bad comId' });
    const result = await sender().handler(event(await recordFor(message)), lambdaContext);
    expect(result.batchItemFailures).toEqual([]);
    expect(await statusOf(message.order.orderId)).toMatchObject({ status: 'failed', attempts: 1, vendorStatus: 400, lastError: 'HTTP 400: bad comId' });
  });

  it('marks the delivery dead-lettered on the last allowed attempt', async () => {
    const message = await queuedOrder();
    vendor.always({ kind: 'status', status: 500 });
    const record = withReceiveCount(await recordFor(message), 5);
    const { handler, metrics } = sender({ maxAttempts: 5, retryFor: '0s' });
    const result = await handler(event(record), lambdaContext);
    // acknowledged: a copy went to the dead-letter queue
    expect(result.batchItemFailures).toEqual([]);
    expect(await receiveRecords(sqs, queue.dlqUrl)).toHaveLength(1);
    expect(metrics.events).toEqual([{ destination: 'kelkoo', event: 'dead-lettered' }]);
    expect(await statusOf(message.order.orderId)).toMatchObject({ status: 'dead-lettered', attempts: 1 });
  });

  it('fails only the bad record of a batch', async () => {
    const good = await queuedOrder();
    const poison = await recordFor('{"not":"a delivery"}');
    const result = await sender().handler(event(poison, await recordFor(good)), lambdaContext);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    expect((await statusOf(good.order.orderId)).status).toBe('sent');
  });

  it('reports to each of two overlapping invocations of one handler its own failures', async () => {
    const { handler } = sender();
    // The first invocation: a record that fails at once, and one whose vendor call takes a while.
    const poison = await recordFor('{"not":"a delivery"}');
    const slow = await recordFor(await queuedOrder());
    const other = await recordFor(await queuedOrder());
    vendor.answer({ kind: 'slow', delayMs: 1000, status: 200 }, { kind: 'status', status: 200 });
    const first = handler(event(poison, slow), lambdaContext);
    await eventually(async () => vendor.calls.length, (calls) => calls > 0, 2000);
    // The second starts and ends while the first waits, after the first has already failed its poison record.
    expect((await handler(event(other), lambdaContext)).batchItemFailures).toEqual([]);
    expect((await first).batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
  });

  it("publishes one metric record per batch, carrying every outcome's count and naming the orders it delivered", async () => {
    const metrics = new RecordingDeliveryMetrics();
    const { handler, lines } = sender({ metrics });
    vendor.answer({ kind: 'status', status: 200 }, { kind: 'status', status: 200 }, { kind: 'status', status: 503 });
    const orders = [await queuedOrder(), await queuedOrder(), await queuedOrder()];
    const result = await handler(event(...(await Promise.all(orders.map((o) => recordFor(o))))), lambdaContext);
    expect(result.batchItemFailures).toEqual([]);
    expect(metrics.records).toHaveLength(1);
    const [record] = metrics.records;
    expect(record!.destination).toBe('kelkoo');
    expect(record!.counts).toEqual({ sent: 2, retrying: 1 });
    expect(record!.properties).toMatchObject({ message: 'Batch settled', function_request_id: lambdaContext.awsRequestId });
    // The two the vendor accepted (answers go out in the order of the calls, which run in parallel: either two).
    expect(record!.properties.sent).toHaveLength(2);
    for (const id of record!.properties.sent as string[]) expect(orders.map((o) => o.order.orderId)).toContain(id);
    // A delivered sale writes no line of its own at INFO; the retried one does.
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.filter((line) => line.message === 'Delivered').map((line) => line.level)).toEqual(['DEBUG', 'DEBUG']);
    expect(parsed.filter((line) => line.message === 'Delivery will be retried')).toHaveLength(1);
  });

  it('keeps click ids and order data out of its logs', async () => {
    const message = await queuedOrder();
    const { handler, lines } = sender();
    await handler(event(await recordFor(message)), lambdaContext);
    expect(lines.join('\n')).not.toContain('kk&=');
    expect(lines.join('\n')).not.toContain(vendor.url);
  });
});
