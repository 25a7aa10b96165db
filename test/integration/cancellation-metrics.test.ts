/**
 * The delivery counts of a cancellation destination (`<postback>-cancel`), which its delivery-ratio alarm divides:
 * the cancellation route counts a call `queued`, its sender counts it `sent`, both under the cancellation
 * destination's id – as the conversion and a sale's sender do for a sale. Against DynamoDB Local and the SQS server,
 * with the real handlers and senders and a vendor double.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import type { DeliveryEvent } from '../../lambdas/observability/metrics';
import { RecordingDeliveryMetrics } from '../../lambdas/observability/metrics';
import type { SenderHandler } from '../../lambdas/sender/create';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { apiEvent, call } from '../support/api';
import { createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { pollOnce, queuesFor, queueUrlsOf, sendersFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs: SQSClient = sqsClient();
let vendor: VendorDouble;
let config: TrackingConfig;
let metrics: RecordingDeliveryMetrics;
let handlers: ReturnType<typeof createApiHandlers>;
let queueUrls: Record<string, string>;
let senders: Record<string, SenderHandler>;
let seq = 0;

beforeAll(async () => {
  const { store } = await createTestStore();
  vendor = await VendorDouble.start({ orderIdOf: (url) => url.searchParams.get('ref') ?? url.search });
  config = parseConfig({
    vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: `${vendor.url}/st` } },
    postbacks: {
      awin: {
        clickIdParam: 'awc',
        url: `${vendor.url}/awin/sale?ref={order.orderId}&cks={clickId}`,
        cancel: { url: `${vendor.url}/awin/cancel?ref={order.orderId}&cks={clickId}` },
      },
    },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 3000 },
  });
  const queues = await queuesFor(config, sqs, 3);
  queueUrls = queueUrlsOf(queues);
  const { logger } = recordingLogger();
  metrics = new RecordingDeliveryMetrics();
  handlers = createApiHandlers({ config, store, queues: new SqsDeliveryQueues(sqs, queueUrls), apiKeys: new StaticApiKeys(['test-key-0123456789']), logger, metrics });
  senders = sendersFor(config, { store, sqs, queues, logger, metrics, random: () => 0.5 });
});
afterAll(() => vendor.stop());
beforeEach(() => {
  vendor.always({ kind: 'status', status: 200, body: 'OK' });
  metrics.events.length = 0;
});

const runSender = async (id: string) => (await pollOnce(sqs, queueUrls[id]!, senders[id]!)).records.length;

async function order(clicks: Record<string, string>): Promise<string> {
  const orderId = `CM-${++seq}-${Date.now()}`;
  const sessionId = `cm-${seq}-${Date.now()}`;
  expect((await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: clicks } }))).status).toBe(201);
  const conversion = await call(
    handlers.conversion,
    apiEvent({ body: { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 12.5, items: [{ productId: 'P1', name: 'P', unitPrice: 12.5, quantity: 1 }] } }),
  );
  expect(conversion.status).toBe(202);
  return orderId;
}

const cancel = (orderId: string) =>
  call(handlers.cancellation, apiEvent({ path: '/v1/conversions/{orderId}/cancellation', pathParameters: { orderId }, body: { reason: 'returned' } }));

/** How often `event` was counted for `destination` since the test began. */
const counted = (destination: string, event: DeliveryEvent) =>
  metrics.events.filter((e) => e.destination === destination && e.event === event).length;

describe('delivery counts of a cancellation destination', () => {
  it('counts the cancellation call queued once, and sent once by its sender: the two halves of awin-cancel’s ratio', async () => {
    const orderId = await order({ awc: 'aw-m1' });
    expect(await runSender('awin')).toBe(1);
    expect((await cancel(orderId)).status).toBe(200);
    expect(counted('awin-cancel', 'queued')).toBe(1);

    expect(await runSender('awin-cancel')).toBe(1);
    expect(vendor.callsFor('/awin/cancel', orderId)).toHaveLength(1);
    expect(counted('awin-cancel', 'sent')).toBe(1);
    // Repeated once the call was made: nothing queued, nothing counted.
    expect((await cancel(orderId)).status).toBe(200);
    expect(counted('awin-cancel', 'queued')).toBe(1);
    // Under the cancellation destination's id only: the sale's own counts are untouched.
    expect(counted('awin', 'queued')).toBe(1);
  });

  it('counts nothing queued when no call is made: a sale cancelled before it was sent, or sent where no call exists', async () => {
    const before = await order({ awc: 'aw-m2', kk: 'kk-m2' });
    expect((await cancel(before)).status).toBe(200);
    const unsupported = await order({ kk: 'kk-m3' });
    expect(await runSender('kelkoo')).toBeGreaterThanOrEqual(1);
    expect((await cancel(unsupported)).status).toBe(200);
    expect(counted('awin-cancel', 'queued')).toBe(0);
    expect(counted('kelkoo-cancel', 'queued')).toBe(0);
    // Leave the queues empty for the next test.
    await runSender('awin');
    await runSender('kelkoo');
  });
});
