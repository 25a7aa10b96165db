/** The sender sends only a message that matches the order the service recorded (digest check), on the real queue and table. */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { parseConfig } from '../../lambdas/config/schema';
import { DeliveryMessage, messageDigest } from '../../lambdas/core/delivery';
import { RecordingDeliveryMetrics } from '../../lambdas/observability/metrics';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { lambdaContext } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
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

async function setup() {
  const queue = await createTestQueue(sqs, 3);
  const config = parseConfig({ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: `${vendor.url}/st` } }, delivery: { maxAttempts: 5, retryBaseSeconds: 1, timeoutMs: 2000 } });
  const metrics = new RecordingDeliveryMetrics();
  const { logger, lines } = recordingLogger();
  const handler = senderFor(config, 'kelkoo', queue, { store, sqs, logger, metrics, recordWaitMs: 50 });
  const recordOf = async (message: DeliveryMessage): Promise<SQSRecord> => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(message) }));
    return receiveRecord(sqs, queue.queueUrl);
  };
  return { handler, metrics, lines, recordOf };
}

function message(orderValue: number): DeliveryMessage {
  const m: DeliveryMessage = {
    version: 1,
    destination: 'kelkoo',
    receivedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    context: { saleId: '0.5', kelkooId: 'kk-1' },
    order: { orderId: `D-${Date.now()}-${++seq}`, currency: 'EUR', orderValue, netValue: orderValue, occurredAt: new Date().toISOString(), items: [{ productId: 'P1', name: 'x', unitPrice: orderValue, quantity: 1 }] },
  };
  return { ...m, digest: messageDigest(m) };
}

const record = (m: DeliveryMessage, deliveries: Parameters<TrackingStore['createOrder']>[0]['deliveries']) =>
  store.createOrder({ orderId: m.order.orderId, receivedAt: new Date(), occurredAt: m.order.occurredAt, expiresAt: m.expiresAt, deliveries });

const callsFor = (orderId: string) => vendor.calls.filter((c) => new URL(c.url, vendor.url).searchParams.get('orderId') === orderId);

describe('sender: only what the service recorded', () => {
  it('leaves a message whose order is not recorded yet on its queue, without a call or a delivery record', async () => {
    const { handler, recordOf } = await setup();
    const m = message(111);
    const r = await recordOf(m);
    // Acknowledged: a copy, delayed, looks for the order again (test/integration/sender-retry-horizon.test.ts).
    expect((await handler({ Records: [r] }, lambdaContext)).batchItemFailures).toEqual([]);
    expect(callsFor(m.order.orderId)).toHaveLength(0);
    // Recorded later (the conversion's write after its queue write): the next receive sends it.
    await record(m, [{ destination: 'kelkoo', status: 'queued', digest: m.digest }]);
    expect((await handler({ Records: [r] }, lambdaContext)).batchItemFailures).toEqual([]);
    expect(callsFor(m.order.orderId)).toHaveLength(1);
    expect((await store.getOrder(m.order.orderId))!.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('drops (acknowledges, logs, counts) a message whose body differs from the recorded one, or for a delivery the plan skipped', async () => {
    const { handler, metrics, lines, recordOf } = await setup();
    const recorded = message(222);
    const other = { ...message(111), order: { ...message(111).order, orderId: recorded.order.orderId } };
    const otherMessage = { ...other, digest: messageDigest(other) };
    await record(recorded, [{ destination: 'kelkoo', status: 'queued', digest: recorded.digest }]);
    const r = await recordOf(otherMessage);
    expect((await handler({ Records: [r] }, lambdaContext)).batchItemFailures).toEqual([]);

    const skipped = message(111);
    await record(skipped, [{ destination: 'kelkoo', status: 'skipped', reason: 'no live kk' }]);
    expect((await handler({ Records: [await recordOf(skipped)] }, lambdaContext)).batchItemFailures).toEqual([]);

    expect(callsFor(recorded.order.orderId)).toHaveLength(0);
    expect(callsFor(skipped.order.orderId)).toHaveLength(0);
    expect(metrics.events).toEqual([
      { destination: 'kelkoo', event: 'dropped' },
      { destination: 'kelkoo', event: 'dropped' },
    ]);
    expect(lines.filter((l) => l.includes('Message dropped'))).toHaveLength(2);
    // No delivery record was created for either: the status shows the recorded plan.
    expect((await store.getOrder(recorded.order.orderId))!.deliveries).toEqual([{ vendor: 'kelkoo', status: 'queued', attempts: 0 }]);
    expect((await store.getOrder(skipped.order.orderId))!.deliveries).toEqual([{ vendor: 'kelkoo', status: 'skipped', attempts: 0, reason: 'no live kk' }]);
  });
});
