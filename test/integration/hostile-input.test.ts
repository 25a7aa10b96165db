/**
 * Hostile and unusual input against the real handlers over DynamoDB Local and the SQS server: deep nesting,
 * charsets and encodings, and keys at their maximum length in 4-byte characters. Never a 5xx, nothing written
 * when refused, and what is accepted is stored and reachable.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { MAX_JSON_DEPTH, type ApiHandler } from '../../lambdas/api/http';
import { MAX_VISITOR_KEY_BYTES } from '../../lambdas/core/visitor';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { apiEvent, call } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { specConfig } from '../support/config';
import { API_KEY } from '../support/api';

let handlers: ReturnType<typeof createApiHandlers>;
let countItems: () => Promise<number>;
let logLines: string[];

beforeAll(async () => {
  const { store, client, tableName } = await createTestStore();
  const sqs = sqsClient();
  const config = specConfig();
  const queueUrls: Record<string, string> = {};
  for (const id of Object.keys(config.vendors)) queueUrls[id] = (await createTestQueue(sqs)).queueUrl;
  const { logger, lines } = recordingLogger();
  logLines = lines;
  handlers = createApiHandlers({ config, store, queues: new SqsDeliveryQueues(sqs, queueUrls), apiKeys: new StaticApiKeys([API_KEY]), logger });
  countItems = async () => (await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count ?? 0;
});

const EMOJI = '😀'; // 4 bytes in UTF-8, 2 UTF-16 code units, 1 character
const unique = () => Math.random().toString(36).slice(2, 8);

/** A valid body per POST route, for the given visitor. */
const bodies: Record<string, (visitor: Record<string, string>) => Record<string, unknown>> = {
  capture: (visitor) => ({ visitor, params: { kk: `kk-${unique()}` } }),
  identify: (visitor) => ({ visitor: { basketId: `b-${unique()}`, ...visitor } }),
  conversion: (visitor) => ({
    orderId: `O-${unique()}`,
    visitor,
    currency: 'EUR',
    orderValue: 10,
    items: [{ productId: 'p', name: 'Crème brûlée', unitPrice: 10, quantity: 1 }],
    shopper: { ip: '203.0.113.7' },
  }),
  erase: (visitor) => ({ visitor }),
};
const postRoutes = ['capture', 'identify', 'conversion', 'erase'] as const;
const handler = (name: (typeof postRoutes)[number]): ApiHandler => handlers[name];
const methodOf = (name: string) => (name === 'erase' ? 'DELETE' : 'POST');

async function send(name: (typeof postRoutes)[number], options: { rawBody?: string; headers?: Record<string, string>; base64?: Buffer }) {
  const event = apiEvent({ method: methodOf(name), rawBody: options.rawBody, headers: options.headers });
  if (options.base64) {
    event.body = options.base64.toString('base64');
    event.isBase64Encoded = true;
  }
  return call(handler(name), event);
}

async function expectRefusedWithoutWrite(name: (typeof postRoutes)[number], options: Parameters<typeof send>[1], status: number) {
  const before = await countItems();
  const result = await send(name, options);
  expect(result.status).toBe(status);
  expect(await countItems()).toBe(before);
  return result;
}

describe.each(postRoutes)('%s: nesting', (name) => {
  it('answers 400 naming the limit for ~8,000 levels of arrays (15 KB), not a 500 from a stack overflow', async () => {
    const deep = `{"x":${'['.repeat(8000)}${']'.repeat(8000)}}`;
    const { body } = await expectRefusedWithoutWrite(name, { rawBody: deep }, 400);
    expect(body.error.message).toContain(`${MAX_JSON_DEPTH} levels`);
    expect(logLines.join('\n')).not.toContain('Maximum call stack size exceeded');
  });

  it('answers 400 for nesting as deep as the 64 KiB body limit allows, in objects and in the visitor', async () => {
    const levels = 64 * 1024 / 2 - 20;
    await expectRefusedWithoutWrite(name, { rawBody: `{"visitor":${'['.repeat(levels)}${']'.repeat(levels)}}` }, 400);
    const objects = 64 * 1024 / 7 - 10;
    await expectRefusedWithoutWrite(name, { rawBody: `${'{"a":'.repeat(objects)}1${'}'.repeat(objects)}` }, 400);
  });
});

describe.each(postRoutes)('%s: charset and encoding', (name) => {
  const valid = () => JSON.stringify(bodies[name]!({ sessionId: `s-${unique()}`, userId: `u-${unique()}` }));

  it('answers 415 to a declared charset other than UTF-8, and writes nothing', async () => {
    const latin1 = Buffer.from(valid(), 'latin1');
    for (const charset of ['iso-8859-1', 'windows-1252', 'utf-16', '"latin1"']) {
      const { body } = await expectRefusedWithoutWrite(name, { base64: latin1, headers: { 'content-type': `application/json; charset=${charset}` } }, 415);
      expect(body.error.message).toContain('UTF-8');
    }
  });

  it('answers 400 to bytes that are not UTF-8 (latin-1 text sent without a charset, truncated sequences, overlongs)', async () => {
    const latin1Body = Buffer.from(JSON.stringify(bodies.conversion!({ sessionId: 's-latin1' })), 'latin1');
    expect(latin1Body.includes(Buffer.from([0xe8]))).toBe(true);
    const { body } = await expectRefusedWithoutWrite(name, { base64: latin1Body }, 400);
    expect(body.error.message).toContain('UTF-8');
    for (const bad of [[0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff]]) {
      const bytes = Buffer.concat([Buffer.from('{"visitor":{"sessionId":"a'), Buffer.from(bad), Buffer.from('"}}')]);
      await expectRefusedWithoutWrite(name, { base64: bytes }, 400);
    }
  });

  it('accepts a UTF-8 body with a byte order mark, and an explicit charset=utf-8', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid(), 'utf8')]);
    expect((await send(name, { base64: bom })).status).toBeLessThan(300);
    expect((await send(name, { rawBody: valid(), headers: { 'content-type': 'application/json; charset=UTF-8' } })).status).toBeLessThan(300);
  });

  it('answers 415 to a compressed body (Content-Encoding gzip, br, deflate), 2xx to identity', async () => {
    for (const encoding of ['gzip', 'br', 'deflate', 'identity, gzip']) {
      await expectRefusedWithoutWrite(name, { rawBody: valid(), headers: { 'content-encoding': encoding } }, 415);
    }
    expect((await send(name, { rawBody: valid(), headers: { 'content-encoding': 'identity' } })).status).toBeLessThan(300);
  });
});

