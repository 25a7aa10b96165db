/**
 * Bad input answers 400 naming the field, with a message that says what is wrong with it, and writes nothing – on
 * the real handlers over DynamoDB Local and the SQS server: the cancellation route's order id, dates that do not
 * exist, a landing URL or an e-mail over its length, a currency ISO 4217 does not have (or that has no minor unit),
 * and a net value above the order's value.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { DeliveryQueues, SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { API_KEY, apiEvent, call } from '../support/api';
import { createTestQueue, createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { specConfig } from '../support/config';

let handlers: ReturnType<typeof createApiHandlers>;
let countItems: () => Promise<number>;
let sentMessages: number;

beforeAll(async () => {
  const { store, client, tableName } = await createTestStore();
  const sqs = sqsClient();
  const config = specConfig();
  const queueUrls: Record<string, string> = {};
  for (const id of Object.keys(config.vendors)) queueUrls[id] = (await createTestQueue(sqs)).queueUrl;
  const queues = new SqsDeliveryQueues(sqs, queueUrls);
  sentMessages = 0;
  const counting: DeliveryQueues = {
    send: (message) => {
      sentMessages++;
      return queues.send(message);
    },
  };
  const { logger } = recordingLogger();
  handlers = createApiHandlers({ config, store, queues: counting, apiKeys: new StaticApiKeys([API_KEY]), logger });
  countItems = async () => (await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))).Count ?? 0;
});

const unique = () => Math.random().toString(36).slice(2, 10);

const order = (overrides: Record<string, unknown> = {}) => ({
  orderId: `RF-${unique()}`,
  visitor: { sessionId: `s-${unique()}` },
  currency: 'EUR',
  orderValue: 609.07,
  items: [{ productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 }],
  ...overrides,
});

type Route = 'capture' | 'conversion' | 'cancellation' | 'deliveries';

function request(name: Route, body: unknown, pathParameters?: Record<string, string>, query?: string) {
  const method = name === 'deliveries' ? 'GET' : 'POST';
  const event = apiEvent({ method, body: name === 'deliveries' ? undefined : body, ...(pathParameters ? { pathParameters } : {}) });
  if (query !== undefined) event.queryStringParameters = Object.fromEntries(new URLSearchParams(query));
  return call(handlers[name], event);
}

/** The 400's details, after checking that nothing was written or queued. */
async function refused(name: Route, body: unknown, pathParameters?: Record<string, string>, query?: string) {
  const [items, messages] = [await countItems(), sentMessages];
  const { status, body: answer } = await request(name, body, pathParameters, query);
  expect({ status, items: await countItems(), messages: sentMessages }).toEqual({ status: 400, items, messages });
  return answer.error.details as Array<{ field: string; message: string }>;
}

describe('the cancellation route names a bad order id', () => {
  it.each([
    ['x'.repeat(129), 'must be at most 128 characters'],
    ['', 'must not be empty'],
  ])('orderId %p: 400 naming orderId, not (body)', async (orderId, message) => {
    expect(await refused('cancellation', { reason: 'returned' }, { orderId })).toEqual([{ field: 'orderId', message }]);
  });
});

describe('dates that do not exist are refused, never rolled over into the next month', () => {
  it.each(['2026-02-30', '2026-04-31', '2027-02-29', '2026-02-30T10:00:00Z', '2026-11-21T24:00:00Z'])('GET /v1/deliveries?since=%s', async (since) => {
    const details = await refused('deliveries', undefined, undefined, `since=${encodeURIComponent(since)}`);
    expect(details.map((d) => d.field)).toEqual(['since']);
    expect(details[0]!.message).toContain('on a day the calendar has');
  });

  it('GET /v1/deliveries?since= still takes a date, a leap day and a date-time with its offset', async () => {
    for (const since of ['2026-11-01', '2028-02-29', '2026-11-01T10:00:00.000+01:00']) {
      expect((await request('deliveries', undefined, undefined, `since=${encodeURIComponent(since)}`)).status).toBe(200);
    }
  });

  const nearNow = new Date();
  const year = nearNow.getUTCFullYear();
  it.each([`${year}-02-30T10:00:00Z`, `${year}-04-31T10:00:00Z`, `${year}-06-31T00:00:00+02:00`])('occurredAt %s on every route that takes one', async (occurredAt) => {
    const notADate = [{ field: 'occurredAt', message: 'must be an ISO 8601 timestamp, e.g. 2026-11-21T10:00:00Z' }];
    expect(await refused('capture', { visitor: { sessionId: `s-${unique()}` }, params: { kk: `kk-${unique()}` }, occurredAt })).toEqual(notADate);
    expect(await refused('conversion', order({ occurredAt }))).toEqual(notADate);
    expect(await refused('cancellation', { occurredAt }, { orderId: `RF-${unique()}` })).toEqual(notADate);
  });
});

describe('a value over its length is refused with the length, not with a wrong reason', () => {
  it('a valid landing URL over 8,192 characters', async () => {
    const landingUrl = `https://www.shop.example/p/137.html?kk=a4csscc-1781b717420-34cf3&pad=${'x'.repeat(8192)}`;
    expect(await refused('capture', { visitor: { sessionId: `s-${unique()}` }, landingUrl })).toEqual([
      { field: 'landingUrl', message: 'must be at most 8192 characters' },
    ]);
  });

  it('a landing URL that is not one still says so', async () => {
    expect(await refused('capture', { visitor: { sessionId: `s-${unique()}` }, landingUrl: 'ftp://www.shop.example/' })).toEqual([
      { field: 'landingUrl', message: 'must be an absolute http(s) URL' },
    ]);
  });

  it('a valid e-mail address over 254 characters', async () => {
    const email = `jane@${['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(60)).join('.')}.example`;
    expect(await refused('conversion', order({ shopper: { email } }))).toEqual([{ field: 'shopper.email', message: 'must be at most 254 characters' }]);
  });
});

describe('currency: an ISO 4217 code with minor units', () => {
  it.each(['XYZ', 'ABC', 'EUX', 'XAU', 'XXX', 'XTS', 'xyz'])('refuses %s naming currency', async (currency) => {
    expect((await refused('conversion', order({ currency }))).map((d) => d.field)).toEqual(['currency']);
  });

  it.each(['EUR', 'eur', 'USD', 'JPY', 'KWD', 'CLF', 'CHF', 'XCG', 'ZWG'])('accepts %s', async (currency) => {
    const { status } = await request('conversion', order({ currency }));
    expect(status).toBe(202);
  });
});

describe('netValue (excl. VAT and shipping) above orderValue (the gross total)', () => {
  it('is refused naming netValue', async () => {
    expect(await refused('conversion', order({ orderValue: 100, netValue: 100.01 }))).toEqual([
      { field: 'netValue', message: 'must not exceed orderValue: netValue is the order value excluding VAT and shipping' },
    ]);
  });

  it('is compared at the currency’s minor units, as the vendors receive both', async () => {
    expect((await request('conversion', order({ orderValue: 100, netValue: 100 }))).status).toBe(202);
    expect((await request('conversion', order({ orderValue: 100, netValue: 100.004 }))).status).toBe(202);
    expect((await request('conversion', order({ currency: 'JPY', orderValue: 100, netValue: 100.4 }))).status).toBe(202);
    expect((await refused('conversion', order({ currency: 'JPY', orderValue: 100, netValue: 100.5 }))).map((d) => d.field)).toEqual(['netValue']);
  });
});
