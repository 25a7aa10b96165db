/**
 * Cancellations that meet a delivery in the middle, against DynamoDB Local and the SQS server with the real
 * conversion, cancellation and sender handlers. The vendor is a gate the test opens: a call is on the wire exactly as
 * long as the test says, so nothing here depends on timing.
 *
 * - A cancellation while a sale's call is on the wire answers 503 with a Retry-After of one call's timeout (not the
 *   sender's lease), and the sender completes it without the shop asking again: a sale that lands gets its
 *   cancellation call queued (or `unsupported` recorded), a sale whose call failed is cancelled by the next claim.
 * - A multi-call delivery the vendor accepted some calls of (Raptor: one call per order line) is never reported as
 *   unsent: it is finished, and its cancellation recorded as `unsupported` (or its cancellation call queued).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { RecordingDeliveryMetrics } from '../../lambdas/observability/metrics';
import type { SenderHandler } from '../../lambdas/sender/create';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import type { HttpSender } from '../../lambdas/vendors/http-sender';
import type { VendorRequest, VendorResponse } from '../../lambdas/vendors/types';
import { apiEvent, call } from '../support/api';
import { createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { pollOnce, queuesFor, queueUrlsOf, sendersFor } from '../support/senders';

const TIMEOUT_MS = 3000;

/**
 * A vendor whose answers the test gives: each call waits for `answer` (or `hold` and a later `release`), and is
 * recorded with its answer.
 */
class GatedVendor implements HttpSender {
  readonly calls: Array<{ url: string; status: number }> = [];
  private readonly answers: Array<(request: VendorRequest) => Promise<VendorResponse>> = [];

  send(request: VendorRequest): Promise<VendorResponse> {
    const next = this.answers.shift() ?? (async () => ok);
    return next(request).then((response) => {
      this.calls.push({ url: request.url, status: response.status });
      return response;
    });
  }

  /** The next calls answer these statuses, in order. */
  answer(...statuses: number[]): void {
    for (const status of statuses) this.answers.push(async () => ({ status, headers: {}, body: status === 200 ? 'OK' : 'busy' }));
  }

  /** The next call waits on the wire until `release`; `arrived` resolves once it is there. */
  hold(): { arrived: Promise<void>; release: (status: number) => void } {
    let release!: (status: number) => void;
    let arrived!: () => void;
    const there = new Promise<void>((resolve) => (arrived = resolve));
    const answered = new Promise<number>((resolve) => (release = resolve));
    this.answers.push(async () => {
      arrived();
      const status = await answered;
      return { status, headers: {}, body: status === 200 ? 'OK' : 'busy' };
    });
    return { arrived: there, release };
  }

  callsTo(path: string, orderId: string): Array<{ url: string; status: number }> {
    return this.calls.filter((c) => new URL(c.url).pathname.startsWith(path) && decodeURIComponent(c.url).includes(orderId));
  }
}
const ok: VendorResponse = { status: 200, headers: {}, body: 'OK' };

const sqs: SQSClient = sqsClient();
let store: TrackingStore;
let config: TrackingConfig;
let vendor: GatedVendor;
let metrics: RecordingDeliveryMetrics;
let handlers: ReturnType<typeof createApiHandlers>;
let queueUrls: Record<string, string>;
let senders: Record<string, SenderHandler>;
let seq = 0;

beforeAll(async () => {
  ({ store } = await createTestStore());
  config = parseConfig({
    vendors: {
      kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: 'https://kelkoo.example/st' },
      // One call at a time (parallelCalls 1): the answers below are scripted line by line, in order.
      raptor: { ...SPEC_VENDORS.raptor, endpoint: 'https://raptor.example', parallelCalls: 1 },
    },
    postbacks: {
      awin: {
        clickIdParam: 'awc',
        url: 'https://aw.example/sale?ref={order.orderId}&cks={clickId}',
        cancel: { url: 'https://aw.example/cancel?ref={order.orderId}&cks={clickId}' },
      },
      // One call per order line, and a cancellation call per line too.
      lines: {
        clickIdParam: 'ln',
        perItem: true,
        parallelCalls: 1,
        url: 'https://lines.example/sale?ref={order.orderId}&line={item.lineNumber}',
        cancel: { url: 'https://lines.example/cancel?ref={order.orderId}&line={item.lineNumber}', perItem: true },
      },
    },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: TIMEOUT_MS },
  });
});

