import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import type { ApiHandler } from '../../lambdas/api/http';
import type { TrackingConfig } from '../../lambdas/config/schema';
import { deliveryMessageSchema, DeliveryMessage, messageDigest } from '../../lambdas/core/delivery';
import { RecordingDeliveryMetrics } from '../../lambdas/observability/metrics';
import { documentClient } from '../../lambdas/store/document-client';
import { DeliveryQueues, SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { kelkooSaleId } from '../../lambdas/vendors/kelkoo/mapping';
import { API_KEY, apiEvent, call } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS, specConfig } from '../support/config';

const NOW = new Date('2026-11-21T10:10:00Z');
const LANDING = 'https://www.acme.com/p/137.html?kk=a4csscc-1781b717420-34cf3&gclid=EAIaIQob&utm_source=kelkoofr&qc_clickid=QC4238&s1=cm-token&reaid=R-1&xuid=X-1';

interface Harness {
  handlers: ReturnType<typeof createApiHandlers>;
  queueUrls: Record<string, string>;
  tableName: string;
  sqs: SQSClient;
  count: () => Promise<number>;
  lines: string[];
  metrics: RecordingDeliveryMetrics;
}

let shared: { sqs: SQSClient; store: Awaited<ReturnType<typeof createTestStore>> };

beforeAll(async () => {
  shared = { sqs: sqsClient(), store: await createTestStore() };
});

/** A fresh set of queues (one per destination) and handlers over the shared table. */
async function harness(
  config: TrackingConfig = specConfig(),
  wrapQueues?: (queues: DeliveryQueues) => DeliveryQueues,
  wrapStore?: (store: TrackingStore) => TrackingStore,
): Promise<Harness> {
  const queueUrls: Record<string, string> = {};
  for (const id of Object.keys(config.vendors)) queueUrls[id] = (await createTestQueue(shared.sqs)).queueUrl;
  const queues = new SqsDeliveryQueues(shared.sqs, queueUrls);
  const { logger, lines } = recordingLogger();
  const metrics = new RecordingDeliveryMetrics();
  const handlers = createApiHandlers({
    metrics,
    config,
    store: wrapStore ? wrapStore(shared.store.store) : shared.store.store,
    queues: wrapQueues ? wrapQueues(queues) : queues,
    apiKeys: new StaticApiKeys([API_KEY, 'second-active-key-xyz']),
    logger,
    clock: () => NOW,
    random: () => 0.25,
  });
  const count = async () => {
    let total = 0;
    for (const url of Object.values(queueUrls)) total += (await drain(url)).length;
    return total;
  };
  return { handlers, queueUrls, tableName: shared.store.tableName, sqs: shared.sqs, count, lines, metrics };
}

/** Every message currently on the queue (each becomes invisible for 30 s once read). */
async function drain(queueUrl: string): Promise<DeliveryMessage[]> {
  const messages: DeliveryMessage[] = [];
  for (;;) {
    const page = await shared.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }));
    if (!page.Messages?.length) return messages;
    messages.push(...page.Messages.map((m) => deliveryMessageSchema.parse(JSON.parse(m.Body!))));
  }
}

async function itemsUnder(pk: string): Promise<unknown[]> {
  const result = await documentClient(shared.store.client).send(
    new QueryCommand({ TableName: shared.store.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }),
  );
  return result.Items ?? [];
}

const post = (handler: ApiHandler, body: unknown, extra: Parameters<typeof apiEvent>[0] = {}) => call(handler, apiEvent({ body, ...extra }));

function conversionBody(orderId: string, visitor: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    orderId,
    visitor,
    currency: 'eur',
    orderValue: 609.07,
    netValue: 503.36,
    country: 'fr',
    returningUser: true,
    items: [{ productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 }],
    shopper: { ip: '203.0.113.7', email: 'a@b.example', country: 'FR', city: 'Lyon' },
    ...extra,
  };
}

