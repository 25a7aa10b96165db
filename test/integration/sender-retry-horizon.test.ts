/**
 * Retries that outlast an outage, at the sender, over the real SQS server and DynamoDB Local. A retry waits as a
 * delayed copy of its message, not as an in-flight one; the copy carries the attempts made and the start of the
 * horizon; a delivery is dead-lettered only once the horizon and `maxAttempts` are both spent, into the dead-letter
 * queue without its retry state, so that a redrive starts afresh; receives that only wait (for the order to be
 * recorded, or for another sender's lease) use up no attempt. The sender's clock is driven by the test, so the
 * horizon passes when the test says so.
 */
import { ChangeMessageVisibilityCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { parseConfig } from '../../lambdas/config/schema';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import { decodeRetryState, PARKED_ATTRIBUTE, RETRY_ATTRIBUTE, RetryState, SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { queueArnOf, redrive } from '../../scripts/redrive';
import { createTestQueue, createTestStore, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { pollOnce, receiveRecords, senderFor, TestQueue } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;
let queue: TestQueue;
let seq = 0;
/** The senders' clock: the test moves it. */
let now: Date;
const T0 = new Date('2026-11-21T10:00:00.000Z');
const HOUR_MS = 3600 * 1000;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start();
});
afterAll(() => vendor.stop());
beforeEach(async () => {
  queue = await createTestQueue(sqs, 5);
  vendor.calls.length = 0;
  vendor.always({ kind: 'status', status: 503, body: 'maintenance' });
  now = T0;
});

/**
 * The Kelkoo sender: a horizon of an hour, 5 attempts at least, waits of 1 s (the shortest SQS delay) so that the test
 * need not wait long for each copy; jitter fixed.
 */
function sender(options: { claimLeaseSeconds?: number } = {}) {
  const config = parseConfig({
    vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: `${vendor.url}/st` } },
    delivery: { maxAttempts: 5, retryFor: '1h', retryBaseSeconds: 1, maxRetryDelay: '1s', timeoutMs: 2000 },
  });
  return senderFor(config, 'kelkoo', queue, { store, sqs, clock: () => now, random: () => 0.5, recordWaitMs: 0, ...options });
}

function messageFor(orderId: string): DeliveryMessage {
  return {
    version: 1,
    destination: 'kelkoo',
    receivedAt: T0.toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    context: { saleId: '0.42', kelkooId: 'kk-1' },
    order: {
      orderId,
      currency: 'EUR',
      orderValue: 10.5,
      netValue: 9,
      occurredAt: T0.toISOString(),
      items: [{ productId: 'P1', name: 'Thing', unitPrice: 10.5, quantity: 1, groupId: 'P1', variantId: 'P1' }],
    },
  };
}

async function record(message: DeliveryMessage): Promise<void> {
  await store.createOrder({
    orderId: message.order.orderId,
    receivedAt: T0,
    occurredAt: message.order.occurredAt,
    expiresAt: message.expiresAt,
    deliveries: [{ destination: 'kelkoo', status: 'queued' }],
  });
}

/** Queues a message as the conversion does (same attributes), for an order recorded unless told otherwise. */
async function queued(options: { recorded?: boolean } = {}): Promise<DeliveryMessage> {
  const message = messageFor(`H-${++seq}-${Date.now()}`);
  await new SqsDeliveryQueues(sqs, { kelkoo: queue.queueUrl }).send(message);
  if (options.recorded !== false) await record(message);
  return message;
}

/** The next copy on the queue once its delay is over, and what it carries. */
async function nextCopy(queueUrl = queue.queueUrl): Promise<{ record: SQSRecord; state: RetryState | undefined }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [copy] = await receiveRecords(sqs, queueUrl, { waitSeconds: 2 });
    if (copy) {
      // Received only to look: visible again at once for the sender's own receive.
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: copy.receiptHandle, VisibilityTimeout: 0 }));
      return { record: copy, state: decodeRetryState(copy.messageAttributes[RETRY_ATTRIBUTE]?.stringValue) };
    }
    if (Date.now() > deadline) throw new Error(`no message on ${queueUrl} within 10 s`);
  }
}

/** One poll as Lambda's event source makes it, after waiting for the queue's next copy to become receivable. */
async function pollNext(handler: ReturnType<typeof sender>) {
  await nextCopy();
  const polled = await pollOnce(sqs, queue.queueUrl, handler);
  expect(polled.records).toHaveLength(1);
  return polled;
}

async function depth(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
  };
}

const deliveryOf = async (orderId: string) => (await store.getOrder(orderId))!.deliveries[0]!;

