/**
 * Attribution as real shops exercise it, through the handlers on DynamoDB Local with an injected clock: late reports
 * judged at the order's time, returning users with many linked sessions, and captures arriving out of order.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import type { ApiHandler } from '../../lambdas/api/http';
import type { DeliveryMessage } from '../../lambdas/core/delivery';
import { documentClient } from '../../lambdas/store/document-client';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { API_KEY, apiEvent, call } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { specConfig } from '../support/config';

const HOUR = 3600_000;
let now = new Date('2026-11-21T10:00:00Z');
const sent: DeliveryMessage[] = [];
let handlers: ReturnType<typeof createApiHandlers>;
let readItem: (pk: string, sk: string) => Promise<Record<string, unknown> | undefined>;

beforeAll(async () => {
  const { store, client, tableName } = await createTestStore();
  const sqs = sqsClient();
  const config = specConfig();
  const queueUrls: Record<string, string> = {};
  for (const id of Object.keys(config.vendors)) queueUrls[id] = (await createTestQueue(sqs)).queueUrl;
  const real = new SqsDeliveryQueues(sqs, queueUrls);
  handlers = createApiHandlers({
    config,
    store,
    // Every message reaches its real queue; a copy is kept to read what the vendor would be told.
    queues: { send: async (m) => (await real.send(m), void sent.push(m)) },
    apiKeys: new StaticApiKeys([API_KEY]),
    logger: recordingLogger().logger,
    clock: () => now,
  });
  readItem = async (pk, sk) => (await documentClient(client).send(new GetCommand({ TableName: tableName, Key: { pk, sk } }))).Item;
});

const post = (handler: ApiHandler, body: unknown) => call(handler, apiEvent({ body }));
const at = (iso: string) => (now = new Date(iso));

function order(orderId: string, visitor: Record<string, string>, extra: Record<string, unknown> = {}) {
  return { orderId, visitor, currency: 'EUR', orderValue: 10, items: [{ productId: 'P1', name: 'Item', unitPrice: 10, quantity: 1 }], ...extra };
}

async function delivery(orderId: string, vendor: string): Promise<{ status: string; context?: Record<string, unknown> }> {
  const { body } = await call(handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId } }));
  const status = body.deliveries.find((d: { vendor: string }) => d.vendor === vendor).status;
  const message = sent.find((m) => m.order.orderId === orderId && m.destination === vendor);
  return { status, ...(message ? { context: message.context as Record<string, unknown> } : {}) };
}

describe('late reports: windows are judged at the order\'s time', () => {
  it('attributes a Raptor sid captured at 10:00 to an order at 10:09 reported at 10:25', async () => {
    at('2026-11-21T10:00:00Z');
    await post(handlers.capture, { visitor: { sessionId: 'late-1' }, identifiers: { raptor: { coid: 'coid-1', sid: 'sid-1' } } });
    at('2026-11-21T10:25:00Z');
    const { status } = await post(handlers.conversion, order('LATE-1', { sessionId: 'late-1' }, { occurredAt: '2026-11-21T10:09:00Z' }));
    expect(status).toBe(202);
    expect(await delivery('LATE-1', 'raptor')).toMatchObject({ status: 'queued', context: { coid: 'coid-1', sid: 'sid-1' } });
  });

  it('attributes a Kelkoo kk to an order on day 29 reported on day 31', async () => {
    at('2026-11-01T12:00:00Z');
    await post(handlers.capture, { visitor: { sessionId: 'late-2' }, params: { kk: 'kk-day-0' } });
    at('2026-12-02T12:00:00Z');
    const { status } = await post(handlers.conversion, order('LATE-2', { sessionId: 'late-2' }, { occurredAt: '2026-11-30T12:00:00Z' }));
    expect(status).toBe(202);
    expect(await delivery('LATE-2', 'kelkoo')).toMatchObject({ status: 'queued', context: { kelkooId: 'kk-day-0' } });
  });

  it('still does not attribute a sid older than 20 minutes at the order\'s time, however early the report', async () => {
    at('2026-11-21T10:00:00Z');
    await post(handlers.capture, { visitor: { sessionId: 'late-3' }, identifiers: { raptor: { coid: 'coid-3', sid: 'sid-3' } } });
    at('2026-11-21T10:21:00Z');
    await post(handlers.conversion, order('LATE-3', { sessionId: 'late-3' }, { occurredAt: '2026-11-21T10:20:00Z' }));
    expect((await delivery('LATE-3', 'raptor')).status).toBe('skipped');
  });

  it('refuses an order older than lateReportHours with 400 naming occurredAt and the limit, writing nothing', async () => {
    at('2026-11-21T10:00:00Z');
    await post(handlers.capture, { visitor: { sessionId: 'late-4' }, params: { kk: 'kk-4' }, occurredAt: '2026-11-15T10:00:00Z' });
    const tooOld = await post(handlers.conversion, order('LATE-4', { sessionId: 'late-4' }, { occurredAt: '2026-11-18T09:59:59.999Z' }));
    expect(tooOld.status).toBe(400);
    expect(tooOld.body.error.details).toEqual([{ field: 'occurredAt', message: expect.stringMatching(/72 hours in the past \(lateReportHours\)/) }]);
    expect(await readItem('ORDER#LATE-4', 'ORDER')).toBeUndefined();
    // exactly at the limit it is accepted
    const atLimit = await post(handlers.conversion, order('LATE-4', { sessionId: 'late-4' }, { occurredAt: '2026-11-18T10:00:00Z' }));
    expect(atLimit.status).toBe(202);
  });

  it('keeps click records and links for their window plus the grace (72 h)', async () => {
    at('2026-11-21T10:00:00Z');
    await post(handlers.capture, { visitor: { sessionId: 'ttl-1' }, identifiers: { raptor: { sid: 'sid-ttl' } }, params: { kk: 'kk-ttl' } });
    await post(handlers.identify, { visitor: { sessionId: 'ttl-1', userId: 'ttl-u' } });
    const epoch = (iso: string) => Date.parse(iso) / 1000;
    expect((await readItem('VIS#s#ttl-1', 'CLICK#raptor.sid'))?.ttl).toBe(epoch('2026-11-24T10:20:00Z'));
    expect((await readItem('VIS#s#ttl-1', 'CLICK#kk'))?.ttl).toBe(epoch('2026-12-24T10:00:00Z'));
    // links: the longest window of any click id (Raptor's coid, 365 days) plus the grace
    expect((await readItem('VIS#s#ttl-1', 'LINK#u#ttl-u'))?.ttl).toBe(epoch('2027-11-24T10:00:00Z'));
  });

  it('stores a capture that arrives after its window but within the grace, for the late report of an order inside it', async () => {
    at('2026-12-02T12:00:00Z');
    const capture = await post(handlers.capture, { visitor: { sessionId: 'late-5' }, params: { kk: 'kk-5' }, occurredAt: '2026-11-01T12:00:00Z' });
    expect(capture.body.stored.map((s: { param: string }) => s.param)).toEqual(['kk']);
    await post(handlers.conversion, order('LATE-5', { sessionId: 'late-5' }, { occurredAt: '2026-11-30T12:00:00Z' }));
    expect((await delivery('LATE-5', 'kelkoo')).status).toBe('queued');
  });
});

describe('returning users: every linked session counts, the newest click wins', () => {
  it('finds the newest kk of a user with 100 linked sessions, whatever their ids', async () => {
    const start = Date.parse('2026-11-01T00:00:00Z');
    now = new Date(start + 100 * 6 * HOUR);
    // One visit every 6 hours, reported together (each capture with its own occurredAt); session ids in an order
    // unrelated to time, so neither key order nor a count limit can find the newest.
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const session = `ret-${(i * 37) % 100}`;
        await post(handlers.capture, { visitor: { sessionId: session }, params: { kk: `kk-visit-${i}` }, occurredAt: new Date(start + i * 6 * HOUR).toISOString() });
        await post(handlers.identify, { visitor: { sessionId: session, userId: 'ret-user' } });
      }),
    );
    expect((await post(handlers.conversion, order('RET-1', { userId: 'ret-user', sessionId: 'ret-checkout' }))).status).toBe(202);
    expect(await delivery('RET-1', 'kelkoo')).toMatchObject({ status: 'queued', context: { kelkooId: 'kk-visit-99' } });
  }, 120_000);

  it('follows links any number of hops: s1 – u1 – b1 – s2 – u2 – b2 – s3', async () => {
    at('2026-11-21T10:00:00Z');
    await post(handlers.capture, { visitor: { sessionId: 'hop-s1' }, params: { qc_clickid: 'qc-far' } });
    const chain = [
      { sessionId: 'hop-s1', userId: 'hop-u1' },
      { userId: 'hop-u1', basketId: 'hop-b1' },
      { basketId: 'hop-b1', sessionId: 'hop-s2' },
      { sessionId: 'hop-s2', userId: 'hop-u2' },
      { userId: 'hop-u2', basketId: 'hop-b2' },
      { basketId: 'hop-b2', sessionId: 'hop-s3' },
    ];
    for (const visitor of chain) await post(handlers.identify, { visitor });
    await post(handlers.conversion, order('HOP-1', { sessionId: 'hop-s3' }));
    expect(await delivery('HOP-1', 'qualityclick')).toMatchObject({ status: 'queued', context: { clickId: 'qc-far' } });
  });
});

describe('captures arriving out of order: the newest occurredAt wins', () => {
  it('keeps the newer click when an older capture arrives late, and does not extend its TTL', async () => {
    at('2026-11-21T10:00:00Z');
    await post(handlers.capture, { visitor: { sessionId: 'ooo-1' }, params: { kk: 'kk-new' }, occurredAt: '2026-11-21T09:00:00Z' });
    const before = await readItem('VIS#s#ooo-1', 'CLICK#kk');
    at('2026-11-21T10:05:00Z');
    // the shop's queued call from 08:00 arrives now
    await post(handlers.capture, { visitor: { sessionId: 'ooo-1' }, params: { kk: 'kk-old' }, occurredAt: '2026-11-21T08:00:00Z' });
    const after = await readItem('VIS#s#ooo-1', 'CLICK#kk');
    expect(after).toEqual(before);
    expect(after).toMatchObject({ value: 'kk-new', occurredAt: '2026-11-21T09:00:00.000Z' });
    await post(handlers.conversion, order('OOO-1', { sessionId: 'ooo-1' }));
    expect((await delivery('OOO-1', 'kelkoo')).context).toMatchObject({ kelkooId: 'kk-new' });
  });

  it('lets a newer capture replace an older one and slide its TTL (Raptor\'s session)', async () => {
    at('2026-11-21T10:00:00Z');
    await post(handlers.capture, { visitor: { sessionId: 'ooo-2' }, identifiers: { raptor: { coid: 'c', sid: 'sid-2' } } });
    at('2026-11-21T10:15:00Z');
    await post(handlers.capture, { visitor: { sessionId: 'ooo-2' }, identifiers: { raptor: { sid: 'sid-2' } } });
    at('2026-11-21T10:30:00Z');
    await post(handlers.conversion, order('OOO-2', { sessionId: 'ooo-2' }));
    expect(await delivery('OOO-2', 'raptor')).toMatchObject({ status: 'queued', context: { sid: 'sid-2' } });
  });

  it('decides equal times by value, so concurrent captures end the same whatever their order', async () => {
    at('2026-11-21T10:00:00Z');
    const capture = (kk: string) => post(handlers.capture, { visitor: { sessionId: 'ooo-3' }, params: { kk }, occurredAt: '2026-11-21T09:00:00Z' });
    await Promise.all([capture('kk-b'), capture('kk-c'), capture('kk-a')]);
    await capture('kk-a');
    expect(await readItem('VIS#s#ooo-3', 'CLICK#kk')).toMatchObject({ value: 'kk-c' });
  });
});
