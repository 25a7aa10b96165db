/**
 * A Raptor order of 500 lines (one vendor call per line) sent by invocations whose function time runs out in the
 * middle of the order. The function's time is the test's, not the machine's: each invocation starts with
 * INVOCATION_MS, and each vendor call uses VENDOR_CALL_MS of it, whatever the call really took – so how many lines
 * fit in one invocation is the same on a fast machine and on a loaded one. When the time is over the invocation is
 * dead, as Lambda would kill it: no call leaves after its deadline, and an answer that arrives after it is never
 * seen. Every line must reach the vendor exactly once over all invocations.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { parseConfig } from '../../lambdas/config/schema';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { fetchHttpSender, HttpSender } from '../../lambdas/vendors/http-sender';
import { createTestQueue, createTestStore, sqsClient } from '../support/aws';
import { receiveRecord, senderFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const LINES = 500;
/** The function time each invocation starts with, and what one vendor call uses of it. */
const INVOCATION_MS = 20_000;
const VENDOR_CALL_MS = 100;
/** One call's timeout and the margin the sender keeps: it starts a call only while more than both remain. */
const CALL_TIMEOUT_MS = 1000;
const STOP_MARGIN_MS = 300;
/** Calls that fit in one invocation: while the remaining time is above CALL_TIMEOUT_MS + STOP_MARGIN_MS. */
const CALLS_PER_INVOCATION = Math.ceil((INVOCATION_MS - CALL_TIMEOUT_MS - STOP_MARGIN_MS) / VENDOR_CALL_MS);
const LEASE_SECONDS = 90;

const sqs = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start();
});
afterAll(() => vendor.stop());

/** Thrown where a killed function would simply have stopped existing. */
class FunctionKilled extends Error {}

/** One invocation's function time, spent only by its vendor calls. */
class FunctionTime {
  calls = 0;

  get remainingMs(): number {
    return INVOCATION_MS - this.calls * VENDOR_CALL_MS;
  }

  context(): Context {
    return { functionName: 'sender-raptor', awsRequestId: 'req', getRemainingTimeInMillis: () => Math.max(0, this.remainingMs) } as unknown as Context;
  }
}

describe('sender: a long multi-call delivery and the function timeout', () => {
  it('sends each line of a 500-line Raptor order exactly once when the function time runs out mid-order', async () => {
    const config = parseConfig({
      // One call at a time: this test's function time is spent call after call (parallel calls: sender-capacity.test.ts).
      vendors: { raptor: { customerId: '1234', endpoint: `${vendor.url}/raptor`, purchaseParams: { p1: 'buy', p2: '{item.productId}', p5: '{order.orderId}' }, parallelCalls: 1 } },
      delivery: { maxAttempts: 20, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: CALL_TIMEOUT_MS },
    });
    const queue = await createTestQueue(sqs, 20);
    vendor.always({ kind: 'status', status: 200 });
    const orderId = `R-${Date.now()}`;
    const message: DeliveryMessage = {
      version: 1,
      destination: 'raptor',
      receivedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
      context: { coid: 'c0c0c0c0-0000-4000-8000-000000000001', sid: '5e55e55e-0000-4000-8000-000000000002' },
      order: {
        orderId,
        currency: 'EUR',
        orderValue: LINES,
        netValue: LINES,
        occurredAt: new Date().toISOString(),
        items: Array.from({ length: LINES }, (_, i) => ({ productId: `L${i + 1}`, name: `Line ${i + 1}`, unitPrice: 1, quantity: 1 })),
      },
    };
    await store.createOrder({ orderId, receivedAt: new Date(), occurredAt: message.order.occurredAt, expiresAt: message.expiresAt, deliveries: [{ destination: 'raptor', status: 'queued' }] });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(message) }));

    let time = new FunctionTime();
    // The function dies at its deadline: a call does not leave after it, and an answer after it is never read.
    const http: HttpSender = {
      async send(request, timeoutMs) {
        if (time.remainingMs <= 0) throw new FunctionKilled('function timed out before the call');
        const response = await fetchHttpSender.send(request, timeoutMs);
        time.calls++;
        if (time.remainingMs < 0) throw new FunctionKilled('function timed out during the call');
        return response;
      },
    };
    // Each invocation runs later than the one before, past any lease a killed one left behind (as real time would).
    let clockOffsetMs = 0;
    const handler = senderFor(config, 'raptor', queue, {
      store,
      sqs,
      http,
      claimLeaseSeconds: LEASE_SECONDS,
      clock: () => new Date(Date.now() + clockOffsetMs),
      stopMarginMs: STOP_MARGIN_MS,
    });

    const perLine = () => {
      const counts = new Map<string, number>();
      for (const call of vendor.calls) {
        const line = new URL(call.url, vendor.url).searchParams.get('p2');
        if (new URL(call.url, vendor.url).searchParams.get('p5') === orderId && line) counts.set(line, (counts.get(line) ?? 0) + 1);
      }
      return counts;
    };
    const status = async () => (await store.getOrder(orderId))!.deliveries[0]!;

    const sentPerInvocation: number[] = [];
    let overran = 0;
    while ((await status()).status !== 'sent' && sentPerInvocation.length < 25) {
      const record = await receiveRecord(sqs, queue.queueUrl);
      time = new FunctionTime();
      await handler({ Records: [record] }, time.context());
      sentPerInvocation.push(time.calls);
      if (time.remainingMs < 0) overran++;
      clockOffsetMs += (LEASE_SECONDS + 1) * 1000;
      // A killed invocation leaves its message invisible until the visibility timeout; the next receive comes later.
      if ([...perLine().values()].some((n) => n > 1)) break;
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 0 })).catch(() => undefined);
    }

    const counts = perLine();
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([line]) => line);
    expect({ duplicated: duplicated.slice(0, 5), duplicatedCount: duplicated.length }).toEqual({ duplicated: [], duplicatedCount: 0 });
    expect(counts.size).toBe(LINES);
    expect(await status()).toMatchObject({ status: 'sent' });
    // The time ran out mid-order: each invocation but the last made as many calls as fit in its time, and stopped
    // before its deadline.
    const full = Math.floor(LINES / CALLS_PER_INVOCATION);
    expect(sentPerInvocation).toEqual([...Array<number>(full).fill(CALLS_PER_INVOCATION), LINES - full * CALLS_PER_INVOCATION]);
    expect(overran).toBe(0);
  }, 90_000);
});
