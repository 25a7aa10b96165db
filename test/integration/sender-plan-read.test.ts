/**
 * The sender's read of the recorded plan: eventually consistent first (half the read units), strongly consistent
 * only for what that read does not find – on the real queue and table. DynamoDB Local never answers an eventually
 * consistent read with an older version, so the stale answers AWS may give in the second after a write are forced by
 * answering that one read from a stand-in; every other read and write goes to DynamoDB Local.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { parseConfig } from '../../lambdas/config/schema';
import { DeliveryMessage, messageDigest } from '../../lambdas/core/delivery';
import { RecordingDeliveryMetrics } from '../../lambdas/observability/metrics';
import { documentClient } from '../../lambdas/store/document-client';
import type { RecordedPlan } from '../../lambdas/store/order-store';
import { TrackingStore } from '../../lambdas/store/tracking-store';
import { lambdaContext } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { receiveRecord, senderFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;
/** ConsistentRead of every GetItem of an order item, in order. */
let planReads: Array<boolean | undefined>;
let seq = 0;

beforeAll(async () => {
  const { client, tableName } = await createTestStore();
  const db = documentClient(client);
  const send = db.send.bind(db);
  db.send = ((command: Parameters<typeof send>[0]) => {
    if (command instanceof GetCommand && command.input.Key?.sk === 'ORDER') planReads.push(command.input.ConsistentRead);
    return send(command);
  }) as typeof db.send;
  store = new TrackingStore(db, tableName);
  vendor = await VendorDouble.start();
});
afterAll(() => vendor.stop());
beforeEach(() => {
  planReads = [];
});

/** A sender over `senderStore`, and a way to put a message on its queue and receive it as the sender would. */
async function setup(senderStore: TrackingStore = store) {
  const queue = await createTestQueue(sqs, 3);
  const config = parseConfig({ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: `${vendor.url}/pr` } }, delivery: { maxAttempts: 5, retryBaseSeconds: 1, timeoutMs: 2000 } });
  const metrics = new RecordingDeliveryMetrics();
  const { logger } = recordingLogger();
  const handler = senderFor(config, 'kelkoo', queue, { store: senderStore, sqs, logger, metrics, recordWaitMs: 50 });
  const recordOf = async (message: DeliveryMessage): Promise<SQSRecord> => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(message) }));
    return receiveRecord(sqs, queue.queueUrl);
  };
  return { handler, metrics, recordOf };
}

function message(orderValue: number): DeliveryMessage {
  const m: DeliveryMessage = {
    version: 1,
    destination: 'kelkoo',
    receivedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    context: { saleId: '0.5', kelkooId: 'kk-1' },
    order: { orderId: `PR-${Date.now()}-${++seq}`, currency: 'EUR', orderValue, netValue: orderValue, occurredAt: new Date().toISOString(), items: [{ productId: 'P1', name: 'x', unitPrice: orderValue, quantity: 1 }] },
  };
  return { ...m, digest: messageDigest(m) };
}

const record = (m: DeliveryMessage, digest = m.digest) =>
  store.createOrder({ orderId: m.order.orderId, receivedAt: new Date(), occurredAt: m.order.occurredAt, expiresAt: m.expiresAt, deliveries: [{ destination: 'kelkoo', status: 'queued', digest }] });

const callsFor = (orderId: string) => vendor.calls.filter((c) => new URL(c.url, vendor.url).searchParams.get('orderId') === orderId);

/** The store, with its eventually consistent plan reads answered `stale` (what AWS may answer just after a write). */
function staleEventualReads(stale: RecordedPlan): TrackingStore {
  const wrapped = Object.create(store) as TrackingStore;
  wrapped.recordedPlan = async (orderId, destination, consistent = true) => (consistent ? store.recordedPlan(orderId, destination, true) : stale);
  return wrapped;
}

describe('sender: the plan read', () => {
  it('sends a message its recorded plan holds after one eventually consistent read', async () => {
    const { handler, metrics, recordOf } = await setup();
    const m = message(101);
    await record(m);
    expect((await handler({ Records: [await recordOf(m)] }, lambdaContext)).batchItemFailures).toEqual([]);
    expect(planReads).toEqual([undefined]);
    expect(callsFor(m.order.orderId)).toHaveLength(1);
    expect(metrics.events).toEqual([{ destination: 'kelkoo', event: 'sent' }]);
  });

  it('drops a message the plan does not hold only after a strongly consistent read says so', async () => {
    const { handler, metrics, recordOf } = await setup();
    const m = message(102);
    await record(m, 'another-digest');
    expect((await handler({ Records: [await recordOf(m)] }, lambdaContext)).batchItemFailures).toEqual([]);
    expect(planReads).toEqual([undefined, true]);
    expect(callsFor(m.order.orderId)).toHaveLength(0);
    expect(metrics.events).toEqual([{ destination: 'kelkoo', event: 'dropped' }]);
  });

  it.each([
    ['finds no order yet', { recorded: false } as RecordedPlan],
    ['finds another digest', { recorded: true, status: 'queued', digest: 'digest-before-a-replay' } as RecordedPlan],
  ])('sends, at once and once, a recorded message whose eventually consistent read %s', async (_, stale) => {
    const { handler, metrics, recordOf } = await setup(staleEventualReads(stale));
    const m = message(103);
    await record(m);
    expect((await handler({ Records: [await recordOf(m)] }, lambdaContext)).batchItemFailures).toEqual([]);
    expect(planReads).toEqual([true]);
    expect(callsFor(m.order.orderId)).toHaveLength(1);
    expect(metrics.events).toEqual([{ destination: 'kelkoo', event: 'sent' }]);
  });
});
