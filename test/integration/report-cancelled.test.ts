/**
 * `npm run report` on what the service really records and publishes: a delivery the order's cancellation stopped
 * before it was sent is counted `cancelled`, not `pending` – from the table (the local report) and from the delivery
 * metrics the functions publish (the deployed report), which must agree. The real conversion, cancellation route and
 * sender, against DynamoDB Local, the SQS server and a vendor double.
 */
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig } from '../../lambdas/config/schema';
import { DeliveryEvent, RecordingDeliveryMetrics } from '../../lambdas/observability/metrics';
import type { SenderHandler } from '../../lambdas/sender/create';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { formatReport, tallyMetrics, tallyRecords } from '../../scripts/report';
import { API_KEY, apiEvent, call } from '../support/api';
import { createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { pollOnce, queuesFor, queueUrlsOf, sendersFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs: SQSClient = sqsClient();
let vendor: VendorDouble;
let metrics: RecordingDeliveryMetrics;
let handlers: ReturnType<typeof createApiHandlers>;
let kelkooSender: SenderHandler;
let kelkooQueue: string;
let scan: () => Promise<Array<Record<string, unknown>>>;
let seq = 0;

beforeAll(async () => {
  const { store, client, tableName } = await createTestStore();
  vendor = await VendorDouble.start();
  const config = parseConfig({
    vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: `${vendor.url}/st` } },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 3000 },
  });
  const queues = await queuesFor(config, sqs, 3);
  const queueUrls = queueUrlsOf(queues);
  kelkooQueue = queueUrls.kelkoo!;
  const { logger } = recordingLogger();
  metrics = new RecordingDeliveryMetrics();
  handlers = createApiHandlers({ config, store, queues: new SqsDeliveryQueues(sqs, queueUrls), apiKeys: new StaticApiKeys([API_KEY]), logger, metrics });
  kelkooSender = sendersFor(config, { store, sqs, queues, logger, metrics, random: () => 0.5 }).kelkoo!;
  const documents = DynamoDBDocumentClient.from(client);
  scan = async () => (await documents.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
  vendor.always({ kind: 'status', status: 200, body: 'OK' });
});
afterAll(() => vendor.stop());

async function order(): Promise<string> {
  const orderId = `RC-${++seq}-${Date.now()}`;
  const sessionId = `rc-${seq}-${Date.now()}`;
  expect((await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: { kk: `kk-${seq}` } } }))).status).toBe(201);
  const body = { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 12.5, items: [{ productId: 'P1', name: 'P', unitPrice: 12.5, quantity: 1 }] };
  expect((await call(handlers.conversion, apiEvent({ body }))).status).toBe(202);
  return orderId;
}

const cancel = async (orderId: string) =>
  expect((await call(handlers.cancellation, apiEvent({ pathParameters: { orderId }, body: { reason: 'returned' } }))).status).toBe(200);

/** The recorded metric events as GetMetricData's daily sums would give them back. */
function series(day: Date) {
  const sums = new Map<string, { vendor: string; event: DeliveryEvent; timestamps: Date[]; values: number[] }>();
  for (const { destination, event } of metrics.events) {
    const key = `${destination}/${event}`;
    const entry = sums.get(key) ?? { vendor: destination, event, timestamps: [day], values: [0] };
    entry.values[0]!++;
    sums.set(key, entry);
  }
  return [...sums.values()];
}

describe('npm run report: a delivery cancelled before it was sent', () => {
  it('is counted cancelled, not pending, locally and from the published metrics alike', async () => {
    const since = new Date(Date.now() - 3_600_000);
    // Sent, then cancelled: stays sent (Kelkoo has no cancellation call).
    const sent = await order();
    expect((await pollOnce(sqs, kelkooQueue, kelkooSender)).records).toHaveLength(1);
    await cancel(sent);
    // Cancelled while still queued; cancelling it again changes and counts nothing more.
    const cancelled = await order();
    await cancel(cancelled);
    await cancel(cancelled);
    // Still queued: pending.
    await order();

    const today = new Date().toISOString().slice(0, 10);
    const counts = { day: today, vendor: 'kelkoo', reported: 3, queued: 3, sent: 1, failed: 0, deadLettered: 0, cancelled: 1, pending: 1 };
    expect(tallyRecords(await scan(), since)).toEqual([{ ...counts, skipped: {} }]);
    expect(metrics.events.filter((e) => e.event === 'cancelled')).toEqual([{ destination: 'kelkoo', event: 'cancelled' }]);
    expect(tallyMetrics(series(new Date(`${today}T00:00:00Z`)))).toEqual([{ ...counts, skipped: 0 }]);
    expect(formatReport(tallyRecords(await scan(), since), 'heading')[3]!.split(/\s+/)).toEqual([today, 'kelkoo', '3', '3', '1', '0', '0', '0', '1', '1']);

    // The cancelled delivery's message, when its sender gets to it, makes no call.
    expect((await pollOnce(sqs, kelkooQueue, kelkooSender)).records).toHaveLength(2);
    expect([vendor.callsFor('/st', sent).length, vendor.callsFor('/st', cancelled).length]).toEqual([1, 0]);
  });
});
