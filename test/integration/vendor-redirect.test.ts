/**
 * Issue #21, point 1: no vendor call follows a redirect. A followed 301/302/303 turns Klevu's POST into a GET without
 * a body, whose 200 then counted as `sent` although Klevu never got the purchase. The HTTP sender hands the 3xx back
 * as it came, and the delivery fails for good – parked for a redrive – with the `Location` in its lastError, so the
 * operator fixes the endpoint (usually http:// where https:// is meant) and redrives.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { parseConfig } from '../../lambdas/config/schema';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { fetchHttpSender } from '../../lambdas/vendors/http-sender';
import { lambdaContext } from '../support/api';
import { createTestQueue, createTestStore, sqsClient } from '../support/aws';
import { receiveRecord, senderFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;
let seq = 0;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start();
});
afterAll(() => vendor.stop());
beforeEach(() => {
  vendor.calls.length = 0;
  vendor.always({ kind: 'status', status: 200, body: 'OK' });
});

describe('the HTTP sender', () => {
  it.each([301, 302, 303, 307, 308])('hands a %i back as it came, without a second call', async (status) => {
    const location = `${vendor.url}/moved`;
    vendor.answer({ kind: 'status', status, headers: { location }, body: 'Moved' });
    const response = await fetchHttpSender.send(
      { key: 'order_purchase', method: 'POST', url: `${vendor.url}/analytics/collect`, headers: { 'Content-Type': 'application/json' }, body: '[{"event":"order_purchase"}]' },
      2000,
    );
    expect(response).toMatchObject({ status, body: 'Moved' });
    expect(response.headers.location).toBe(location);
    expect(vendor.calls.map((c) => [c.method, c.url, c.body])).toEqual([['POST', '/analytics/collect', '[{"event":"order_purchase"}]']]);
  });
});

describe('a Klevu endpoint that redirects', () => {
  it('fails the delivery for good, naming the Location, and parks it for a redrive; the vendor got one call', async () => {
    const queue = await createTestQueue(sqs, 3);
    const config = parseConfig({
      vendors: { klevu: { apiKey: 'klevu-1234567890', endpoint: `${vendor.url}/analytics/collect` } },
      delivery: { maxAttempts: 5, retryBaseSeconds: 1, timeoutMs: 2000 },
    });
    const handler = senderFor(config, 'klevu', queue, { store, sqs });
    // The usual http → https move; the new place answers 200 to whatever reaches it.
    const location = `${vendor.url}/secure/analytics/collect`;
    vendor.answer({ kind: 'status', status: 301, headers: { location }, body: '' });

    const orderId = `R-${++seq}-${Date.now()}`;
    const message: DeliveryMessage = {
      version: 1,
      destination: 'klevu',
      receivedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
      context: {},
      order: {
        orderId,
        currency: 'EUR',
        orderValue: 10.5,
        netValue: 9,
        occurredAt: new Date().toISOString(),
        items: [{ productId: 'P1', name: 'Thing', unitPrice: 10.5, quantity: 1 }],
        shopper: { ip: '203.0.113.9' },
      },
    };
    await store.createOrder({ orderId, receivedAt: new Date(), occurredAt: message.order.occurredAt, expiresAt: message.expiresAt, deliveries: [{ destination: 'klevu', status: 'queued' }] });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(message) }));

    const result = await handler({ Records: [await receiveRecord(sqs, queue.queueUrl)] }, lambdaContext);

    expect(result.batchItemFailures).toEqual([]);
    expect(vendor.calls.map((c) => [c.method, c.url])).toEqual([['POST', '/analytics/collect']]);
    const delivery = (await store.getOrder(orderId))!.deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, vendorStatus: 301 });
    expect(delivery.lastError).toContain(`Location ${location}`);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
  });
});