describe('a retry', () => {
  it('waits as a delayed copy of its message, not in flight, and the received copy is acknowledged', async () => {
    const message = await queued();
    const { records, result } = await pollOnce(sqs, queue.queueUrl, sender());
    expect(records).toHaveLength(1);
    // Acknowledged (and so deleted), where it used to be kept in flight for its whole backoff.
    expect(result.batchItemFailures).toEqual([]);
    expect(await depth(queue.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(await deliveryOf(message.order.orderId)).toMatchObject({ status: 'retrying', attempts: 1, vendorStatus: 503 });

    const { record: copy, state } = await nextCopy();
    expect(copy.body).toBe(records[0]!.body);
    expect(state).toEqual({ attempts: 1, since: T0.getTime(), waits: 0 });
    // The conversion's attributes travel with the copy, typed as they were.
    expect(copy.messageAttributes.orderId).toMatchObject({ dataType: 'String', stringValue: message.order.orderId });
    expect(copy.messageAttributes.version).toMatchObject({ dataType: 'Number', stringValue: '1' });
  });

  it('goes on past maxAttempts until the horizon has passed, then dead-letters without its retry state; a redrive starts afresh', async () => {
    const message = await queued();
    const handler = sender();
    await pollOnce(sqs, queue.queueUrl, handler);
    for (let attempt = 2; attempt <= 6; attempt++) {
      now = new Date(T0.getTime() + attempt * 1000);
      await pollNext(handler);
    }
    // Six attempts, over the five of maxAttempts, and still retrying: the hour is not over.
    expect(await deliveryOf(message.order.orderId)).toMatchObject({ status: 'retrying', attempts: 6 });
    expect((await nextCopy()).state).toMatchObject({ attempts: 6, since: T0.getTime() });

    now = new Date(T0.getTime() + HOUR_MS);
    const last = await pollNext(handler);
    expect(last.result.batchItemFailures).toEqual([]);
    expect(await deliveryOf(message.order.orderId)).toMatchObject({ status: 'dead-lettered', attempts: 7 });
    expect(vendor.calls).toHaveLength(7);
    expect(await depth(queue.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const { record: dead, state } = await nextCopy(queue.dlqUrl);
    expect(JSON.parse(dead.body).order.orderId).toBe(message.order.orderId);
    expect(state).toBeUndefined();
    expect(dead.messageAttributes[PARKED_ATTRIBUTE]).toBeUndefined();

    // Redriven three hours on, with the vendor still down: a fresh horizon, so the failure is retried, not dead-lettered.
    expect(await redrive({ sqs, deadLetterQueueUrl: queue.dlqUrl, queueArn: await queueArnOf(sqs, queue.queueUrl) }, { pollIntervalMs: 100 })).toMatchObject({ outcome: 'completed', moved: 1 });
    now = new Date(T0.getTime() + 3 * HOUR_MS);
    await pollNext(handler);
    expect(await deliveryOf(message.order.orderId)).toMatchObject({ status: 'retrying', attempts: 8 });
    expect((await nextCopy()).state).toEqual({ attempts: 1, since: now.getTime(), waits: 0 });

    vendor.always({ kind: 'status', status: 200 });
    await pollNext(handler);
    expect(await deliveryOf(message.order.orderId)).toMatchObject({ status: 'sent', attempts: 9 });
    expect(await depth(queue.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

describe('a receive that only waits uses up no attempt', () => {
  it('while the order is not recorded yet: waits are counted apart, and the first vendor call is attempt 1', async () => {
    const message = await queued({ recorded: false });
    const handler = sender();
    await pollOnce(sqs, queue.queueUrl, handler);
    for (let wait = 2; wait <= 6; wait++) await pollNext(handler);
    expect(vendor.calls).toHaveLength(0);
    // Six receives, more than maxAttempts (5), and the message is still on its queue.
    expect((await nextCopy()).state).toEqual({ attempts: 0, since: T0.getTime(), waits: 6 });

    await record(message);
    vendor.always({ kind: 'status', status: 200 });
    await pollNext(handler);
    expect(await deliveryOf(message.order.orderId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('while the order is never recorded: into the dead-letter queue once the horizon has passed', async () => {
    const message = await queued({ recorded: false });
    const handler = sender();
    await pollOnce(sqs, queue.queueUrl, handler);
    for (let wait = 2; wait <= 5; wait++) await pollNext(handler);
    now = new Date(T0.getTime() + HOUR_MS);
    await pollNext(handler);
    expect(await depth(queue.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const { record: dead, state } = await nextCopy(queue.dlqUrl);
    expect(JSON.parse(dead.body).order.orderId).toBe(message.order.orderId);
    expect(state).toBeUndefined();
    expect(vendor.calls).toHaveLength(0);
  });

  it('while another sender holds the delivery: a copy looks again after the lease', async () => {
    const message = await queued();
    // Another sender's claim, as a duplicate SQS delivery of the same message would hold it.
    expect(await store.claimDelivery(message.order.orderId, 'kelkoo', T0, 60, message.expiresAt)).toMatchObject({ kind: 'claimed' });
    const handler = sender({ claimLeaseSeconds: 1 });
    const { result } = await pollOnce(sqs, queue.queueUrl, handler);
    expect(result.batchItemFailures).toEqual([]);
    expect(vendor.calls).toHaveLength(0);
    // Sent again with the lease as its delay, its attempts untouched.
    expect((await nextCopy()).state).toEqual({ attempts: 0, since: T0.getTime(), waits: 0 });

    now = new Date(T0.getTime() + 61_000);
    vendor.always({ kind: 'status', status: 200 });
    await pollNext(handler);
    expect(vendor.calls).toHaveLength(1);
    expect(await deliveryOf(message.order.orderId)).toMatchObject({ status: 'sent' });
  });
});
