import type { VendorFixtures } from '../fixture-types';

/** SPEC §3's example block: p1 is the event type, then product, price, quantity, order and currency. */
const config = {
  customerId: '1234',
  purchaseParams: { p1: 'buy', p2: '{item.productId}', p3: '{item.unitPrice}', p4: '{item.quantity}', p5: '{order.orderId}', p6: '{order.currency}' },
};

const COID = '0c9f5e3a-6d2b-4f7e-9a41-3b8e2d7c5f10';
const SID = '7e4b1d92-2a6f-4c3e-b8d5-91f0a6e2c347';

const twoLineOrder = {
  orderId: 'CMD0572084',
  currency: 'EUR',
  orderValue: 67.9,
  netValue: 56.58,
  occurredAt: '2026-11-21T10:05:00.000Z',
  items: [
    { productId: 'P140490', name: 'Boite de 1000 lamelles en bois Lamello en 20', unitPrice: 30.5, quantity: 1 },
    { productId: 'P108530', name: 'Serre joints écarteur Quick Grip 300 mm', unitPrice: 18.7, quantity: 2 },
  ].map((item) => ({ ...item, groupId: item.productId, variantId: item.productId })),
};

const oneLineOrder = { ...twoLineOrder, orderValue: 30.5, netValue: 25.42, items: [twoLineOrder.items[0]!] };

// The document's URL format: https://t.raptorsmartadvisor.com/[customerid].rsa?p1=[p1]&p2=[p2]....&coid=[cookieId]&ruid=[base64UserId]&sid=[sessionId]
const BASE = 'https://t.raptorsmartadvisor.com/1234.rsa';
const LINE_1 = 'p1=buy&p2=P140490&p3=30.50&p4=1&p5=CMD0572084&p6=EUR';
const LINE_2 = 'p1=buy&p2=P108530&p3=18.70&p4=2&p5=CMD0572084&p6=EUR';