describe('visitor keys at their maximum length in 4-byte characters', () => {
  const overLimit = EMOJI.repeat(256); // 256 characters, 1,024 bytes
  /** 4 ASCII + 249 × 😀 = 1,000 bytes and 253 characters. */
  const atLimit = () => `${unique().slice(0, 4).padEnd(4, 'x')}${EMOJI.repeat((MAX_VISITOR_KEY_BYTES - 4) / 4)}`;

  it.each(postRoutes)('%s answers 400 naming the byte limit for 256 × 😀, and writes nothing', async (name) => {
    for (const kind of ['sessionId', 'userId', 'basketId']) {
      const visitor = { sessionId: 's-ok', userId: 'u-ok', [kind]: overLimit };
      const { body } = await expectRefusedWithoutWrite(name, { rawBody: JSON.stringify(bodies[name]!(visitor)) }, 400);
      expect(body.error.details).toEqual(expect.arrayContaining([{ field: `visitor.${kind}`, message: `must be at most ${MAX_VISITOR_KEY_BYTES} bytes in UTF-8` }]));
    }
  });

  it('stores, links, attributes and erases keys of exactly the byte limit on every route', async () => {
    const session = atLimit();
    const user = atLimit();
    expect(Buffer.byteLength(session)).toBe(MAX_VISITOR_KEY_BYTES);
    const capture = await call(handlers.capture, apiEvent({ body: { visitor: { sessionId: session }, params: { kk: 'kk-max' } } }));
    expect(capture.status).toBe(201);
    const identify = await call(handlers.identify, apiEvent({ body: { visitor: { sessionId: session, userId: user, basketId: atLimit() } } }));
    expect(identify.status).toBe(200);
    // The sale in another session, reached through the user id: the link item with a ~1,000-byte sort key works.
    const orderId = EMOJI.repeat(128); // the longest order id: 128 characters, 512 bytes
    const conversion = await call(handlers.conversion, apiEvent({ body: { ...bodies.conversion!({ userId: user }), orderId } }));
    expect(conversion.status).toBe(202);
    expect(conversion.body.deliveries.find((d: { vendor: string }) => d.vendor === 'kelkoo').status).toBe('queued');
    const status = await call(handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId } }));
    expect(status.status).toBe(200);
    expect(status.body.orderId).toBe(orderId);
    const erase = await call(handlers.erase, apiEvent({ method: 'DELETE', body: { visitor: { sessionId: session, userId: user } } }));
    expect(erase.status).toBe(200);
    expect(erase.body.erased).toBeGreaterThanOrEqual(3);
  });

  it('answers the status route for order ids of 4-byte characters at and beyond the limit without a 5xx', async () => {
    const statusOf = async (orderId: string) => (await call(handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId } }))).status;
    expect(await statusOf(`${EMOJI.repeat(127)}\u{10FFFF}`)).toBe(404);
    const tooLong = await call(handlers.status, apiEvent({ method: 'GET', pathParameters: { orderId: EMOJI.repeat(129) } }));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details).toEqual([{ field: 'orderId', message: 'must be at most 128 characters' }]);
  });
});

describe('long baskets and the URL limit of GET-based vendors', () => {
  async function convert(lines: number, nameLength: number) {
    const sessionId = `s-long-${unique()}`;
    await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: { kk: 'kk-long', qc_clickid: 'QC-long' } } }));
    const items = Array.from({ length: lines }, (_, i) => ({ productId: `P${i}`, name: `${i} ${'n'.repeat(nameLength)}`.slice(0, nameLength), unitPrice: 1.5, quantity: 1 }));
    const result = await call(handlers.conversion, apiEvent({ body: { orderId: `LONG-${unique()}`, visitor: { sessionId }, currency: 'EUR', orderValue: 1.5 * lines, items } }));
    expect(result.status).toBe(202);
    return (vendor: string) => result.body.deliveries.find((d: { vendor: string }) => d.vendor === vendor);
  }

  it('queues Kelkoo for 60 lines with 200-character names (names shortened at send time to fit)', async () => {
    const delivery = await convert(60, 200);
    expect(delivery('kelkoo')).toEqual({ vendor: 'kelkoo', status: 'queued' });
  });

  it('skips Kelkoo at conversion time, naming the limit, for a basket no shortening can fit; other vendors are unaffected', async () => {
    const delivery = await convert(500, 20);
    expect(delivery('kelkoo')).toEqual({ vendor: 'kelkoo', status: 'skipped', reason: expect.stringContaining('8000-byte URL limit') });
    expect(delivery('qualityclick').status).toBe('queued');
  });
});