describe('POST /v1/clicks', () => {
  let h: Harness;
  beforeAll(async () => (h = await harness()));

  it('stores every known click id of the landing URL and the identifiers, with each window', async () => {
    const { status, body } = await post(h.handlers.capture, {
      visitor: { sessionId: 'cap-1' },
      landingUrl: LANDING,
      identifiers: { raptor: { coid: 'c0c0c0c0-0000-4000-8000-000000000001', sid: 'a1a1a1a1-0000-4000-8000-000000000001', ruid: 'user-1' }, klevu: { uuid: 'kl-uuid' } },
      occurredAt: '2026-11-21T10:00:00Z',
    });
    expect(status).toBe(201);
    const byParam = Object.fromEntries(body.stored.map((s: { param: string }) => [s.param, s]));
    expect(Object.keys(byParam).sort()).toEqual(
      ['gclid', 'kk', 'klevu.uuid', 'msclkid', 'qc_clickid', 'raptor.coid', 'raptor.ruid', 'raptor.sid', 'reaid', 's1', 'xuid'].filter((p) => p !== 'msclkid').sort(),
    );
    expect(byParam.kk).toEqual({ param: 'kk', vendors: ['kelkoo'], expiresAt: '2026-12-21T10:00:00.000Z' });
    expect(byParam['raptor.sid'].expiresAt).toBe('2026-11-21T10:20:00.000Z');
    expect(byParam['raptor.coid'].expiresAt).toBe('2027-11-21T10:00:00.000Z');
    expect(await itemsUnder('VIS#s#cap-1')).toHaveLength(10);
  });

  it('answers 200 with nothing stored when no known parameter is present', async () => {
    const { status, body } = await post(h.handlers.capture, { visitor: { sessionId: 'cap-2' }, landingUrl: 'https://shop.example/?utm_source=x' });
    expect(status).toBe(200);
    expect(body).toEqual({ stored: [] });
    expect(await itemsUnder('VIS#s#cap-2')).toEqual([]);
  });

  it('does not store a click whose window has already passed', async () => {
    const { status, body } = await post(h.handlers.capture, { visitor: { sessionId: 'cap-3' }, params: { kk: 'old' }, occurredAt: '2026-09-01T00:00:00Z' });
    expect(status).toBe(200);
    expect(body.stored).toEqual([]);
    expect(body.expired.map((e: { param: string }) => e.param)).toEqual(['kk']);
    expect(await itemsUnder('VIS#s#cap-3')).toEqual([]);
  });

  it('prefers params over the landing URL', async () => {
    await post(h.handlers.capture, { visitor: { sessionId: 'cap-4' }, landingUrl: 'https://s.example/?kk=from-url', params: { kk: 'from-params' } });
    expect((await itemsUnder('VIS#s#cap-4')).map((i) => (i as { value: string }).value)).toEqual(['from-params']);
  });

  it('stores nothing and says so when consent is refused', async () => {
    const { status, body } = await post(h.handlers.capture, { visitor: { sessionId: 'cap-5' }, params: { kk: 'x' }, consent: { tracking: false } });
    expect(status).toBe(200);
    expect(body).toEqual({ stored: [], consent: { tracking: false } });
    expect(await itemsUnder('VIS#s#cap-5')).toEqual([]);
  });

  it.each([
    ['no visitor key', { visitor: {}, params: { kk: 'x' } }, 'visitor'],
    ['empty session id', { visitor: { sessionId: '' }, params: { kk: 'x' } }, 'visitor.sessionId'],
    ['a 257-character user id', { visitor: { userId: 'u'.repeat(257) }, params: { kk: 'x' } }, 'visitor.userId'],
    ['a relative landing URL', { visitor: { sessionId: 's' }, landingUrl: '/p/1?kk=x' }, 'landingUrl'],
    ['a click id over 512 characters', { visitor: { sessionId: 's' }, params: { kk: 'k'.repeat(513) } }, 'params.kk'],
    ['a click id in the URL over 512 characters', { visitor: { sessionId: 's' }, landingUrl: `https://s.example/?gclid=${'g'.repeat(513)}` }, 'landingUrl.gclid'],
    ['a time far in the future', { visitor: { sessionId: 's' }, params: { kk: 'x' }, occurredAt: '2027-01-01T00:00:00Z' }, 'occurredAt'],
    ['a malformed time', { visitor: { sessionId: 's' }, params: { kk: 'x' }, occurredAt: 'yesterday' }, 'occurredAt'],
    ['an unknown field', { visitor: { sessionId: 's' }, params: { kk: 'x' }, extra: 1 }, '(body)'],
    ['a numeric param', { visitor: { sessionId: 's' }, params: { kk: 5 } }, 'params.kk'],
  ])('answers 400 naming the field for %s, and writes nothing', async (_, body, field) => {
    const sessionId = (body.visitor as { sessionId?: string }).sessionId;
    const { status, body: answer } = await post(h.handlers.capture, body);
    expect(status).toBe(400);
    expect(answer.error.code).toBe('validation_error');
    expect(answer.error.details.map((d: { field: string }) => d.field)).toContain(field);
    if (sessionId) expect(await itemsUnder(`VIS#s#${sessionId}`)).toEqual([]);
  });

  it('answers 401 without detail for a missing or wrong key, and writes nothing', async () => {
    for (const auth of [null, 'Bearer wrong-key', `Basic ${API_KEY}`, 'Bearer ']) {
      const { status, body } = await post(h.handlers.capture, { visitor: { sessionId: 'cap-401' }, params: { kk: 'x' } }, { auth });
      expect(status).toBe(401);
      expect(body).toEqual({ error: { code: 'unauthorized', message: 'Missing or invalid API key' } });
    }
    expect(await itemsUnder('VIS#s#cap-401')).toEqual([]);
  });

  it('accepts either of two active keys (rotation)', async () => {
    const { status } = await post(h.handlers.capture, { visitor: { sessionId: 'cap-rot' }, params: { kk: 'x' } }, { auth: 'Bearer second-active-key-xyz' });
    expect(status).toBe(201);
  });

  it('answers 415 for a non-JSON content type, 400 for broken JSON, 413 above 64 KiB', async () => {
    const valid = JSON.stringify({ visitor: { sessionId: 'cap-6' }, params: { kk: 'x' } });
    expect((await call(h.handlers.capture, apiEvent({ rawBody: valid, headers: { 'content-type': 'text/plain' } }))).status).toBe(415);
    expect((await call(h.handlers.capture, apiEvent({ rawBody: '{"visitor":' }))).body.error.code).toBe('invalid_json');
    const big = JSON.stringify({ visitor: { sessionId: 'cap-6' }, params: { kk: 'x', pad: 'p'.repeat(65 * 1024) } });
    expect((await call(h.handlers.capture, apiEvent({ rawBody: big }))).status).toBe(413);
    expect(await itemsUnder('VIS#s#cap-6')).toEqual([]);
  });

  it('refuses strings that are not well-formed Unicode (they could never be URL-encoded for a vendor)', async () => {
    const { status, body } = await call(h.handlers.capture, apiEvent({ rawBody: '{"visitor":{"sessionId":"s"},"params":{"kk":"\\ud800"}}' }));
    expect(status).toBe(400);
    expect(body.error.details[0].field).toBe('params.kk');
  });
});

