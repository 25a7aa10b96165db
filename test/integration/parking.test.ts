/**
 * Parking and redriving at the sender, over the real SQS server and DynamoDB Local: a delivery the vendor refuses is
 * parked in the dead-letter queue (not deleted), a redrive re-opens it and the sender re-renders the call with the
 * configuration of the moment, a `sent` delivery is never re-opened, and a failure to park loses nothing. Then the
 * listing of unsettled deliveries (the sparse index) against a reference model, page by page.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { parseConfig } from '../../lambdas/config/schema';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import { DeliveryParking, PARKED_ATTRIBUTE } from '../../lambdas/store/delivery-queues';
import { TrackingStore, UNSETTLED_STATUSES, UnsettledCursor } from '../../lambdas/store/tracking-store';
import { redriveSelected } from '../../scripts/redrive';
import { lambdaContext } from '../support/api';
import { createTestQueue, createTestStore, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { receiveRecord, senderFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;
let queue: { queueUrl: string; dlqUrl: string };
let seq = 0;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start();
});
afterAll(() => vendor.stop());
beforeEach(async () => {
  queue = await createTestQueue(sqs, 3);
  vendor.calls.length = 0;
});

/** The Kelkoo sender with `comId` in its configuration; parking in the queue's DLQ unless `parking` is given. */
function sender(comId: string, parking?: DeliveryParking) {
  const config = parseConfig({
    vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId, endpoint: `${vendor.url}/st` } },
    delivery: { maxAttempts: 5, retryBaseSeconds: 1, timeoutMs: 2000 },
  });
  return senderFor(config, 'kelkoo', queue, { store, sqs, parking });
}

async function queuedOrder(): Promise<DeliveryMessage> {
  const orderId = `P-${++seq}-${Date.now()}`;
  const message: DeliveryMessage = {
    version: 1,
    destination: 'kelkoo',
    receivedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    context: { saleId: '0.42', kelkooId: 'kk-1' },
    order: {
      orderId,
      currency: 'EUR',
      orderValue: 10.5,
      netValue: 9,
      occurredAt: new Date().toISOString(),
      items: [{ productId: 'P1', name: 'Thing', unitPrice: 10.5, quantity: 1, groupId: 'P1', variantId: 'P1' }],
      shopper: { ip: '203.0.113.9' },
    },
  };
  await store.createOrder({ orderId, receivedAt: new Date(), occurredAt: message.order.occurredAt, expiresAt: message.expiresAt, deliveries: [{ destination: 'kelkoo', status: 'queued' }] });
  return message;
}

/** Receives the next message of `queueUrl` as Lambda would hand it to the sender, message attributes included. */
const receive = (queueUrl: string): Promise<SQSRecord> => receiveRecord(sqs, queueUrl);

async function send(queueUrl: string, message: DeliveryMessage, parked = false): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(message),
      ...(parked ? { MessageAttributes: { [PARKED_ATTRIBUTE]: { DataType: 'String', StringValue: 'failed' } } } : {}),
    }),
  );
}

async function depth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages);
}

const statusOf = async (orderId: string) => (await store.getOrder(orderId))!.deliveries[0]!;
const comIdOf = (url: string) => new URL(url, vendor.url).searchParams.get('comId');

