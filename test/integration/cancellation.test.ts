/**
 * POST /v1/conversions/{orderId}/cancellation against DynamoDB Local and the SQS server, with the real conversion and
 * sender handlers and a vendor double: before delivery, during retry, in flight, after sending with and without a
 * cancellation call, and repeated.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import type { SenderHandler } from '../../lambdas/sender/create';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { apiEvent, call } from '../support/api';
import { createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { pollOnce, queuesFor, queueUrlsOf, sendersFor } from '../support/senders';
import { eventually } from '../support/local-stack';
import { VendorDouble } from '../support/vendor-double';

const sqs: SQSClient = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;
let config: TrackingConfig;
let handlers: ReturnType<typeof createApiHandlers>;
let queueUrls: Record<string, string>;
let senders: Record<string, SenderHandler>;
let seq = 0;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start({ orderIdOf: (url) => url.searchParams.get('ref') ?? url.searchParams.get('orderId') ?? url.search });
  config = parseConfig({
    vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: `${vendor.url}/st` } },
    postbacks: {
      awin: {
        clickIdParam: 'awc',
        url: `${vendor.url}/awin/sale?ref={order.orderId}&cks={clickId}&amount={order.netValue}`,
        cancel: { url: `${vendor.url}/awin/cancel?ref={order.orderId}&cks={clickId}&amount={order.netValue}` },
      },
      net2: { clickIdParam: 'n2', url: `${vendor.url}/net2/sale?ref={order.orderId}&c={clickId}` },
    },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 3000 },
  });
  const queues = await queuesFor(config, sqs, 4);
  queueUrls = queueUrlsOf(queues);
  const { logger } = recordingLogger();
  handlers = createApiHandlers({ config, store, queues: new SqsDeliveryQueues(sqs, queueUrls), apiKeys: new StaticApiKeys(['test-key-0123456789']), logger });
  senders = sendersFor(config, { store, sqs, queues, logger, random: () => 0.5 });
});
afterAll(() => vendor.stop());
beforeEach(() => {
  vendor.always({ kind: 'status', status: 200, body: 'OK' });
});

/** One poll of a destination's queue through its sender, as Lambda's event source does; returns the records handled. */
async function runSender(id: string): Promise<number> {
  return (await pollOnce(sqs, queueUrls[id]!, senders[id]!)).records.length;
}

/** Reports an order for a visitor holding the given click ids (captured just before). */
async function order(clicks: Record<string, string>): Promise<string> {
  const orderId = `C-${++seq} &/?`;
  const sessionId = `cs-${seq}-${Date.now()}`;
  const capture = await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: clicks } }));
  expect(capture.status).toBe(201);
  const conversion = await call(
    handlers.conversion,
    apiEvent({ body: { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 12.5, netValue: 10, items: [{ productId: 'P1', name: 'P', unitPrice: 12.5, quantity: 1 }] } }),
  );
  expect(conversion.status).toBe(202);
  return orderId;
}

const cancel = (orderId: string, body: unknown = { reason: 'returned' }) =>
  call(handlers.cancellation, apiEvent({ path: '/v1/conversions/{orderId}/cancellation', pathParameters: { orderId }, body }));

async function deliveries(orderId: string): Promise<Record<string, any>> {
  const { status, body } = await call(handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId } }));
  expect(status).toBe(200);
  return Object.fromEntries((body.deliveries as any[]).map((d) => [d.vendor, d]));
}