describe('POST /v1/identify and DELETE /v1/visitors', () => {
  let h: Harness;
  beforeAll(async () => (h = await harness()));

  it('links keys so that a later session resolves the first session\'s click', async () => {
    await post(h.handlers.capture, { visitor: { sessionId: 'id-s1' }, landingUrl: 'https://acme.example/?kk=kk-journey' });
    expect((await post(h.handlers.identify, { visitor: { sessionId: 'id-s1', userId: 'id-u1' } })).body).toEqual({ linked: 2 });
    const { status, body } = await post(h.handlers.conversion, conversionBody('ID-ORDER-1', { sessionId: 'id-s7', userId: 'id-u1' }));
    expect(status).toBe(202);
    expect(body.deliveries.find((d: { vendor: string }) => d.vendor === 'kelkoo')).toEqual({ vendor: 'kelkoo', status: 'queued' });
    const [message] = await drain(h.queueUrls.kelkoo!);
    expect(message!.context).toMatchObject({ kelkooId: 'kk-journey', saleId: kelkooSaleId(SPEC_VENDORS.kelkoo.comId, 'ID-ORDER-1') });
  });

  it('needs at least two keys', async () => {
    const { status, body } = await post(h.handlers.identify, { visitor: { sessionId: 'only-one' } });
    expect(status).toBe(400);
    expect(body.error.details[0].field).toBe('visitor');
  });

  it('erases a visitor so that a later conversion finds no click', async () => {
    await post(h.handlers.capture, { visitor: { sessionId: 'er-s1' }, params: { kk: 'to-erase' } });
    const erase = await call(h.handlers.erase, apiEvent({ method: 'DELETE', body: { visitor: { sessionId: 'er-s1' } } }));
    expect(erase).toMatchObject({ status: 200, body: { erased: 1 } });
    const { body } = await post(h.handlers.conversion, conversionBody('ER-ORDER-1', { sessionId: 'er-s1' }));
    expect(body.deliveries.find((d: { vendor: string }) => d.vendor === 'kelkoo').status).toBe('skipped');
  });
});

