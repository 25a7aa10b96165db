import { conversionSchema, toOrder } from '../../../lambdas/api/conversion';
import type { Order } from '../../../lambdas/core/order';
import { klevu } from '../../../lambdas/vendors/klevu/adapter';
import { fixtures } from '../../../lambdas/vendors/klevu/fixtures';
import { klevuItemId, klevuOrderLineId } from '../../../lambdas/vendors/klevu/mapping';
import type { KlevuPayload } from '../../../lambdas/vendors/klevu/types';
import type { ReceivedRequest } from '../../../lambdas/vendors/types';
import { buildFromFixture, describeVendorFixtures } from '../../support/vendor-fixtures';

describeVendorFixtures(klevu, fixtures);

const example = fixtures.requests.find((f) => f.id === 'klevu-collect-example')!;

function payloadOf(input: typeof example.input): KlevuPayload {
  const { requests } = buildFromFixture(klevu, input);
  expect(requests).toHaveLength(1);
  return JSON.parse(requests[0]!.body!) as KlevuPayload;
}

function received(body: unknown, overrides: Partial<ReceivedRequest> = {}): ReceivedRequest {
  return {
    method: 'POST',
    url: '/analytics/collect',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...overrides,
  };
}

describe('Klevu user_profile', () => {
  it("sends the shopper's e-mail only when the merchant opted in", () => {
    const order = example.input.order;
    expect(payloadOf({ ...example.input, config: { apiKey: 'k', sendEmail: true } })[0]!.user_profile.email).toBe('user@klevu.com');
    expect(payloadOf({ ...example.input, config: { apiKey: 'k', sendEmail: false } })[0]!.user_profile).not.toHaveProperty('email');
    expect(payloadOf({ ...example.input, config: { apiKey: 'k' } })[0]!.user_profile).not.toHaveProperty('email');
    const withoutEmail: Order = { ...order, shopper: { ip: '111.11.11.1' } };
    expect(payloadOf({ ...example.input, config: { apiKey: 'k', sendEmail: true }, order: withoutEmail })[0]!.user_profile).toEqual({ ip_address: '111.11.11.1' });
  });

  it('leaves out a country that is not a 2-letter code rather than sending free text', () => {
    const order: Order = { ...example.input.order, shopper: { ip: '203.0.113.7', country: 'France', city: 'Lyon' } };
    expect(payloadOf({ ...example.input, order })[0]!.user_profile).toEqual({ ip_address: '203.0.113.7', klevu_city: 'Lyon' });
  });

  it('skips an order whose shopper IP is blank', () => {
    const order: Order = { ...example.input.order, shopper: { ip: '  ' } };
    const { plan } = buildFromFixture(klevu, { ...example.input, order });
    expect(plan).toEqual({ deliver: false, reason: expect.stringContaining('missing shopper IP') });
  });
});

