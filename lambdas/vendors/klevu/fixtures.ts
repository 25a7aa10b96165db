import type { Order } from '../../core/order';
import type { VendorFixtures } from '../fixture-types';

/**
 * The document's `analytics/collect` example (JavaScript, Java and Node.js tabs): order 1223434, one line of item
 * 75882, 2 units at 6033.42 CAD, shopper 111.11.11.1 / user@klevu.com, key "klevu-12345". The extracted text has
 * lost punctuation and case, so the item name's capitals and line break are a reading of "45ru 800x1070 n type d
 * nos cm wh ea" (the lone "n" is how the extraction renders every `\n`). `occurredAt` is the document's own
 * `event_timestamp_ms` example, 1736256722349.
 */
const documentOrder: Order = {
  orderId: '1223434',
  currency: 'CAD',
  orderValue: 12066.84,
  netValue: 12066.84,
  occurredAt: '2025-01-07T13:32:02.349Z',
  items: [{ productId: '75882', name: '45RU 800x1070\nType D NOS CM WH EA', unitPrice: 6033.42, quantity: 2, groupId: '75882', variantId: '75882' }],
  shopper: { ip: '111.11.11.1', email: 'user@klevu.com' },
};

const documentItem = {
  order_id: '1223434',
  // The document's example uses its own database line id ("abc-12343"); this service sends `${orderId}-${line}`.
  order_line_id: '1223434-1',
  item_name: '45RU 800x1070\nType D NOS CM WH EA',
  item_id: '75882',
  item_group_id: '75882',
  item_variant_id: '75882',
  unit_price: 6033.42,
  currency: 'CAD',
  units: 2,
};

/** The per-line GET example's compound product (54321-12345, 2 units at 123.45 GBP) plus a simple product. */
const variantOrder: Order = {
  orderId: 'K-2026/11#7',
  currency: 'GBP',
  orderValue: 266.8,
  netValue: 222.33,
  country: 'gb',
  occurredAt: '2026-11-21T10:05:00.000Z',
  items: [
    { productId: '12345', name: 'Chaise longue – bleu', unitPrice: 123.45, quantity: 2, groupId: '54321', variantId: '12345' },
    { productId: 'SKU 9', name: 'Câble USB-C 2 m', unitPrice: 19.9, quantity: 1, groupId: 'SKU 9', variantId: 'SKU 9' },
  ],
  shopper: { ip: '2001:db8::7', email: 'a@b.example', country: 'gb', city: 'Bristol' },
};