describe('cancellation', () => {
  it('before delivery: every queued delivery becomes cancelled and its message is dropped without a call', async () => {
    const orderId = await order({ kk: 'kk-1', awc: 'aw-1' });
    const { status, body } = await cancel(orderId);
    expect(status).toBe(200);
    expect(body.cancellation).toEqual({ requestedAt: expect.any(String), reason: 'returned' });
    expect(body.deliveries.map((d: any) => [d.vendor, d.status])).toEqual([
      ['kelkoo', 'cancelled'],
      ['awin', 'cancelled'],
      ['net2', 'skipped'],
    ]);
    expect(await runSender('kelkoo')).toBe(1);
    expect(await runSender('awin')).toBe(1);
    expect(vendor.callsFor('/st', orderId)).toHaveLength(0);
    expect(vendor.callsFor('/awin/sale', orderId)).toHaveLength(0);
    // Acknowledged, not retried: nothing left on the queues.
    expect(await runSender('kelkoo')).toBe(0);
    expect(await runSender('awin')).toBe(0);
    expect((await deliveries(orderId)).awin).toMatchObject({ status: 'cancelled' });
  });

  it('during retry: a delivery waiting for its next attempt is cancelled and never sent', async () => {
    const orderId = await order({ awc: 'aw-2' });
    vendor.answer({ kind: 'status', status: 503, body: 'busy' });
    expect(await runSender('awin')).toBe(1);
    expect((await deliveries(orderId)).awin).toMatchObject({ status: 'retrying', attempts: 1 });
    expect((await cancel(orderId)).status).toBe(200);
    // The retry is visible again at once (retryBaseSeconds 0): the claim refuses it and it is dropped.
    expect(await runSender('awin')).toBe(1);
    expect(await runSender('awin')).toBe(0);
    expect(vendor.callsFor('/awin/sale', orderId)).toHaveLength(1);
    expect((await deliveries(orderId)).awin).toMatchObject({ status: 'cancelled', attempts: 1 });
  });

  it('after sending, with a cancel template: one cancellation call on its own queue, after the sale, never twice', async () => {
    const orderId = await order({ awc: 'aw 3&x' });
    expect(await runSender('awin')).toBe(1);
    expect((await deliveries(orderId)).awin).toMatchObject({ status: 'sent' });

    // Repeated before the cancellation sender ran: each request queues a copy; the claim lets one call through.
    const first = await cancel(orderId);
    expect(first.status).toBe(200);
    expect(first.body.deliveries.find((d: any) => d.vendor === 'awin')).toMatchObject({ status: 'sent', cancellation: { status: 'queued', attempts: 0 } });
    expect((await cancel(orderId, { reason: 'changed mind' })).status).toBe(200);
    expect(await runSender('awin-cancel')).toBe(2);
    const calls = vendor.callsFor('/awin/cancel', orderId);
    expect(calls).toHaveLength(1);
    const url = new URL(calls[0]!.url, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ ref: orderId, cks: 'aw 3&x', amount: '10.00' });

    // A third request after the call was made queues nothing.
    const third = await cancel(orderId);
    expect(third.body.cancellation.reason).toBe('returned');
    expect(third.body.deliveries.find((d: any) => d.vendor === 'awin')).toMatchObject({
      status: 'sent',
      cancellation: { status: 'sent', attempts: 1, vendorStatus: 200 },
    });
    expect(await runSender('awin-cancel')).toBe(0);
    // The cancellation destination never shows as a vendor of its own.
    expect(Object.keys(await deliveries(orderId))).toEqual(['kelkoo', 'awin', 'net2']);
  });

  it('retries a failing cancellation call like a sale', async () => {
    const orderId = await order({ awc: 'aw-4' });
    await runSender('awin');
    await cancel(orderId);
    vendor.answer({ kind: 'status', status: 500, body: 'down' });
    expect(await runSender('awin-cancel')).toBe(1);
    expect((await deliveries(orderId)).awin.cancellation).toMatchObject({ status: 'retrying', attempts: 1, vendorStatus: 500 });
    expect(await runSender('awin-cancel')).toBe(1);
    expect((await deliveries(orderId)).awin.cancellation).toMatchObject({ status: 'sent', attempts: 2 });
    expect(vendor.callsFor('/awin/cancel', orderId).map((c) => c.answered)).toEqual([500, 200]);
  });

  it('after sending, without a cancellation call: recorded as unsupported, nothing queued', async () => {
    const orderId = await order({ kk: 'kk-5', n2: 'n2-5' });
    await runSender('kelkoo');
    await runSender('net2');
    const { status, body } = await cancel(orderId);
    expect(status).toBe(200);
    const byVendor = Object.fromEntries(body.deliveries.map((d: any) => [d.vendor, d]));
    expect(byVendor.kelkoo).toMatchObject({ status: 'sent', cancellation: 'unsupported' });
    expect(byVendor.net2).toMatchObject({ status: 'sent', cancellation: 'unsupported' });
    expect(byVendor.awin).toMatchObject({ status: 'skipped' });
    expect(await runSender('awin-cancel')).toBe(0);
    // Repeated: the same answer.
    expect((await cancel(orderId)).body.deliveries).toEqual(body.deliveries);
  });

  it('while a sale is on the wire: 503 with Retry-After, and the repeat after it landed queues the cancellation call', async () => {
    const orderId = await order({ awc: 'aw-6' });
    vendor.answer({ kind: 'slow', delayMs: 2500, status: 200, body: 'OK' });
    const sending = runSender('awin');
    // The call has reached the vendor (not a fixed sleep, which a loaded machine can outlast): it is on the wire.
    await eventually(
      async () => vendor.callsFor('/awin/sale', orderId).length,
      (n) => n > 0,
    );
    const during = await cancel(orderId);
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('delivery_in_progress');
    expect(Number(during.result.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    await sending;
    expect((await deliveries(orderId)).awin).toMatchObject({ status: 'sent' });
    expect((await cancel(orderId)).status).toBe(200);
    // Two copies of the call: the sender's, which found the cancellation when it recorded the sale, and the repeat's.
    expect(await runSender('awin-cancel')).toBe(2);
    expect(vendor.callsFor('/awin/cancel', orderId)).toHaveLength(1);
  });

  it('answers 404 for an unknown order and 400 naming the field, writing nothing', async () => {
    expect((await cancel('no-such-order')).status).toBe(404);
    const orderId = await order({ awc: 'aw-7' });
    const bad = await cancel(orderId, { reason: 7, occurredAt: 'yesterday', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field).sort()).toEqual(['(body)', 'occurredAt', 'reason']);
    const future = await cancel(orderId, { occurredAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(future.status).toBe(400);
    expect((await deliveries(orderId)).awin).toMatchObject({ status: 'queued' });
    const unauthenticated = await call(handlers.cancellation, apiEvent({ pathParameters: { orderId }, body: {}, auth: null }));
    expect(unauthenticated.status).toBe(401);
    await runSender('awin');
  });

  it.each(['dead-lettered', 'failed'] as const)('a %s delivery is cancelled, and a redriven message is then refused by the claim', async (parked) => {
    const orderId = await order({ awc: `aw-${parked}` });
    const claim = await store.claimDelivery(orderId, 'awin', new Date(), 90, Math.floor(Date.now() / 1000) + 3600);
    expect(claim.kind).toBe('claimed');
    await store.recordDelivery(orderId, 'awin', { status: parked, error: 'vendor said no', completedRequests: [], at: new Date() });
    expect((await cancel(orderId)).body.deliveries.find((d: any) => d.vendor === 'awin')).toMatchObject({ status: 'cancelled', attempts: 1 });
    // What a redrive of its message would meet: no call, the delivery settled as cancelled.
    expect(await store.claimDelivery(orderId, 'awin', new Date(), 90, 0)).toEqual({ kind: 'done', status: 'cancelled' });
    expect(await runSender('awin')).toBe(1);
    expect(vendor.callsFor('/awin/sale', orderId)).toHaveLength(0);
  });
});