describe('Klevu items', () => {
  it('keeps reserved characters and unicode intact inside the JSON values', () => {
    const tricky = 'A&B=C?D#E%F+G/H I – ünïcødé 日本 😀 "quoted" \\ back';
    const order: Order = {
      ...example.input.order,
      orderId: tricky,
      items: [{ productId: tricky, name: tricky, unitPrice: 0.1, quantity: 3, groupId: `g${tricky}`, variantId: `v${tricky}` }],
      shopper: { ip: '203.0.113.7', email: 'a+b/c=d&e@x.example', city: 'São Paulo & Co' },
    };
    const [event] = payloadOf({ ...example.input, config: { apiKey: 'klevu-&=?#%+/', sendEmail: true }, order });
    expect(event!.event_apikey).toBe('klevu-&=?#%+/');
    expect(event!.user_profile).toEqual({ ip_address: '203.0.113.7', email: 'a+b/c=d&e@x.example', klevu_city: 'São Paulo & Co' });
    expect(event!.event_data.items).toEqual([
      {
        order_id: tricky,
        order_line_id: `${tricky}-1`,
        item_name: tricky,
        // A parent with a distinct variant: the compound of the two, each intact.
        item_id: `g${tricky}-v${tricky}`,
        item_group_id: `g${tricky}`,
        item_variant_id: `v${tricky}`,
        unit_price: 0.1,
        currency: 'CAD',
        units: 3,
      },
    ]);
  });

  it('builds parentid-childid whenever the shop gave a parent and a distinct variant (SPEC §5)', () => {
    expect(klevuItemId({ productId: '12345', groupId: '54321', variantId: '12345' })).toBe('54321-12345');
    expect(klevuItemId({ productId: '54321', groupId: '54321', variantId: '12345' })).toBe('54321-12345');
    expect(klevuItemId({ productId: '54321-12345', groupId: '54321', variantId: '12345' })).toBe('54321-12345');
    expect(klevuItemId({ productId: 'P1', groupId: 'P1', variantId: 'P1' })).toBe('P1');
    expect(klevuItemId({ productId: 'SKU-RED', groupId: 'SKU', variantId: 'RED' })).toBe('SKU-RED');
  });

  it('sends a reported productId verbatim unless the shop gave both a parent and a distinct variant (from the conversion request on)', () => {
    const itemsOf = (items: Array<Record<string, unknown>>) => {
      const request = conversionSchema.parse({ orderId: 'K-1', visitor: { sessionId: 's' }, currency: 'EUR', orderValue: 10, items, shopper: { ip: '203.0.113.7' } });
      return payloadOf({ ...example.input, order: toOrder(request, new Date('2026-11-21T10:00:00Z')) })[0]!.event_data.items;
    };
    const line = { name: 'Shirt', unitPrice: 10, quantity: 1 };
    // No variantId: the id the shop gave is the one of its Klevu data sync, whatever the group.
    expect(itemsOf([{ ...line, productId: 'SKU-RED-M', groupId: 'SKU' }])[0]).toMatchObject({ item_id: 'SKU-RED-M', item_group_id: 'SKU', item_variant_id: 'SKU-RED-M' });
    expect(itemsOf([{ ...line, productId: 'P1' }])[0]).toMatchObject({ item_id: 'P1', item_group_id: 'P1', item_variant_id: 'P1' });
    // A parent and a distinct variant: the documented parentid-childid, whichever of the two productId is.
    expect(itemsOf([{ ...line, productId: '12345', groupId: '54321', variantId: '12345' }])[0]).toMatchObject({ item_id: '54321-12345' });
    expect(itemsOf([{ ...line, productId: '54321', groupId: '54321', variantId: '12345' }])[0]).toMatchObject({ item_id: '54321-12345' });
    expect(itemsOf([{ ...line, productId: 'SKU-RED', groupId: 'SKU', variantId: 'RED' }])[0]).toMatchObject({ item_id: 'SKU-RED', item_variant_id: 'RED' });
    expect(klevuItemId({ productId: 'SKU-RED-M', groupId: 'SKU' })).toBe('SKU-RED-M');
  });

  it('numbers order lines from 1 so that ids never collide across orders', () => {
    expect(klevuOrderLineId('A-1', 2)).toBe('A-1-2');
    expect(klevuOrderLineId('A', 12)).not.toBe(klevuOrderLineId('A-1', 2));
  });

  it('sends the same bytes on every build (retries)', () => {
    const first = buildFromFixture(klevu, example.input).requests[0]!;
    const again = buildFromFixture(klevu, example.input).requests[0]!;
    expect(again).toEqual(first);
    expect(JSON.parse(first.body!)[0].event_timestamp_ms).toBe(Date.parse(example.input.order.occurredAt));
  });
});

describe('Klevu classify', () => {
  const request = { key: 'order_purchase', method: 'POST' as const, url: 'https://stats.ksearchnet.com/analytics/collect', headers: {} };

  it("reports Klevu's own error text when a 2xx body says error", () => {
    const outcome = klevu.classify({ status: 200, headers: {}, body: '[{"status":"error","message":"Invalid API key"}]' }, request);
    expect(outcome).toEqual({ kind: 'failed', vendorStatus: 200, error: expect.stringContaining('Invalid API key') });
  });

  it('keeps the Retry-After of a throttled answer', () => {
    expect(klevu.classify({ status: 429, headers: { 'retry-after': '10' }, body: '' }, request)).toMatchObject({ kind: 'retry', retryAfterSeconds: 10 });
  });
});