describe('POST /v1/conversions', () => {
  it('queues one message per eligible vendor and skips the others with a reason', async () => {
    const h = await harness();
    await post(h.handlers.capture, { visitor: { sessionId: 'cv-1' }, landingUrl: 'https://acme.example/?kk=kk-1&qc_clickid=QC-1' });
    const { status, body } = await post(h.handlers.conversion, conversionBody('CV-1', { sessionId: 'cv-1' }));
    expect(status).toBe(202);
    const byVendor = Object.fromEntries(body.deliveries.map((d: { vendor: string }) => [d.vendor, d]));
    expect(Object.keys(byVendor)).toEqual(['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor']);
    expect(byVendor.kelkoo.status).toBe('queued');
    expect(byVendor.klevu.status).toBe('queued'); // shopper IP known
    expect(byVendor.qualityclick.status).toBe('queued');
    expect(byVendor.clickmeter).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/s1/) });
    expect(byVendor.raptor).toMatchObject({ status: 'skipped', reason: expect.any(String) });
    expect(h.metrics.events.map((e) => `${e.destination}:${e.event}`)).toEqual([
      'kelkoo:queued', 'klevu:queued', 'qualityclick:queued', 'clickmeter:skipped', 'raptor:skipped',
    ]);
    // Each record is the conversion's line: it names the order and the request (the access log's requestId).
    for (const record of h.metrics.records) expect(record.properties).toEqual({ orderId: 'CV-1', api_request_id: expect.any(String) });
    const kelkoo = await drain(h.queueUrls.kelkoo!);
    expect(kelkoo).toHaveLength(1);
    expect(kelkoo[0]).toMatchObject({ version: 1, destination: 'kelkoo', order: { orderId: 'CV-1', currency: 'EUR', netValue: 503.36 } });
    // Only what the shop gave: no variantId or groupId is made up (Klevu's item_id depends on it).
    expect(kelkoo[0]!.order.items[0]).toEqual({ productId: 'P140490', name: expect.any(String), unitPrice: 30.5, quantity: 1 });
    // The message carries the digest recorded with the order's plan.
    expect(kelkoo[0]!.digest).toBe(messageDigest(kelkoo[0]!));
    // The delivery record the sender creates expires with the order: retentionDays (400) after receipt.
    expect(kelkoo[0]!.expiresAt).toBe(Math.floor(NOW.getTime() / 1000) + 400 * 86_400);
    expect(await drain(h.queueUrls.clickmeter!)).toHaveLength(0);
    // the order record keeps ids, times, the plan and, for a replay, the order without the shopper: no shopper data
    const order = (await itemsUnder('ORDER#CV-1')).find((i) => (i as { sk: string }).sk === 'ORDER') as Record<string, any>;
    expect(order.plan).toHaveLength(5);
    expect(JSON.stringify(order)).not.toMatch(/203\.0\.113\.7|a@b\.example|Lyon/);
    expect(order.replay.order.items[0].productId).toBe('P140490');
    expect(Object.keys(order.replay.destinations).sort()).toEqual(['kelkoo', 'klevu', 'qualityclick']);
  });

  it('uses identifiers given with the conversion over stored ones', async () => {
    const h = await harness();
    await post(h.handlers.capture, { visitor: { sessionId: 'cv-2' }, identifiers: { raptor: { coid: 'stored-coid', sid: 'stored-sid' } }, occurredAt: '2026-11-21T09:00:00Z' });
    const { body } = await post(h.handlers.conversion, conversionBody('CV-2', { sessionId: 'cv-2' }, { identifiers: { raptor: { sid: 'fresh-sid' } } }));
    expect(body.deliveries.find((d: { vendor: string }) => d.vendor === 'raptor').status).toBe('queued');
    const [message] = await drain(h.queueUrls.raptor!);
    expect(message!.context).toMatchObject({ coid: 'stored-coid', sid: 'fresh-sid' });
  });

  it('never attributes a click captured after its window, nor a stored sid older than 20 minutes', async () => {
    const h = await harness();
    await post(h.handlers.capture, { visitor: { sessionId: 'cv-3' }, identifiers: { raptor: { coid: 'coid', sid: 'old-sid' } }, occurredAt: '2026-11-21T09:45:00Z' });
    const { body } = await post(h.handlers.conversion, conversionBody('CV-3', { sessionId: 'cv-3' }));
    expect(body.deliveries.find((d: { vendor: string }) => d.vendor === 'raptor')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/sid/) });
  });

  it('answers a repeated orderId with 200 and the current status, sending nothing more', async () => {
    const h = await harness();
    await post(h.handlers.capture, { visitor: { sessionId: 'cv-4' }, params: { kk: 'kk-4' } });
    expect((await post(h.handlers.conversion, conversionBody('CV-4', { sessionId: 'cv-4' }))).status).toBe(202);
    const again = await post(h.handlers.conversion, conversionBody('CV-4', { sessionId: 'cv-4' }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ orderId: 'CV-4', duplicate: true });
    expect(again.body.deliveries.find((d: { vendor: string }) => d.vendor === 'kelkoo')).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await drain(h.queueUrls.kelkoo!)).toHaveLength(1);
  });

  it('answers concurrent posts of one order with one 202 and 200s; any copies queued are identical', async () => {
    const h = await harness();
    await post(h.handlers.capture, { visitor: { sessionId: 'cv-5' }, landingUrl: 'https://acme.example/?kk=kk-5&qc_clickid=QC-5' });
    const results = await Promise.all(Array.from({ length: 12 }, () => post(h.handlers.conversion, conversionBody('CV-5', { sessionId: 'cv-5' }))));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(11).fill(200), 202]);
    // Each request that found no order before the first one recorded it queued a copy: the senders' claim lets one
    // through (test/e2e/local-stack.test.ts), and since every copy is the same, so is the call it makes.
    for (const vendor of ['kelkoo', 'klevu', 'qualityclick']) {
      const messages = await drain(h.queueUrls[vendor]!);
      expect(messages.length).toBeGreaterThanOrEqual(1);
      expect(new Set(messages.map((m) => JSON.stringify({ ...m, receivedAt: undefined }))).size).toBe(1);
    }
  });

  it('answers 503 when a queue write fails, records nothing, and the shop\'s retry records the order', async () => {
    let failuresLeft = 1;
    const h = await harness(specConfig(), (real) => ({
      send: async (message) => {
        if (message.destination === 'klevu' && failuresLeft-- > 0) throw new Error('SQS unavailable');
        return real.send(message);
      },
    }));
    await post(h.handlers.capture, { visitor: { sessionId: 'cv-6' }, params: { kk: 'kk-6' } });
    const first = await post(h.handlers.conversion, conversionBody('CV-6', { sessionId: 'cv-6' }));
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('enqueue_failed');
    expect(first.result.headers?.['retry-after']).toBe('1');
    expect(await itemsUnder('ORDER#CV-6')).toEqual([]);
    const retry = await post(h.handlers.conversion, conversionBody('CV-6', { sessionId: 'cv-6' }));
    expect(retry.status).toBe(202);
    const third = await post(h.handlers.conversion, conversionBody('CV-6', { sessionId: 'cv-6' }));
    expect(third.status).toBe(200);
    // Kelkoo's message went out with the failed request and again with the retry: the same message twice.
    const kelkoo = await drain(h.queueUrls.kelkoo!);
    expect(kelkoo).toHaveLength(2);
    expect(kelkoo[0]!.context).toEqual(kelkoo[1]!.context);
    expect(await drain(h.queueUrls.klevu!)).toHaveLength(1);
  });

  it('answers 5xx when the order cannot be recorded after queuing, and the retry records it', async () => {
    let failuresLeft = 1;
    const h = await harness(specConfig(), undefined, (real) => {
      const failing = Object.create(real) as TrackingStore;
      failing.createOrder = async (order) => {
        if (failuresLeft-- > 0) throw new Error('DynamoDB unavailable');
        return real.createOrder(order);
      };
      return failing;
    });
    await post(h.handlers.capture, { visitor: { sessionId: 'cv-8' }, params: { kk: 'kk-8' } });
    const first = await post(h.handlers.conversion, conversionBody('CV-8', { sessionId: 'cv-8' }));
    expect(first.status).toBe(500);
    expect(await itemsUnder('ORDER#CV-8')).toEqual([]);
    expect((await post(h.handlers.conversion, conversionBody('CV-8', { sessionId: 'cv-8' }))).status).toBe(202);
    const status = await call(h.handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId: 'CV-8' } }));
    expect(status.body.deliveries.find((d: { vendor: string }) => d.vendor === 'kelkoo')).toMatchObject({ status: 'queued' });
    const kelkoo = await drain(h.queueUrls.kelkoo!);
    expect(kelkoo).toHaveLength(2);
    expect(kelkoo[0]!.context).toEqual(kelkoo[1]!.context);
  });

  it('stores nothing and calls nobody when consent is refused', async () => {
    const h = await harness();
    const { status, body } = await post(h.handlers.conversion, conversionBody('CV-7', { sessionId: 'cv-7' }, { consent: { tracking: false } }));
    expect(status).toBe(200);
    expect(body).toEqual({ orderId: 'CV-7', deliveries: [], consent: { tracking: false } });
    expect(await itemsUnder('ORDER#CV-7')).toEqual([]);
    expect(await h.count()).toBe(0);
  });

  it.each([
    ['a missing orderId', { orderId: undefined }, 'orderId'],
    ['a 129-character orderId', { orderId: 'o'.repeat(129) }, 'orderId'],
    ['a 4-letter currency', { currency: 'EURO' }, 'currency'],
    ['a negative orderValue', { orderValue: -1 }, 'orderValue'],
    ['an orderValue given as a string', { orderValue: '609.07' }, 'orderValue'],
    ['no items', { items: [] }, 'items'],
    ['a fractional quantity', { items: [{ productId: 'p', name: 'n', unitPrice: 1, quantity: 1.5 }] }, 'items.0.quantity'],
    ['a zero quantity', { items: [{ productId: 'p', name: 'n', unitPrice: 1, quantity: 0 }] }, 'items.0.quantity'],
    ['a negative unitPrice', { items: [{ productId: 'p', name: 'n', unitPrice: -0.01, quantity: 1 }] }, 'items.0.unitPrice'],
    ['a bad shopper IP', { shopper: { ip: '999.1.1.1' } }, 'shopper.ip'],
    ['a bad e-mail', { shopper: { email: 'not-an-email' } }, 'shopper.email'],
    ['no visitor key', { visitor: {} }, 'visitor'],
  ])('answers 400 naming the field for %s, and writes nothing', async (_, patch, field) => {
    const h = await harness();
    const orderId = `BAD-${field}-${Math.random()}`;
    const body = { ...conversionBody(orderId, { sessionId: 'bad' }), ...patch };
    const { status, body: answer } = await post(h.handlers.conversion, body);
    expect(status).toBe(400);
    expect(answer.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await itemsUnder(`ORDER#${orderId}`)).toEqual([]);
    expect(await h.count()).toBe(0);
  });
});