describe('parking a refused delivery', () => {
  it('parks it in the dead-letter queue, and a redrive sends it again rendered with the current configuration', async () => {
    const message = await queuedOrder();
    vendor.always({ kind: 'status', status: 400, body: 'unknown comId' });
    await send(queue.queueUrl, message);
    const first = await sender('111')(event(await receive(queue.queueUrl)), lambdaContext);

    expect(first.batchItemFailures).toEqual([]);
    expect(await statusOf(message.order.orderId)).toMatchObject({ status: 'failed', attempts: 1, vendorStatus: 400 });
    // In the DLQ (the alarm's metric counts it), where a redrive of the dead-lettered ones leaves it alone.
    expect(await depth(queue.dlqUrl)).toBe(1);
    const queues = { sqs, deadLetterQueueUrl: queue.dlqUrl, queueUrl: queue.queueUrl };
    expect(await redriveSelected(queues, { only: 'dead-lettered' })).toEqual({ moved: 0, kept: 1 });
    expect(await redriveSelected(queues, { orderId: 'another order' })).toEqual({ moved: 0, kept: 1 });

    // The cause is fixed in the configuration (comId 222) and the vendor accepts it.
    vendor.always({ kind: 'status', status: 200, body: 'OK' });
    expect(await redriveSelected(queues, { only: 'failed', orderId: message.order.orderId })).toEqual({ moved: 1, kept: 0 });
    const redriven = await receive(queue.queueUrl);
    // Marked as parked, with its order id, body intact.
    expect(redriven.messageAttributes[PARKED_ATTRIBUTE]?.stringValue).toBe('failed');
    expect(redriven.messageAttributes.orderId?.stringValue).toBe(message.order.orderId);
    expect(JSON.parse(redriven.body)).toEqual(message);
    const second = await sender('222')(event(redriven), lambdaContext);

    expect(second.batchItemFailures).toEqual([]);
    expect(vendor.calls.map((c) => comIdOf(c.url))).toEqual(['111', '222']);
    const delivery = await statusOf(message.order.orderId);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 2, vendorStatus: 200 });
    // Once sent, the record keeps the attempt that sent it (attempts still counts both).
    expect(delivery.history?.map((h) => [h.outcome, h.httpStatus, h.request.includes('comId=222')])).toEqual([['sent', 200, true]]);

    // A parked copy of the same message redriven later: the delivery is sent, so it is not re-opened and nobody is called.
    await send(queue.queueUrl, message, true);
    const third = await sender('222')(event(await receive(queue.queueUrl)), lambdaContext);
    expect(third.batchItemFailures).toEqual([]);
    expect(vendor.calls).toHaveLength(2);
    expect(await statusOf(message.order.orderId)).toEqual(delivery);
  });

  it('re-opens only on a redriven (parked) message: a late copy of the original for a failed delivery makes no call', async () => {
    const message = await queuedOrder();
    vendor.always({ kind: 'status', status: 400 });
    await send(queue.queueUrl, message);
    await sender('111')(event(await receive(queue.queueUrl)), lambdaContext);
    vendor.always({ kind: 'status', status: 200 });
    await send(queue.queueUrl, message);
    const copy = await sender('222')(event(await receive(queue.queueUrl)), lambdaContext);
    expect(copy.batchItemFailures).toEqual([]);
    expect(vendor.calls).toHaveLength(1);
    expect((await statusOf(message.order.orderId)).status).toBe('failed');
  });

  it('leaves the message on its queue and the delivery open when parking fails, so nothing is lost', async () => {
    const message = await queuedOrder();
    vendor.always({ kind: 'status', status: 400 });
    await send(queue.queueUrl, message);
    const broken: DeliveryParking = { park: async () => Promise.reject(new Error('SQS unavailable')), deadLetter: async () => Promise.reject(new Error('SQS unavailable')) };
    const record = await receive(queue.queueUrl);
    const result = await sender('111', broken)(event(record), lambdaContext);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect((await statusOf(message.order.orderId)).status).not.toBe('failed');
  });
});

const event = (...records: SQSRecord[]) => ({ Records: records });

