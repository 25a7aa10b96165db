/**
 * What operators see of a cancelled order, from the records the real pipeline wrote to DynamoDB Local (conversion,
 * senders on the SQS server, cancellation, the cancellation call's sender): `npm run status` prints the order's
 * cancellation, each vendor's cancellation and the groups; the console's reader shows the cancellation call under
 * its sale's vendor, never `awin-cancel` as a vendor of its own.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import type { SenderHandler } from '../../lambdas/sender/create';
import { documentClient } from '../../lambdas/store/document-client';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { ConsoleReader } from '../../local/console/reader';
import { formatStatus } from '../../scripts/status';
import { apiEvent, call } from '../support/api';
import { createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { pollOnce, queuesFor, queueUrlsOf, sendersFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs: SQSClient = sqsClient();
let store: TrackingStore;
let reader: ConsoleReader;
let vendor: VendorDouble;
let config: TrackingConfig;
let handlers: ReturnType<typeof createApiHandlers>;
let queueUrls: Record<string, string>;
let senders: Record<string, SenderHandler>;

beforeAll(async () => {
  const created = await createTestStore();
  store = created.store;
  vendor = await VendorDouble.start({ orderIdOf: (url) => url.searchParams.get('ref') ?? url.searchParams.get('orderId') ?? url.search });
  config = parseConfig({
    vendors: {
      kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: `${vendor.url}/st` },
      qualityclick: { ...SPEC_VENDORS.qualityclick, endpoint: `${vendor.url}/qc/get_trans.cgi` },
    },
    postbacks: {
      awin: {
        clickIdParam: 'awc',
        url: `${vendor.url}/awin/sale?ref={order.orderId}&cks={clickId}&ch={channel}`,
        cancel: { url: `${vendor.url}/awin/cancel?ref={order.orderId}&cks={clickId}` },
      },
    },
    attribution: { exclusive: { affiliates: { members: ['qualityclick', 'awin'] } } },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 3000 },
  });
  reader = new ConsoleReader(documentClient(created.client), created.tableName, config);
  const queues = await queuesFor(config, sqs, 5);
  queueUrls = queueUrlsOf(queues);
  const { logger } = recordingLogger();
  handlers = createApiHandlers({ config, store, queues: new SqsDeliveryQueues(sqs, queueUrls), apiKeys: new StaticApiKeys(['test-key-0123456789']), logger });
  senders = sendersFor(config, { store, sqs, queues, logger, random: () => 0.5 });
});
afterAll(() => vendor.stop());

const runSender = async (id: string) => (await pollOnce(sqs, queueUrls[id]!, senders[id]!)).records.length;

it('a sale sent to Kelkoo and Awin, then cancelled: status and console show the cancellations under their vendors', async () => {
  const orderId = 'OPS-1';
  const sessionId = `ops-${Date.now()}`;
  expect((await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: { awc: 'aw-1', kk: 'kk-1' } } }))).status).toBe(201);
  const conversion = await call(
    handlers.conversion,
    apiEvent({ body: { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 10, items: [{ productId: 'P', name: 'P', unitPrice: 10, quantity: 1 }] } }),
  );
  expect(conversion.status).toBe(202);
  await runSender('kelkoo');
  await runSender('awin');
  const cancelled = await call(handlers.cancellation, apiEvent({ path: '/v1/conversions/{orderId}/cancellation', pathParameters: { orderId }, body: { reason: 'returned' } }));
  expect(cancelled.status).toBe(200);
  expect(await runSender('awin-cancel')).toBe(1);

  const { body } = await call(handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId } }));
  const lines = formatStatus(body);
  expect(lines[1]).toMatch(/^Cancelled \S+: returned$/);
  expect(lines).toContain('Group affiliates: won by awin, {channel} = awin');
  const row = (vendorId: string) => lines.find((l) => l.startsWith(`${vendorId} `));
  expect(row('kelkoo')).toMatch(/^kelkoo\s+sent\s+1\s+200\s+unsupported\s+sent /);
  expect(row('awin')).toMatch(/^awin\s+sent\s+1\s+200\s+sent HTTP 200\s+sent /);
  expect(row('qualityclick')).toMatch(/^qualityclick\s+skipped/);
  expect(lines.some((l) => l.startsWith('awin-cancel'))).toBe(false);
  expect(lines).toContain('awin cancellation call: last 1 attempt(s), oldest first');

  for (const shown of [await reader.order(orderId), (await reader.orders(50)).orders.find((o) => o.orderId === orderId)]) {
    expect(shown).toMatchObject({
      orderId,
      cancellation: { requestedAt: expect.any(String), reason: 'returned' },
      groups: [{ group: 'affiliates', winner: 'awin', channel: 'awin' }],
    });
    expect(shown!.deliveries.map((d) => d.vendor)).toEqual(['kelkoo', 'qualityclick', 'awin']);
    expect(shown!.deliveries.find((d) => d.vendor === 'kelkoo')!.cancellation).toBe('unsupported');
    expect(shown!.deliveries.find((d) => d.vendor === 'awin')!.cancellation).toMatchObject({ status: 'sent', attempts: 1, vendorStatus: 200 });
  }
});
