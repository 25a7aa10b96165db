/**
 * The reproduction of issue #20's first point, through the real sender, vendor double and table: Klevu answers 400
 * with 190 characters and then the shopper's IP. `lastError` takes the first 200 characters of the answer; the cut
 * fell inside the address, and the redaction that followed no longer recognised what was left of it.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { parseConfig } from '../../lambdas/config/schema';
import { DeliveryMessage, messageDigest } from '../../lambdas/core/delivery';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { lambdaContext } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { receiveRecord, senderFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start();
});
afterAll(() => vendor.stop());

it.each([
  ['198.51.100.123', '198.51.100.123', /198\.51/],
  ['an IPv6 address, echoed in another spelling', '2001:0db8:0000:0000:0000:0000:0000:0001', /2001|db8/i],
])('Klevu answers 400 with 190 characters, then the shopper IP (%s): lastError, the history and the logs hold none of it', async (_, ip, leak) => {
  const echoed = ip.includes(':') ? '2001:DB8::1' : ip;
  vendor.always({ kind: 'status', status: 400, body: `${'x'.repeat(190)}${echoed} is not allowed` });
  const queue = await createTestQueue(sqs, 3);
  const config = parseConfig({ vendors: { klevu: { ...SPEC_VENDORS.klevu, endpoint: `${vendor.url}/analytics/collect` } } });
  const { logger, lines } = recordingLogger();
  const handler = senderFor(config, 'klevu', queue, { store, sqs, logger, recordWaitMs: 50 });
  const orderId = `CUT-${ip.length}-${Date.now()}`;
  const message: DeliveryMessage = {
    version: 1,
    destination: 'klevu',
    receivedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    context: {},
    order: {
      orderId,
      currency: 'EUR',
      orderValue: 10,
      netValue: 10,
      occurredAt: new Date().toISOString(),
      items: [{ productId: 'P1', name: 'Lamp', unitPrice: 10, quantity: 1 }],
      shopper: { ip },
    },
  };
  const digest = messageDigest(message);
  await store.createOrder({
    orderId,
    receivedAt: new Date(),
    occurredAt: message.order.occurredAt,
    expiresAt: message.expiresAt,
    deliveries: [{ destination: 'klevu', status: 'queued', digest }],
  });
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify({ ...message, digest }) }));
  await handler({ Records: [await receiveRecord(sqs, queue.queueUrl)] }, lambdaContext);

  const delivery = (await store.getOrder(orderId))!.deliveries[0]!;
  expect(delivery).toMatchObject({ status: 'failed', vendorStatus: 400 });
  expect(delivery.lastError).toMatch(/^HTTP 400: x{190}\[redacted\]/);
  expect(delivery.lastError).not.toMatch(leak);
  expect(JSON.stringify(delivery.history)).not.toMatch(leak);
  expect(lines.join('\n')).not.toMatch(leak);
});