// Fresh queues per test: what a test counts on a queue is its own order's messages only.
beforeEach(async () => {
  const queues = await queuesFor(config, sqs, 5);
  queueUrls = queueUrlsOf(queues);
  const { logger } = recordingLogger();
  vendor = new GatedVendor();
  metrics = new RecordingDeliveryMetrics();
  handlers = createApiHandlers({ config, store, queues: new SqsDeliveryQueues(sqs, queueUrls), apiKeys: new StaticApiKeys(['test-key-0123456789']), logger });
  senders = sendersFor(config, { store, sqs, queues, logger, http: vendor, metrics, random: () => 0.5 });
});

/** One poll of a destination's queue through its sender; returns the records handled. */
async function runSender(id: string): Promise<number> {
  return (await pollOnce(sqs, queueUrls[id]!, senders[id]!)).records.length;
}

/** An order of two lines for a visitor holding the given click ids (and Raptor's cookies), captured just before. */
async function order(clicks: Record<string, string>): Promise<string> {
  const orderId = `IF-${++seq}`;
  const sessionId = `if-${seq}-${Date.now()}`;
  const identifiers = { raptor: { coid: `c0c0c0c0-0000-4000-8000-${String(seq).padStart(12, '0')}`, sid: `5e55e55e-0000-4000-8000-${String(seq).padStart(12, '0')}` } };
  expect((await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: clicks, identifiers } }))).status).toBe(201);
  const conversion = await call(
    handlers.conversion,
    apiEvent({
      body: {
        orderId,
        visitor: { sessionId },
        currency: 'EUR',
        orderValue: 30,
        items: [
          { productId: 'P1', name: 'One', unitPrice: 10, quantity: 1 },
          { productId: 'P2', name: 'Two', unitPrice: 20, quantity: 1 },
        ],
      },
    }),
  );
  expect(conversion.status).toBe(202);
  return orderId;
}

const cancel = (orderId: string) => call(handlers.cancellation, apiEvent({ path: '/v1/conversions/{orderId}/cancellation', pathParameters: { orderId }, body: { reason: 'returned' } }));

async function deliveries(orderId: string): Promise<Record<string, any>> {
  const { status, body } = await call(handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId } }));
  expect(status).toBe(200);
  return Object.fromEntries((body.deliveries as any[]).map((d) => [d.vendor, d]));
}