describe('Klevu sandbox inspection', () => {
  it('accepts what the adapter builds', () => {
    const built = buildFromFixture(klevu, example.input).requests[0]!;
    expect(klevu.inspect(received(built.body))).toEqual([]);
  });

  it('flags every broken field of a payload', () => {
    const broken = [
      {
        event: 'purchase',
        event_apikey: '',
        event_version: '2',
        user_profile: { email: 7, klevu_country: 'France' },
        event_data: {
          items: [{ item_name: 'x', item_id: '', item_group_id: 'g', unit_price: '12.50', currency: 'EURO', units: 1.5 }],
        },
      },
    ];
    expect(klevu.inspect(received(broken))).toEqual([
      'body[0].event must be "order_purchase"',
      'body[0].event_apikey must be a non-empty string',
      'body[0].event_version must be "1.0.0"',
      expect.stringMatching(/^warning: body\[0\]\.user_profile\.ip_address is missing/),
      'body[0].user_profile.email must be a string',
      'body[0].user_profile.klevu_country must be a 2-letter country code',
      'body[0].event_data.items[0].item_id must be a non-empty string',
      'body[0].event_data.items[0].item_variant_id must be a non-empty string',
      'body[0].event_data.items[0].currency must be a 3-letter currency code',
      'body[0].event_data.items[0].unit_price must be a number',
      'body[0].event_data.items[0].units must be a positive integer',
    ]);
  });

  it('flags the wrong method, content type and body shape', () => {
    expect(klevu.inspect(received('', { method: 'GET', headers: {} }))).toEqual([
      'method must be POST, got GET',
      'Content-Type must be application/json, got none',
      'body is not JSON',
    ]);
    expect(klevu.inspect(received({ event: 'order_purchase' }))).toEqual(['body must be a non-empty JSON array of events']);
    expect(klevu.inspect(received([]))).toEqual(['body must be a non-empty JSON array of events']);
    expect(klevu.inspect(received([{ event: 'order_purchase', event_apikey: 'k', event_version: '1.0.0', user_profile: { ip_address: '1.2.3.4' }, event_data: { items: [] } }]))).toEqual([
      'body[0].event_data.items must be a non-empty array',
    ]);
  });
});

describe('Klevu configuration', () => {
  it('applies the documented defaults', () => {
    expect(klevu.configSchema().parse({ apiKey: 'klevu-1234567890' })).toEqual({
      apiKey: 'klevu-1234567890',
      endpoint: 'https://stats.ksearchnet.com/analytics/collect',
      sendEmail: false,
      attributionDays: 30,
    });
  });

  it.each([
    ['a missing apiKey', {}],
    ['an empty apiKey', { apiKey: '  ' }],
    ['a non-http endpoint', { apiKey: 'k', endpoint: 'ftp://stats.example/collect' }],
    ['a non-boolean sendEmail', { apiKey: 'k', sendEmail: 'yes' }],
    ['an attribution window over a year', { apiKey: 'k', attributionDays: 366 }],
    ['a fractional attribution window', { apiKey: 'k', attributionDays: 1.5 }],
    ['an unknown field', { apiKey: 'k', apikey: 'k' }],
  ])('rejects %s', (_, config) => {
    expect(klevu.configSchema().safeParse(config).success).toBe(false);
  });

  it('keeps the Klevu uuid for the attribution window', () => {
    const config = klevu.configSchema().parse({ apiKey: 'k', attributionDays: 7 });
    expect(klevu.clickIds(config)).toEqual([{ source: { identifier: { vendor: 'klevu', field: 'uuid' } }, windowSeconds: 7 * 86_400 }]);
  });
});

describe('Klevu sandbox check of documented constraints', () => {
  it.each([
    ['an ip_address that is not an IP', (e: any) => (e.user_profile.ip_address = 'not-an-ip'), /ip_address must be an IPv4 or IPv6 address/],
    ['a negative unit_price', (e: any) => (e.event_data.items[0].unit_price = -1), /unit_price must not be negative/],
  ])('rejects %s', (_, change, violation) => {
    const payload = payloadOf(example.input);
    expect(klevu.inspect(received(payload))).toEqual([]);
    change(payload[0]);
    expect(klevu.inspect(received(payload))).toEqual([expect.stringMatching(violation)]);
  });
});

