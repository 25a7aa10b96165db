/**
 * Issue #21, points 3 and 4, end to end: QUALITYCLICK "creates the transaction even if the call times out – the data
 * is processed immediately upon receipt", and de-duplicates on tid. The HTTP sender tells a failure before the
 * request was sent in full (`connect`: refused, no connection in time) from one after (`sent`: no answer in time,
 * connection dropped), and the QUALITYCLICK adapter takes a read timeout after sending as `sent` – the timeout kept
 * in the attempt history – where every other vendor retries. A duplicate notice is `sent` too, noted in the history.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { parseConfig } from '../../lambdas/config/schema';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { createHttpSender, fetchHttpSender, TransportError } from '../../lambdas/vendors/http-sender';
import type { VendorRequest } from '../../lambdas/vendors/types';
import { freePort } from '../../local/services';
import { lambdaContext } from '../support/api';
import { createTestQueue, createTestStore, sqsClient } from '../support/aws';
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
beforeEach(() => {
  vendor.calls.length = 0;
  vendor.always({ kind: 'status', status: 200, body: 'OK' });
});

const get = (url: string): VendorRequest => ({ key: 'transaction', method: 'GET', url, headers: {} });

/** The TransportError `send` fails with. */
async function transportErrorOf(send: Promise<unknown>): Promise<TransportError> {
  const error = await send.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe('the HTTP sender tells where a call without an answer stopped', () => {
  it('connect: the connection was refused, nothing was sent', async () => {
    const port = await freePort();
    const error = await transportErrorOf(fetchHttpSender.send(get(`http://127.0.0.1:${port}/get_trans.cgi`), 2000));
    expect(error).toMatchObject({ phase: 'connect', timedOut: false });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('connect: no connection within the timeout (the address never resolves), nothing was sent', async () => {
    const never = createHttpSender({ lookup: () => undefined });
    const error = await transportErrorOf(never.send(get('http://partner.shop.example/get_trans.cgi'), 200));
    expect(error).toMatchObject({ phase: 'connect', timedOut: true, message: 'Transport error: no connection within 200 ms (the request was not sent)' });
  });

  it('sent: the vendor read the request and never answered', async () => {
    vendor.answer({ kind: 'hang' });
    const error = await transportErrorOf(fetchHttpSender.send(get(`${vendor.url}/get_trans.cgi?tid=1`), 200));
    expect(error).toMatchObject({ phase: 'sent', timedOut: true, message: 'Transport error: no answer within 200 ms after the request was sent' });
    expect(vendor.calls).toHaveLength(1);
  });

  it('sent: the vendor read the request and dropped the connection', async () => {
    vendor.answer({ kind: 'reset' });
    const error = await transportErrorOf(fetchHttpSender.send(get(`${vendor.url}/get_trans.cgi?tid=2`), 2000));
    expect(error).toMatchObject({ phase: 'sent', timedOut: false });
  });
});

describe('the QUALITYCLICK sender', () => {
  function sender(endpoint: string, timeoutMs = 300) {
    const config = parseConfig({
      vendors: { qualityclick: { endpoint, cpid: '1', product: 'Sale' } },
      delivery: { maxAttempts: 5, retryBaseSeconds: 1, timeoutMs },
    });
    return async (queue: { queueUrl: string; dlqUrl: string }) => senderFor(config, 'qualityclick', queue, { store, sqs });
  }

  /** Records a QUALITYCLICK order as the conversion would, queues its message and runs the sender on it once. */
  async function deliver(endpoint: string) {
    const queue = await createTestQueue(sqs, 3);
    const handler = await sender(endpoint)(queue);
    const orderId = `QC-${++seq}-${Date.now()}`;
    const message: DeliveryMessage = {
      version: 1,
      destination: 'qualityclick',
      receivedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
      context: { clickId: 'QC423840809685489623456289367' },
      order: { orderId, currency: 'EUR', orderValue: 95.5, netValue: 80.25, occurredAt: new Date().toISOString(), items: [{ productId: 'P1', name: 'Thing', unitPrice: 95.5, quantity: 1 }] },
    };
    await store.createOrder({ orderId, receivedAt: new Date(), occurredAt: message.order.occurredAt, expiresAt: message.expiresAt, deliveries: [{ destination: 'qualityclick', status: 'queued' }] });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(message) }));
    const result = await handler({ Records: [await receiveRecord(sqs, queue.queueUrl)] }, lambdaContext);
    return { result, delivery: (await store.getOrder(orderId))!.deliveries[0]! };
  }

  it('records a read timeout after sending as sent, with the timeout and the reason in the history', async () => {
    vendor.always({ kind: 'hang' });
    const { result, delivery } = await deliver(`${vendor.url}/get_trans.cgi`);
    expect(result.batchItemFailures).toEqual([]);
    expect(vendor.calls).toHaveLength(1);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
    expect(delivery).not.toHaveProperty('vendorStatus');
    expect(delivery.history).toEqual([
      expect.objectContaining({
        outcome: 'sent',
        transportError: 'Transport error: no answer within 300 ms after the request was sent',
        note: expect.stringContaining('QUALITYCLICK creates the transaction on receipt'),
      }),
    ]);
    expect(delivery.history![0]).not.toHaveProperty('httpStatus');
  });

  it('retries when the connection is refused: nothing reached QUALITYCLICK', async () => {
    const { result, delivery } = await deliver(`http://127.0.0.1:${await freePort()}/get_trans.cgi`);
    // Acknowledged: the retry is a delayed copy of the message.
    expect(result.batchItemFailures).toEqual([]);
    expect(delivery).toMatchObject({ status: 'retrying', attempts: 1, lastError: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('records a duplicate notice as sent, noting the duplicate in the history', async () => {
    vendor.always({ kind: 'status', status: 200, body: 'Fehler: Transaktion bereits vorhanden - nicht gespeichert' });
    const { result, delivery } = await deliver(`${vendor.url}/get_trans.cgi`);
    expect(result.batchItemFailures).toEqual([]);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1, vendorStatus: 200 });
    expect(delivery.history).toEqual([
      expect.objectContaining({
        outcome: 'sent',
        httpStatus: 200,
        note: 'QUALITYCLICK already holds this transaction (duplicate tid): Fehler: Transaktion bereits vorhanden - nicht gespeichert',
      }),
    ]);
  });
});
