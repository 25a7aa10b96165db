/**
 * Property-based hardening of every route: random and adversarial bodies never yield a 5xx, a rejected request
 * never writes anything, and the service keeps answering afterwards.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import type { ApiHandler } from '../../lambdas/api/http';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { API_KEY, apiEvent, call } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { specConfig } from '../support/config';

let handlers: ReturnType<typeof createApiHandlers>;
let countItems: () => Promise<number>;

beforeAll(async () => {
  const { store, client, tableName } = await createTestStore();
  const sqs = sqsClient();
  const config = specConfig();
  const queueUrls: Record<string, string> = {};
  for (const id of Object.keys(config.vendors)) queueUrls[id] = (await createTestQueue(sqs)).queueUrl;
  handlers = createApiHandlers({
    config,
    store,
    queues: new SqsDeliveryQueues(sqs, queueUrls),
    apiKeys: new StaticApiKeys([API_KEY]),
    logger: recordingLogger().logger,
  });
  countItems = async () => (await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count ?? 0;
});

/** Strings a hostile or careless caller sends. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '__proto__', 'constructor', 'prototype', '& = ? # % + /', '%00', '\u0000', '\u202e', '😀', 'a'.repeat(600), '<script>', "' OR 1=1 --"),
);
const nastyNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2));
const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(nasty, tie('value'), { maxKeys: 3 }),
  ),
})).value;

const validCapture = { visitor: { sessionId: 's-prop' }, landingUrl: 'https://shop.example/?kk=abc', params: { gclid: 'g' } };
const validConversion = {
  orderId: 'PROP-1',
  visitor: { sessionId: 's-prop' },
  currency: 'EUR',
  orderValue: 10,
  items: [{ productId: 'p', name: 'n', unitPrice: 10, quantity: 1 }],
};

/** A valid body with one field (possibly nested) replaced by an adversarial value, or a key added. */
function mutated(valid: Record<string, unknown>) {
  const paths = ['visitor', 'visitor.sessionId', 'landingUrl', 'params', 'orderId', 'currency', 'orderValue', 'items', 'items.0.quantity', 'items.0.unitPrice', 'shopper', 'identifiers', 'occurredAt', 'consent'];
  return fc.tuple(fc.constantFrom(...paths), nastyValue).map(([path, value]) => {
    const copy = JSON.parse(JSON.stringify(valid)) as Record<string, any>;
    const parts = path.split('.');
    let target: any = copy;
    for (const part of parts.slice(0, -1)) target = target[part] ?? (target[part] = {});
    target[parts.at(-1)!] = value;
    return copy;
  });
}

/** Raw texts that JSON.parse accepts but hold traps: overflowing numbers, prototype keys, lone surrogates. */
const RAW_TRAPS = [
  '{"visitor":{"sessionId":"s"},"params":{"kk":"x"},"occurredAt":"2026-01-01T00:00:00Z","orderValue":1e999}',
  '{"orderId":"X","visitor":{"sessionId":"s"},"currency":"EUR","orderValue":1e999,"items":[{"productId":"p","name":"n","unitPrice":1,"quantity":1}]}',
  '{"orderId":"X","visitor":{"sessionId":"s"},"currency":"EUR","orderValue":1,"items":[{"productId":"p","name":"n","unitPrice":1,"quantity":1e999}]}',
  '{"__proto__":{"admin":true},"visitor":{"sessionId":"s"}}',
  '{"visitor":{"__proto__":{"sessionId":"s"}}}',
  '{"visitor":{"sessionId":"s","constructor":{"prototype":{"x":1}}}}',
  '{"visitor":{"sessionId":"\\ud800"},"params":{"kk":"x"}}',
  '{"visitor":{"sessionId":"s"},"params":{"\\udfff":"x"}}',
  '[]',
  '"a string"',
  'null',
  '12',
];

async function expectNoServerErrorAndNoWrite(handler: ApiHandler, body: string, method = 'POST'): Promise<number> {
  const before = await countItems();
  const { status } = await call(handler, apiEvent({ method, rawBody: body }));
  expect(status).toBeLessThan(500);
  if (status >= 400) expect(await countItems()).toBe(before);
  return status;
}

const routes: Array<[string, () => ApiHandler, Record<string, unknown>, string]> = [
  ['POST /v1/clicks', () => handlers.capture, validCapture, 'POST'],
  ['POST /v1/identify', () => handlers.identify, { visitor: { sessionId: 's-prop', userId: 'u-prop' } }, 'POST'],
  ['POST /v1/conversions', () => handlers.conversion, validConversion, 'POST'],
  ['DELETE /v1/visitors', () => handlers.erase, { visitor: { sessionId: 's-none' } }, 'DELETE'],
];

describe.each(routes)('%s under random and adversarial input', (_, handler, valid, method) => {
  it('answers arbitrary JSON with a 2xx or a 4xx, writing nothing when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(nastyValue, async (body) => {
        await expectNoServerErrorAndNoWrite(handler(), JSON.stringify(body) ?? 'null', method);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a valid body with one field turned adversarial, or accepts it, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(valid), async (body) => {
        await expectNoServerErrorAndNoWrite(handler(), JSON.stringify(body), method);
      }),
      { numRuns: 60 },
    );
  });

  it('answers JSON traps (1e999, __proto__, constructor, lone surrogates, non-objects) with a 4xx and no write', async () => {
    for (const raw of RAW_TRAPS) {
      const status = await expectNoServerErrorAndNoWrite(handler(), raw, method);
      expect(status).toBeGreaterThanOrEqual(400);
    }
  });

  it('answers random bytes that are not JSON with 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1 }), async (text) => {
        fc.pre(!isJson(text));
        const status = await expectNoServerErrorAndNoWrite(handler(), text, method);
        expect(status).toBe(400);
      }),
      { numRuns: 40 },
    );
  });
});

describe('GET /v1/conversions/{orderId} under random and adversarial ids', () => {
  it('answers any path parameter with 200, 400 or 404 – never 5xx – and writes nothing', async () => {
    const before = await countItems();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 140 }), fc.constantFrom('\ud800', 'a\udc00b', '%2F', '../ORDER', '#', '')),
        async (orderId) => {
          const { status } = await call(handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId } }));
          expect([200, 400, 404]).toContain(status);
        },
      ),
      { numRuns: 120 },
    );
    expect(await countItems()).toBe(before);
  });
});

describe('after the storm', () => {
  it('is healthy and still accepts a valid request', async () => {
    expect((await call(handlers.health, apiEvent({ method: 'GET', auth: null }))).status).toBe(200);
    expect((await call(handlers.capture, apiEvent({ body: { visitor: { sessionId: 'after' }, params: { kk: 'ok' } } }))).status).toBe(201);
  });

  it('never let a __proto__ key reach a prototype', () => {
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('POST /v1/conversions/{orderId}/cancellation under random ids and bodies', () => {
  it('answers 400 or 404 for an unknown order, never 5xx, and writes nothing', async () => {
    const before = await countItems();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('\ud800', '%2F', '../ORDER', '#', '')),
        fc.oneof(nastyValue, fc.constant({}), fc.record({ reason: fc.string(), occurredAt: fc.string() }, { requiredKeys: [] })),
        async (orderId, body) => {
          const { status } = await call(handlers.cancellation, apiEvent({ pathParameters: { orderId }, rawBody: JSON.stringify(body) ?? 'null' }));
          expect([400, 404]).toContain(status);
        },
      ),
      { numRuns: 80 },
    );
    expect(await countItems()).toBe(before);
  });
});