export const fixtures: VendorFixtures = {
  requests: [
    {
      id: 'raptor-two-lines',
      description: 'a 2-line order with coid, sid and an e-mail as ruid: one call per line, ruid as Base64',
      source: 'Raptor document, URL format and "Parameter Explanation" (coid, sid, ruid = base64 encoded userid)',
      input: {
        config,
        order: twoLineOrder,
        // base64("jane.doe@shop.example") = amFuZS5kb2VAc2hvcC5leGFtcGxl
        clicks: { 'raptor.coid': COID, 'raptor.sid': SID, 'raptor.ruid': 'jane.doe@shop.example' },
      },
      expected: {
        requests: [
          { method: 'GET', url: `${BASE}?${LINE_1}&coid=${COID}&ruid=amFuZS5kb2VAc2hvcC5leGFtcGxl&sid=${SID}` },
          { method: 'GET', url: `${BASE}?${LINE_2}&coid=${COID}&ruid=amFuZS5kb2VAc2hvcC5leGFtcGxl&sid=${SID}` },
        ],
      },
    },
    {
      id: 'raptor-no-sid',
      description: 'no live session id (older than 20 minutes or never captured): Raptor is not called',
      source: 'Raptor document: sid "Must be send at every page request"; session cookie lives 20 minutes',
      input: { config, order: twoLineOrder, clicks: { 'raptor.coid': COID, 'raptor.ruid': 'jane.doe@shop.example' } },
      expected: { skipped: 'no live raptor.sid' },
    },
    {
      id: 'raptor-no-coid',
      description: 'no device cookie id: Raptor is not called',
      source: 'Raptor document: coid "Must be send at every page request"',
      input: { config, order: twoLineOrder, clicks: { 'raptor.sid': SID, xuid: 'HL-77' } },
      expected: { skipped: 'no live raptor.coid' },
    },
    {
      id: 'raptor-reaid-drops-xuid',
      description: 'reaid and xuid both held: reaid is sent, xuid is not',
      source: 'Raptor document, XuId: "This can NOT be used together with ReaId and RuId"',
      input: { config, order: oneLineOrder, clicks: { 'raptor.coid': COID, 'raptor.sid': SID, reaid: 'R3a1d-8842', xuid: 'HL-77' } },
      expected: { requests: [{ method: 'GET', url: `${BASE}?${LINE_1}&coid=${COID}&sid=${SID}&reaid=R3a1d-8842` }] },
    },
    {
      id: 'raptor-xuid-alone',
      description: 'a HeyLoyalty xuid without reaid or ruid is sent',
      source: 'Raptor document, XuId: "the value needs to be attached to every tracking sent to our server"',
      input: { config, order: oneLineOrder, clicks: { 'raptor.coid': COID, 'raptor.sid': SID, xuid: 'HL-77' } },
      expected: { requests: [{ method: 'GET', url: `${BASE}?${LINE_1}&coid=${COID}&sid=${SID}&xuid=HL-77` }] },
    },
    {
      id: 'raptor-reserved-characters',
      description:
        'reserved characters and unicode in orderId, product id, name and ruid; p10 after p9; numeric customerId; endpoint with a trailing slash',
      source: 'Raptor document: "NB: All Parameters must be URL encoded"; SPEC §2 (orderId may hold any character)',
      input: {
        config: {
          customerId: 1234,
          endpoint: 'https://sandbox.example/raptor/',
          purchaseParams: { p10: '{order.currency}', p2: '{item.productId}', p1: 'buy', p9: '{order.orderId}-{item.lineNumber}', p3: '{item.name}' },
        },
        order: {
          orderId: 'A&B=C?D#E%F+G/H I',
          currency: 'EUR',
          orderValue: 30.5,
          netValue: 30.5,
          occurredAt: '2026-11-21T10:05:00.000Z',
          items: [{ productId: 'Käse/ß 🧀 #1', name: 'Boîte "100" <lamelles> & co', unitPrice: 30.5, quantity: 1, groupId: 'g', variantId: 'v' }],
        },
        // base64("zoë+tracking@shop.example") = em/Dqyt0cmFja2luZ0BzaG9wLmV4YW1wbGU= – its "/" and "=" are percent-encoded.
        clicks: { 'raptor.coid': COID, 'raptor.sid': SID, 'raptor.ruid': 'zoë+tracking@shop.example', xuid: 'HL-77' },
      },
      expected: {
        requests: [
          {
            method: 'GET',
            url:
              'https://sandbox.example/raptor/1234.rsa?p1=buy&p2=K%C3%A4se%2F%C3%9F%20%F0%9F%A7%80%20%231' +
              '&p3=Bo%C3%AEte%20%22100%22%20%3Clamelles%3E%20%26%20co&p9=A%26B%3DC%3FD%23E%25F%2BG%2FH%20I-1&p10=EUR' +
              `&coid=${COID}&ruid=em%2FDqyt0cmFja2luZ0BzaG9wLmV4YW1wbGU%3D&sid=${SID}`,
          },
        ],
      },
    },
  ],
  responses: [
    { description: '200 with an empty body is accepted', source: 'assumed: the document describes no response', response: { status: 200, headers: {}, body: '' }, expected: 'sent' },
    {
      description: '200 with a tracking pixel is accepted',
      source: 'assumed: tracking endpoints commonly answer with an image',
      response: { status: 200, headers: { 'content-type': 'image/gif' }, body: 'GIF89a\u0001\u0000\u0001\u0000' },
      expected: 'sent',
    },
    { description: '204 is accepted', source: 'assumed: any 2xx without an error body', response: { status: 204, headers: {}, body: '' }, expected: 'sent' },
    {
      description: '200 whose JSON body reports an error is not accepted',
      source: 'assumed: a body that says the call was rejected outweighs the status',
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"error":"unknown customer"}' },
      expected: 'failed',
    },
    {
      description: '200 whose text body starts with "Error" is not accepted',
      source: 'assumed: a body that says the call was rejected outweighs the status',
      response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'Error: missing coid' },
      expected: 'failed',
    },
    { description: '503 is retried', source: 'assumed: server fault', response: { status: 503, headers: {}, body: 'busy' }, expected: 'retry' },
    { description: '429 is retried', source: 'assumed: throttling', response: { status: 429, headers: { 'retry-after': '5' }, body: '' }, expected: 'retry' },
    { description: '404 is not retried', source: 'assumed: unknown customer id in the path', response: { status: 404, headers: {}, body: 'Not Found' }, expected: 'failed' },
    { description: '400 is not retried', source: 'assumed: the request itself is wrong', response: { status: 400, headers: {}, body: 'bad request' }, expected: 'failed' },
  ],
};