export const fixtures: VendorFixtures = {
  requests: [
    {
      id: 'klevu-collect-example',
      description: "the document's analytics/collect example: one order_purchase event, e-mail sent because the merchant opted in",
      source: 'Klevu document, "reporting multiple order data json" – example body (JavaScript/Java/Node.js tabs); event_timestamp_ms example',
      input: { config: { apiKey: 'klevu-12345', sendEmail: true }, order: documentOrder, clicks: {} },
      expected: {
        requests: [
          {
            method: 'POST',
            url: 'https://stats.ksearchnet.com/analytics/collect',
            headers: { 'Content-Type': 'application/json' },
            json: [
              {
                event: 'order_purchase',
                event_apikey: 'klevu-12345',
                event_version: '1.0.0',
                event_timestamp_ms: 1736256722349,
                user_profile: { ip_address: '111.11.11.1', email: 'user@klevu.com' },
                event_data: { items: [documentItem] },
              },
            ],
          },
        ],
      },
    },
    {
      id: 'klevu-email-not-opted-in',
      description: 'the same order without sendEmail: the shopper e-mail stays out of user_profile; sandbox endpoint',
      source: 'Klevu document, user_profile.email is optional; assumed: personal data is shared only on the merchant\'s opt-in',
      input: { config: { apiKey: 'klevu-12345', endpoint: 'http://localhost:4010/klevu/analytics/collect' }, order: documentOrder, clicks: {} },
      expected: {
        requests: [
          {
            method: 'POST',
            url: 'http://localhost:4010/klevu/analytics/collect',
            headers: { 'Content-Type': 'application/json' },
            json: [
              {
                event: 'order_purchase',
                event_apikey: 'klevu-12345',
                event_version: '1.0.0',
                event_timestamp_ms: 1736256722349,
                user_profile: { ip_address: '111.11.11.1' },
                event_data: { items: [documentItem] },
              },
            ],
          },
        ],
      },
    },
    {
      id: 'klevu-uuid-country-city-variants',
      description: 'Klevu uuid held, shopper country and city, a compound variant (parentid-childid) and a simple product, IPv6 shopper',
      source:
        'Klevu document, user_profile (klevu_uuid, klevu_country, klevu_city); item_id "for compound products … usually parentid-childid"; ' +
        'producttracking example (klevu_productId 54321-12345, group 54321, variant 12345, 2 units at 123.45 GBP)',
      input: {
        config: { apiKey: 'klevu-1234567890' },
        order: variantOrder,
        clicks: { 'klevu.uuid': 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff' },
      },
      expected: {
        requests: [
          {
            method: 'POST',
            url: 'https://stats.ksearchnet.com/analytics/collect',
            json: [
              {
                event: 'order_purchase',
                event_apikey: 'klevu-1234567890',
                event_version: '1.0.0',
                event_timestamp_ms: Date.UTC(2026, 10, 21, 10, 5),
                user_profile: {
                  ip_address: '2001:db8::7',
                  klevu_uuid: 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff',
                  klevu_country: 'GB',
                  klevu_city: 'Bristol',
                },
                event_data: {
                  items: [
                    {
                      order_id: 'K-2026/11#7',
                      order_line_id: 'K-2026/11#7-1',
                      item_name: 'Chaise longue – bleu',
                      item_id: '54321-12345',
                      item_group_id: '54321',
                      item_variant_id: '12345',
                      unit_price: 123.45,
                      currency: 'GBP',
                      units: 2,
                    },
                    {
                      order_id: 'K-2026/11#7',
                      order_line_id: 'K-2026/11#7-2',
                      item_name: 'Câble USB-C 2 m',
                      item_id: 'SKU 9',
                      item_group_id: 'SKU 9',
                      item_variant_id: 'SKU 9',
                      unit_price: 19.9,
                      currency: 'GBP',
                      units: 1,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    },
    {
      id: 'klevu-no-shopper-ip',
      description: 'no shopper IP: Klevu is not called',
      source: 'Klevu document, user_profile.ip_address "required … if calling from JavaScript this is an optional parameter"',
      input: { config: { apiKey: 'klevu-12345', sendEmail: true }, order: { ...documentOrder, shopper: { email: 'user@klevu.com' } }, clicks: { 'klevu.uuid': 'u-1' } },
      expected: { skipped: 'missing shopper IP' },
    },
  ],
  responses: [
    {
      description: '200 with an empty body is accepted',
      source: 'Klevu document, analytics/collect "results": a 200 with no body shown',
      response: { status: 200, headers: {}, body: '' },
      expected: 'sent',
    },
    {
      description: '200 "success response" is accepted',
      source: 'Klevu document, producttracking "results": the 200 example reads "response success response" once punctuation is lost',
      response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'success response' },
      expected: 'sent',
    },
    {
      description: '200 with a JSON body that reports no error is accepted',
      source: 'assumed: only a body that says "error" is a rejection',
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' },
      expected: 'sent',
    },
    {
      description: '200 with {"status":"error"} is a failure, not retried',
      source: 'assumed: the document shows no error body; a rejection of identical bytes cannot heal on retry',
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"error","message":"Invalid API key"}' },
      expected: 'failed',
    },
    {
      description: '200 with an "error" field is a failure',
      source: 'assumed: the document shows no error body',
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"error":"event_version not supported"}' },
      expected: 'failed',
    },
    { description: '429 is retried', source: 'assumed: throttling', response: { status: 429, headers: { 'retry-after': '10' }, body: '' }, expected: 'retry' },
    { description: '503 is retried', source: 'assumed: server fault', response: { status: 503, headers: {}, body: 'Service Unavailable' }, expected: 'retry' },
    { description: '500 is retried', source: 'assumed: server fault', response: { status: 500, headers: {}, body: '' }, expected: 'retry' },
    { description: '400 is not retried', source: 'assumed: the request itself is wrong', response: { status: 400, headers: {}, body: '{"error":"bad payload"}' }, expected: 'failed' },
    { description: '401 is not retried', source: 'assumed: wrong API key', response: { status: 401, headers: {}, body: '' }, expected: 'failed' },
  ],
};
