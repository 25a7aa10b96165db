import type { VendorFixtures } from '../fixture-types';

const order = {
  orderId: 'CMD0572084',
  currency: 'EUR',
  orderValue: 609.07,
  netValue: 503.36,
  occurredAt: '2026-11-21T10:05:00.000Z',
  items: [
    { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1, groupId: 'P140490', variantId: 'P140490' },
    { productId: 'P108530', name: 'Serre joints & co', unitPrice: 18.7, quantity: 2, groupId: 'P108530', variantId: 'P108530' },
  ],
};

const awin = {
  clickIdParam: 'awc',
  attributionDays: 30,
  url: 'https://example.invalid/sread.php?tt=ss&ref={order.orderId}&cks={clickId}&amount={order.netValue}',
};

export const fixtures: VendorFixtures = {
  requests: [
    {
      id: 'postback-awin-spec',
      description: "SPEC §3's Awin-style instance: macros filled into their slots",
      source: 'SPEC §3 example configuration (postbacks.awin)',
      input: { config: awin, order, clicks: { awc: '1234_1700000000_abcdef' } },
      expected: {
        requests: [{ method: 'GET', url: 'https://example.invalid/sread.php?tt=ss&ref=CMD0572084&cks=1234_1700000000_abcdef&amount=503.36' }],
      },
    },
    {
      id: 'postback-reserved-characters',
      description: 'values full of & = ? # % + / and unicode stay inside their slot',
      source: 'SPEC §2: orderId may hold any character; issue: values must reach vendor URLs intact',
      input: { config: awin, order: { ...order, orderId: 'A&B=C?D#E%F+G/H é' }, clicks: { awc: 'c&k=1' } },
      expected: {
        requests: [
          {
            method: 'GET',
            url: 'https://example.invalid/sread.php?tt=ss&ref=A%26B%3DC%3FD%23E%25F%2BG%2FH%20%C3%A9&cks=c%26k%3D1&amount=503.36',
          },
        ],
      },
    },
    {
      id: 'postback-post-json-per-item',
      description: 'POST with a JSON body, one call per order line',
      source: 'assumed: networks that take a JSON body per line (e.g. product-level commission groups)',
      input: {
        config: {
          clickIdParam: 'irclickid',
          method: 'POST',
          perItem: true,
          bodyEncoding: 'json',
          headers: { Authorization: 'Bearer network-token' },
          url: 'https://network.example/conversions',
          body: '{"clickId":"{clickId}","orderId":"{order.orderId}","sku":"{item.productId}","name":"{item.name}","amount":"{item.lineValue}","currency":"{order.currency}"}',
        },
        order,
        clicks: { irclickid: 'ir"1' },
      },
      expected: {
        requests: [
          {
            method: 'POST',
            url: 'https://network.example/conversions',
            headers: { Authorization: 'Bearer network-token', 'Content-Type': 'application/json' },
            json: { clickId: 'ir"1', orderId: 'CMD0572084', sku: 'P140490', name: 'Boite de 1000 lamelles', amount: '30.50', currency: 'EUR' },
          },
          {
            method: 'POST',
            url: 'https://network.example/conversions',
            headers: { 'Content-Type': 'application/json' },
            json: { clickId: 'ir"1', orderId: 'CMD0572084', sku: 'P108530', name: 'Serre joints & co', amount: '37.40', currency: 'EUR' },
          },
        ],
      },
    },
    {
      id: 'postback-no-click',
      description: 'no live click id of the network: not called',
      source: 'postbacks attribute on their click id only',
      input: { config: awin, order, clicks: { kk: 'kelkoo-click' } },
      expected: { skipped: 'no live awc click identifier' },
    },
  ],
  responses: [
    { description: '200 with an empty body is accepted', source: 'assumed: the usual postback answer', response: { status: 200, headers: {}, body: '' }, expected: 'sent' },
    {
      description: '200 whose JSON reports an error is a failure',
      source: 'assumed: affiliate platforms answer 200 with an error inside',
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"error","message":"unknown advertiser"}' },
      expected: 'failed',
    },
    { description: '502 is retried', source: 'assumed: server fault', response: { status: 502, headers: {}, body: '' }, expected: 'retry' },
    { description: '404 is not retried', source: 'assumed: wrong URL in config', response: { status: 404, headers: {}, body: 'not found' }, expected: 'failed' },
  ],
};