describe('listing unsettled deliveries', () => {
  const statusArb = fc.constantFrom<'retrying' | 'failed' | 'dead-lettered' | 'sent'>('retrying', 'failed', 'dead-lettered', 'sent');

  it('pages through exactly the deliveries not sent, newest first, for any filter and page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ vendor: fc.constantFrom('kelkoo', 'klevu'), status: statusArb, minute: fc.integer({ min: 0, max: 50 }) }), { minLength: 1, maxLength: 25 }),
        fc.subarray([...UNSETTLED_STATUSES], { minLength: 1 }),
        fc.option(fc.constantFrom('kelkoo', 'klevu'), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
        fc.integer({ min: 1, max: 7 }),
        async (deliveries, statuses, vendorFilter, sinceMinute, limit) => {
          const { store: fresh } = await createTestStore();
          const base = Date.UTC(2026, 10, 1, 10, 0, 0);
          const at = (minute: number) => new Date(base + minute * 60_000);
          const model: Array<{ orderId: string; vendor: string; status: string; updatedAt: string }> = [];
          await Promise.all(
            deliveries.map(async (d, i) => {
              const orderId = `L-${i}`;
              await fresh.claimDelivery(orderId, d.vendor, at(d.minute), 90, 2_000_000_000);
              if (d.status === 'sent') await fresh.recordDelivery(orderId, d.vendor, { status: 'sent', vendorStatus: 200, at: at(d.minute) });
              else await fresh.recordDelivery(orderId, d.vendor, { status: d.status, error: 'x', completedRequests: [], at: at(d.minute) });
              if (d.status !== 'sent') model.push({ orderId, vendor: d.vendor, status: d.status, updatedAt: at(d.minute).toISOString() });
            }),
          );
          const expected = model
            .filter((m) => (statuses as string[]).includes(m.status) && (!vendorFilter || m.vendor === vendorFilter))
            .filter((m) => sinceMinute === undefined || m.updatedAt >= at(sinceMinute).toISOString());

          const seen: typeof model = [];
          let cursor: UnsettledCursor | undefined;
          for (let page = 0; page < 50; page++) {
            const result = await fresh.listUnsettled({
              statuses,
              limit,
              ...(vendorFilter ? { destinations: [vendorFilter] } : {}),
              ...(sinceMinute !== undefined ? { since: at(sinceMinute).toISOString() } : {}),
              ...(cursor ? { cursor } : {}),
            });
            expect(result.deliveries.length).toBeLessThanOrEqual(limit);
            seen.push(...result.deliveries.map((d) => ({ orderId: d.orderId, vendor: d.vendor, status: String(d.status), updatedAt: d.updatedAt })));
            cursor = result.cursor;
            if (!cursor) break;
          }
          expect(cursor).toBeUndefined();
          const key = (m: (typeof model)[number]) => `${m.orderId}/${m.vendor}`;
          expect(seen.map(key).sort()).toEqual(expected.map(key).sort());
          expect(new Set(seen.map(key)).size).toBe(seen.length);
          const times = seen.map((m) => m.updatedAt);
          expect(times).toEqual([...times].sort().reverse());
        },
      ),
      { numRuns: 12 },
    );
  });

  it('removes a delivery from the index once sent, and while re-opened (queued) until its new outcome', async () => {
    const at = new Date('2026-11-02T10:00:00Z');
    await store.claimDelivery('R-1', 'kelkoo', at, 90, 2_000_000_000);
    await store.recordDelivery('R-1', 'kelkoo', { status: 'failed', error: 'HTTP 400', completedRequests: [], at });
    const listed = async () => (await store.listUnsettled({ statuses: [...UNSETTLED_STATUSES], limit: 100 })).deliveries.filter((d) => d.orderId === 'R-1');
    expect((await listed()).map((d) => d.status)).toEqual(['failed']);
    expect(await store.reopenFailed('R-1', 'kelkoo', at)).toBe(true);
    expect(await listed()).toEqual([]);
    await store.claimDelivery('R-1', 'kelkoo', at, 90, 2_000_000_000);
    await store.recordDelivery('R-1', 'kelkoo', { status: 'sent', vendorStatus: 200, at });
    expect(await listed()).toEqual([]);
    expect(await store.reopenFailed('R-1', 'kelkoo', at)).toBe(false);
  });
});
