/**
 * A sender's log lines carry the Lambda context of the invocation that wrote them – `function_request_id`,
 * `cold_start`, the function's name – as the API functions' lines do, so a sale's lines lead to the invocation (its
 * REPORT line, its duration) and back. Built by createSender, the one factory the Lambda entry uses.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { parseConfig } from '../../lambdas/config/schema';
import { DeliveryMessage, messageDigest } from '../../lambdas/core/delivery';
import { RecordingDeliveryMetrics } from '../../lambdas/observability/metrics';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { lambdaContext } from '../../local/lambda-context';
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

function message(orderId: string): DeliveryMessage {
  const m: DeliveryMessage = {
    version: 1,
    destination: 'kelkoo',
    receivedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    context: { saleId: '0.5', kelkooId: 'kk-1' },
    order: { orderId, currency: 'EUR', orderValue: 10, netValue: 10, occurredAt: new Date().toISOString(), items: [{ productId: 'P1', name: 'x', unitPrice: 10, quantity: 1 }] },
  };
  return { ...m, digest: messageDigest(m) };
}

describe('sender logs', () => {
  it("carry the invocation's function_request_id and cold_start on every line, each invocation its own", async () => {
    const queue = await createTestQueue(sqs, 3);
    const config = parseConfig({ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: `${vendor.url}/st` } } });
    const { logger, lines } = recordingLogger();
    const metrics = new RecordingDeliveryMetrics();
    const handler = senderFor(config, 'kelkoo', queue, { store, sqs, logger, metrics });
    // A refusal the sender retries: the line it writes at INFO and above (a delivered sale writes none of its own).
    vendor.answer({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });

    const contexts = [lambdaContext('sender-kelkoo', 60), lambdaContext('sender-kelkoo', 60)];
    for (const [i, context] of contexts.entries()) {
      const m = message(`LOG-${Date.now()}-${i}`);
      await store.createOrder({
        orderId: m.order.orderId,
        receivedAt: new Date(),
        occurredAt: m.order.occurredAt,
        expiresAt: m.expiresAt,
        deliveries: [{ destination: 'kelkoo', status: 'queued', digest: m.digest }],
      });
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(m) }));
      expect((await handler({ Records: [await receiveRecord(sqs, queue.queueUrl)] }, context)).batchItemFailures).toEqual([]);
    }

    const retried = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === 'Delivery will be retried');
    expect(retried).toHaveLength(2);
    expect(retried.map((line) => line.function_request_id)).toEqual(contexts.map((c) => c.awsRequestId));
    for (const line of retried) expect(line).toMatchObject({ function_name: 'sender-kelkoo', cold_start: expect.any(Boolean) });
    // Each batch's metric record – the line a delivered sale has – carries its invocation's request id too.
    expect(metrics.records.map((r) => r.properties.function_request_id)).toEqual(contexts.map((c) => c.awsRequestId));
  });
});