describe('a cancellation while a sale is on the wire', () => {
  it('answers 503 with a Retry-After of one call\'s timeout; the sale lands and its sender queues the cancellation call itself', async () => {
    const orderId = await order({ awc: 'aw-1' });
    const call = vendor.hold();
    const sending = runSender('awin');
    await call.arrived;

    const during = await cancel(orderId);
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('delivery_in_progress');
    // The call ends within its timeout (3 s), and a second for the sender's write: not the 90 s lease.
    expect(during.result.headers?.['retry-after']).toBe(String(TIMEOUT_MS / 1000 + 1));

    call.release(200);
    await sending;
    // Nobody asks again: the sender found the cancellation and queued the call.
    expect(await runSender('awin-cancel')).toBe(1);
    expect(vendor.callsTo('/cancel', orderId)).toHaveLength(1);
    expect((await deliveries(orderId)).awin).toMatchObject({ status: 'sent', cancellation: { status: 'sent', attempts: 1, vendorStatus: 200 } });
    expect(metrics.events).toContainEqual({ destination: 'awin-cancel', event: 'queued' });

    // The shop's repeat changes nothing: the call was made once.
    expect((await cancel(orderId)).status).toBe(200);
    await runSender('awin-cancel');
    expect(vendor.callsTo('/cancel', orderId)).toHaveLength(1);
  });

  it('a destination without a cancellation call that lands records "unsupported" without the shop asking again', async () => {
    const orderId = await order({ kk: 'kk-2' });
    const call = vendor.hold();
    const sending = runSender('kelkoo');
    await call.arrived;
    expect((await cancel(orderId)).status).toBe(503);
    call.release(200);
    await sending;
    expect((await deliveries(orderId)).kelkoo).toMatchObject({ status: 'sent', cancellation: 'unsupported' });
  });

  it('a call that fails is not tried again: the next claim cancels the delivery, no vendor call', async () => {
    const orderId = await order({ awc: 'aw-3' });
    const call = vendor.hold();
    const sending = runSender('awin');
    await call.arrived;
    expect((await cancel(orderId)).status).toBe(503);
    call.release(503);
    await sending;
    expect((await deliveries(orderId)).awin).toMatchObject({ status: 'retrying', attempts: 1 });

    // The retry comes round (backoff 0): its claim finds the cancellation and no call accepted.
    const before = metrics.events.length;
    expect(await runSender('awin')).toBe(1);
    expect(vendor.callsTo('/sale', orderId)).toHaveLength(1);
    expect((await deliveries(orderId)).awin).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(metrics.events.slice(before)).toContainEqual({ destination: 'awin', event: 'cancelled' });
    expect(await runSender('awin-cancel')).toBe(0);
  });
});

describe('a partly delivered multi-call delivery', () => {
  it('Raptor line 1 accepted, line 2 answered 503: the cancellation leaves it retrying, it is finished, and the cancellation is "unsupported"', async () => {
    const orderId = await order({});
    vendor.answer(200, 503);
    expect(await runSender('raptor')).toBe(1);
    expect(vendor.callsTo('/1234.rsa', orderId).map((c) => c.status)).toEqual([200, 503]);

    const { status, body } = await cancel(orderId);
    expect(status).toBe(200);
    const raptor = body.deliveries.find((d: any) => d.vendor === 'raptor');
    // Not "cancelled" (never sent): Raptor holds line 1 already.
    expect(raptor).toMatchObject({ status: 'retrying', cancellation: 'unsupported' });

    // The next attempt sends line 2 only, and the delivery is sent.
    expect(await runSender('raptor')).toBe(1);
    const lines = vendor.callsTo('/1234.rsa', orderId).map((c) => new URL(c.url).searchParams.get('p2'));
    expect(lines).toEqual(['P1', 'P2', 'P2']);
    expect((await deliveries(orderId)).raptor).toMatchObject({ status: 'sent', cancellation: 'unsupported' });
  });

  it('a postback with a cancellation call: finished, then its sender queues the cancellation call for every line', async () => {
    const orderId = await order({ ln: 'ln-5' });
    vendor.answer(200, 503);
    expect(await runSender('lines')).toBe(1);
    expect((await cancel(orderId)).status).toBe(200);
    expect((await deliveries(orderId)).lines).toMatchObject({ status: 'retrying' });

    expect(await runSender('lines')).toBe(1);
    expect((await deliveries(orderId)).lines).toMatchObject({ status: 'sent' });
    expect(await runSender('lines-cancel')).toBe(1);
    expect(vendor.callsTo('/cancel', orderId).map((c) => new URL(c.url).searchParams.get('line'))).toEqual(['1', '2']);
    expect((await deliveries(orderId)).lines.cancellation).toMatchObject({ status: 'sent' });
  });

  it('a delivery none of whose calls was accepted is still cancelled at once', async () => {
    const orderId = await order({});
    vendor.answer(503);
    expect(await runSender('raptor')).toBe(1);
    expect((await cancel(orderId)).body.deliveries.find((d: any) => d.vendor === 'raptor')).toMatchObject({ status: 'cancelled' });
    expect(await runSender('raptor')).toBe(1);
    expect(vendor.callsTo('/1234.rsa', orderId)).toHaveLength(1);
  });
});