describe('GET /v1/conversions/{orderId} and health', () => {
  let h: Harness;
  beforeAll(async () => (h = await harness()));

  it('reports every vendor with status and attempts', async () => {
    await post(h.handlers.capture, { visitor: { sessionId: 'st-1' }, params: { kk: 'kk' } });
    await post(h.handlers.conversion, conversionBody('ST/1 & ?#', { sessionId: 'st-1' }));
    const { status, body } = await call(h.handlers.status, apiEvent({ method: 'GET', path: '/v1/conversions/{orderId}', pathParameters: { orderId: 'ST/1 & ?#' } }));
    expect(status).toBe(200);
    expect(body.orderId).toBe('ST/1 & ?#');
    expect(body.receivedAt).toBe(NOW.toISOString());
    expect(body.deliveries.map((d: { vendor: string }) => d.vendor)).toEqual(['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor']);
    expect(body.deliveries.find((d: { vendor: string }) => d.vendor === 'kelkoo')).toEqual({ vendor: 'kelkoo', status: 'queued', attempts: 0 });
    expect(body.deliveries.find((d: { vendor: string }) => d.vendor === 'clickmeter')).toMatchObject({ status: 'skipped', attempts: 0, reason: expect.any(String) });
  });

  it('answers 404 for an unknown order and 401 without a key', async () => {
    expect((await call(h.handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId: 'nope' } }))).status).toBe(404);
    expect((await call(h.handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId: 'nope' }, auth: null }))).status).toBe(401);
  });

  it('answers health without a key', async () => {
    expect(await call(h.handlers.health, apiEvent({ method: 'GET', auth: null }))).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('never writes the shopper e-mail, IP or API key into the logs', async () => {
    // Its own traffic, so that it holds when run alone: accepted, refused and unauthorised requests carrying them.
    const own = await harness();
    await post(own.handlers.capture, { visitor: { sessionId: 'log-1' }, params: { kk: 'kk-log' } });
    await post(own.handlers.conversion, conversionBody('LOG-1', { sessionId: 'log-1' }));
    await post(own.handlers.conversion, { ...conversionBody('LOG-2', { sessionId: 'log-1' }), shopper: { ip: '203.0.113.7', email: 'a@b.example', city: 7 } });
    await call(own.handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId: 'LOG-1' }, auth: `Bearer ${API_KEY}-wrong` }));
    const all = [...h.lines, ...own.lines].join('\n');
    expect(own.lines.length).toBeGreaterThanOrEqual(3);
    expect(all).not.toContain('a@b.example');
    expect(all).not.toContain('203.0.113.7');
    expect(all).not.toContain(API_KEY);
  });
});
