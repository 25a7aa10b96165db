/**
 * A destination's capacity in its sender, against DynamoDB Local, the SQS server and a vendor double: a Raptor
 * order's lines called up to `parallelCalls` at once, each once over every attempt; a failing line leaving the others
 * done and recorded, so that the retry makes the missing call only; and `ratePerSecond` spacing the calls of one
 * sender `concurrency / ratePerSecond` seconds apart, within the function's time. The clock and the waits are the
 * test's: no test here depends on how fast the machine is.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { fetchHttpSender, HttpSender } from '../../lambdas/vendors/http-sender';
import type { VendorRequest } from '../../lambdas/vendors/types';
import { createTestQueue, createTestStore, sqsClient } from '../support/aws';
import { receiveRecord, receiveRecords, senderFor, TestQueue } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const sqs = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start();
});
afterAll(() => vendor.stop());
beforeEach(() => vendor.mode({ kind: 'ok' }));

const RAPTOR_CONTEXT = { coid: 'c0c0c0c0-0000-4000-8000-000000000001', sid: '5e55e55e-0000-4000-8000-000000000002' };

function raptorConfig(extra: Record<string, unknown>): TrackingConfig {
  return parseConfig({
    vendors: { raptor: { customerId: '1234', endpoint: `${vendor.url}/raptor`, purchaseParams: { p1: 'buy', p2: '{item.productId}', p5: '{order.orderId}' }, ...extra } },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 1000 },
  });
}

/** A Raptor order of `lines` lines, recorded as queued and put on `queue`. */
async function queueOrder(queue: TestQueue, lines: number): Promise<string> {
  const orderId = `CAP-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const message: DeliveryMessage = {
    version: 1,
    destination: 'raptor',
    receivedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    context: RAPTOR_CONTEXT,
    order: {
      orderId,
      currency: 'EUR',
      orderValue: lines,
      netValue: lines,
      occurredAt: new Date().toISOString(),
      items: Array.from({ length: lines }, (_, i) => ({ productId: `L${i + 1}`, name: `Line ${i + 1}`, unitPrice: 1, quantity: 1 })),
    },
  };
  await store.createOrder({ orderId, receivedAt: new Date(), occurredAt: message.order.occurredAt, expiresAt: message.expiresAt, deliveries: [{ destination: 'raptor', status: 'queued' }] });
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(message) }));
  return orderId;
}

const lineOf = (request: Pick<VendorRequest, 'url'>) => new URL(request.url, vendor.url).searchParams.get('p2');

/** Lines the vendor received for `orderId`, with how often. */
function linesReceived(orderId: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of vendor.calls) {
    const url = new URL(call.url, vendor.url);
    if (url.searchParams.get('p5') !== orderId) continue;
    const line = url.searchParams.get('p2')!;
    counts[line] = (counts[line] ?? 0) + 1;
  }
  return counts;
}

/** The real HTTP sender, counting the calls on the wire at once. */
function countingHttp(): HttpSender & { most: number; sent: string[] } {
  let open = 0;
  const http = {
    most: 0,
    sent: [] as string[],
    async send(request: VendorRequest, timeoutMs: number) {
      open++;
      http.most = Math.max(http.most, open);
      http.sent.push(lineOf(request)!);
      try {
        return await fetchHttpSender.send(request, timeoutMs);
      } finally {
        open--;
      }
    },
  };
  return http;
}

const status = async (orderId: string) => (await store.getOrder(orderId))!.deliveries[0]!;

describe('sender capacity: parallel calls of one message', () => {
  it("calls a Raptor order's lines up to parallelCalls at once, each exactly once", async () => {
    const queue = await createTestQueue(sqs, 5);
    const orderId = await queueOrder(queue, 9);
    const http = countingHttp();
    const handler = senderFor(raptorConfig({ parallelCalls: 3 }), 'raptor', queue, { store, sqs, http });

    const result = await handler({ Records: [await receiveRecord(sqs, queue.queueUrl)] }, context(() => 60_000));

    expect(result.batchItemFailures).toEqual([]);
    expect(http.most).toBe(3);
    expect(linesReceived(orderId)).toEqual(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`L${i + 1}`, 1])));
    expect(await status(orderId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('leaves the other lines done when one fails, records the failing call, and retries only that line', async () => {
    const queue = await createTestQueue(sqs, 5);
    const orderId = await queueOrder(queue, 6);
    // L2's first call meets a vendor outage (503); every other call reaches the vendor double, which accepts it.
    let failed = false;
    const http: HttpSender = {
      async send(request, timeoutMs) {
        if (lineOf(request) === 'L2' && !failed) {
          failed = true;
          return { status: 503, headers: {}, body: 'Service Unavailable' };
        }
        return fetchHttpSender.send(request, timeoutMs);
      },
    };
    const handler = senderFor(raptorConfig({ parallelCalls: 3 }), 'raptor', queue, { store, sqs, http });

    await handler({ Records: [await receiveRecord(sqs, queue.queueUrl)] }, context(() => 60_000));
    const first = await status(orderId);
    expect(first).toMatchObject({ status: 'retrying', vendorStatus: 503 });
    // The attempt's record is the call that decided it, not whichever line happened to finish last.
    expect(first.history?.at(-1)).toMatchObject({ outcome: 'retry', httpStatus: 503, request: expect.stringContaining('p2=L2') });
    const afterFirst = linesReceived(orderId);
    expect(afterFirst.L2).toBeUndefined();
    // Lines started before the failure was known completed; none started after it.
    expect(Object.keys(afterFirst).length).toBeGreaterThanOrEqual(2);

    // The retry (a copy sent again with no delay) makes the calls still missing, and no other.
    const [retry] = await receiveRecords(sqs, queue.queueUrl, { waitSeconds: 2 });
    await handler({ Records: [retry!] }, context(() => 60_000));
    expect(await status(orderId)).toMatchObject({ status: 'sent' });
    expect(linesReceived(orderId)).toEqual(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`L${i + 1}`, 1])));
  });
});

describe('sender capacity: ratePerSecond', () => {
  /**
   * The test's clock: it moves only when the sender waits. Waits made at once end in the order of their ends, one at a
   * time, each moving the clock to its end and letting its caller run before the next.
   */
  function testTime(startMs: number) {
    const sleeping: Array<{ until: number; wake: () => void }> = [];
    const wakeNext = () => {
      sleeping.sort((a, b) => a.until - b.until);
      const next = sleeping.shift();
      if (!next) return;
      time.nowMs = Math.max(time.nowMs, next.until);
      next.wake();
      if (sleeping.length) setImmediate(wakeNext);
    };
    const time = {
      nowMs: startMs,
      clock: () => new Date(time.nowMs),
      sleep: (ms: number) =>
        new Promise<void>((wake) => {
          if (sleeping.push({ until: time.nowMs + ms, wake }) === 1) setImmediate(wakeNext);
        }),
    };
    return time;
  }

  it('spaces one sender’s calls concurrency / ratePerSecond apart, across the messages of a batch', async () => {
    const queue = await createTestQueue(sqs, 5);
    const orders = [await queueOrder(queue, 1), await queueOrder(queue, 1), await queueOrder(queue, 1)];
    const time = testTime(Date.parse('2026-03-01T10:00:00Z'));
    const sentAt: number[] = [];
    const http: HttpSender = {
      async send(request, timeoutMs) {
        sentAt.push(time.nowMs);
        return fetchHttpSender.send(request, timeoutMs);
      },
    };
    // 2 senders at most, 1 call a second in all: each sender one call every 2 s.
    const handler = senderFor(raptorConfig({ concurrency: 2, ratePerSecond: 1 }), 'raptor', queue, { store, sqs, http, clock: time.clock, sleep: time.sleep });
    const records = await receiveRecords(sqs, queue.queueUrl, { max: 10, waitSeconds: 1 });
    for (let tries = 0; records.length < 3 && tries < 5; tries++) records.push(...(await receiveRecords(sqs, queue.queueUrl, { max: 10 })));
    expect(records).toHaveLength(3);

    const result = await handler({ Records: records }, context(() => 60_000));

    expect(result.batchItemFailures).toEqual([]);
    const start = sentAt[0]!;
    expect(sentAt.map((at) => at - start)).toEqual([0, 2000, 4000]);
    for (const orderId of orders) expect(await status(orderId)).toMatchObject({ status: 'sent' });
  });

  it('stops before a paced call would outlast the function, and the next receive sends the rest', async () => {
    const queue = await createTestQueue(sqs, 5);
    const orderId = await queueOrder(queue, 5);
    const start = Date.parse('2026-03-01T11:00:00Z');
    const time = testTime(start);
    // 0.2 calls a second over 2 senders: one call every 10 s. A function with 25 s left starts the calls whose slot,
    // timeout (1 s) and margin (0.3 s) still fit: those at 0, 10 and 20 s (the lines waiting for their slots at once).
    const deadline = start + 25_000;
    const sentAt: number[] = [];
    const http: HttpSender = {
      async send(request, timeoutMs) {
        sentAt.push(time.nowMs - start);
        return fetchHttpSender.send(request, timeoutMs);
      },
    };

    const handler = senderFor(raptorConfig({ concurrency: 2, ratePerSecond: 0.2, batchSize: 1 }), 'raptor', queue, {
      store,
      sqs,
      http,
      clock: time.clock,
      sleep: time.sleep,
      stopMarginMs: 300,
      claimLeaseSeconds: 90,
    });
    const first = await handler({ Records: [await receiveRecord(sqs, queue.queueUrl)] }, context(() => deadline - time.nowMs));

    expect(first.batchItemFailures).toHaveLength(1);
    expect(Object.keys(linesReceived(orderId)).sort()).toEqual(['L1', 'L2', 'L3']);
    expect(sentAt).toEqual([0, 10_000, 20_000]);

    // The stop gave the message back at once; the next invocation, with time enough, sends the two lines left.
    time.nowMs += 91_000;
    const next = await receiveRecords(sqs, queue.queueUrl, { waitSeconds: 2 });
    expect(next).toHaveLength(1);
    const nextDeadline = time.nowMs + 60_000;
    const second = await handler({ Records: next }, context(() => nextDeadline - time.nowMs));
    expect(second.batchItemFailures).toEqual([]);
    expect(linesReceived(orderId)).toEqual({ L1: 1, L2: 1, L3: 1, L4: 1, L5: 1 });
    expect(await status(orderId)).toMatchObject({ status: 'sent' });
  });
});

function context(remainingMs: () => number): Context {
  return { functionName: 'sender-raptor', awsRequestId: 'req', getRemainingTimeInMillis: () => Math.max(0, remainingMs()) } as unknown as Context;
}
