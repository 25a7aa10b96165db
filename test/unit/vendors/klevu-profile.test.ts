import type { Order } from '../../../lambdas/core/order';
import { klevu } from '../../../lambdas/vendors/klevu/adapter';
import { klevuConfigSchema } from '../../../lambdas/vendors/klevu/config';
import { toKlevuPayload, toKlevuUserProfile } from '../../../lambdas/vendors/klevu/mapping';

const order: Order = {
  orderId: 'ORD-1',
  currency: 'EUR',
  orderValue: 10,
  netValue: 8,
  occurredAt: '2026-11-21T10:00:00.000Z',
  items: [{ productId: 'P1', name: 'Lamp', unitPrice: 10, quantity: 1, groupId: 'P1', variantId: 'P1' }],
  shopper: { ip: '203.0.113.7' },
};
const withShopper = (shopper: Order['shopper']): Order => ({ ...order, shopper });
const profile = (shopper: Order['shopper'], sendEmail = true, uuid?: string) =>
  toKlevuUserProfile('203.0.113.7', withShopper(shopper), { sendEmail }, uuid === undefined ? {} : { uuid });

describe('Klevu user_profile', () => {
  it('leaves out a whitespace-only e-mail or city instead of sending blanks', () => {
    expect(profile({ email: '   ', city: ' \t ' })).toEqual({ ip_address: '203.0.113.7' });
    // Left out, not present as undefined.
    expect(Object.keys(profile({ email: ' ', city: ' ', country: 'France' }))).toEqual(['ip_address']);
    expect(profile({ email: '', city: '' })).toEqual({ ip_address: '203.0.113.7' });
  });

  it('sends e-mail and city as given when they hold text', () => {
    expect(profile({ email: 'a@shop.example', city: 'Lyon' })).toEqual({ ip_address: '203.0.113.7', email: 'a@shop.example', klevu_city: 'Lyon' });
  });

  it('sends the e-mail only when the merchant opted in', () => {
    expect(profile({ email: 'a@shop.example' }, false)).toEqual({ ip_address: '203.0.113.7' });
  });

  it('trims the country and sends it upper-case when it is a 2-letter code', () => {
    expect(profile({ country: ' fr ' })).toEqual({ ip_address: '203.0.113.7', klevu_country: 'FR' });
    expect(profile({ country: 'De' })).toEqual({ ip_address: '203.0.113.7', klevu_country: 'DE' });
  });

  it.each(['   ', 'F', 'FRA', 'F1', 'f r', 'xfr', 'frx'])('leaves out the country %p, which is no 2-letter code', (country) => {
    expect(profile({ country })).toEqual({ ip_address: '203.0.113.7' });
  });

  it('sends the Klevu uuid when one was attributed', () => {
    expect(profile({}, true, 'kuid-1')).toEqual({ ip_address: '203.0.113.7', klevu_uuid: 'kuid-1' });
  });

  it('works without any shopper details', () => {
    expect(toKlevuUserProfile('203.0.113.7', { shopper: undefined }, { sendEmail: true }, {})).toEqual({ ip_address: '203.0.113.7' });
  });
});

describe('Klevu payload', () => {
  const config = () => klevuConfigSchema().parse({ apiKey: 'klevu-123' });

  it('sends the shopper IP trimmed', () => {
    const [event] = toKlevuPayload(withShopper({ ip: '  203.0.113.9 \n' }), config(), {});
    expect(event!.user_profile.ip_address).toBe('203.0.113.9');
  });

  it('refuses an order without an IP, which plan() never schedules', () => {
    expect(() => toKlevuPayload(withShopper({ ip: ' ' }), config(), {})).toThrow('Order ORD-1 has no shopper IP: Klevu requires ip_address');
    expect(() => toKlevuPayload(withShopper(undefined), config(), {})).toThrow('has no shopper IP');
  });

  it("stamps the event with the order's own time, and leaves the stamp out when that time is unreadable", () => {
    expect(toKlevuPayload(order, config(), {})[0]!.event_timestamp_ms).toBe(Date.parse('2026-11-21T10:00:00.000Z'));
    expect(toKlevuPayload({ ...order, occurredAt: 'not a date' }, config(), {})[0]).not.toHaveProperty('event_timestamp_ms');
  });

  it('numbers the order lines from 1', () => {
    const items = [order.items[0]!, { ...order.items[0]!, productId: 'P2', groupId: 'P2', variantId: 'P2' }];
    const [event] = toKlevuPayload({ ...order, items }, config(), {});
    expect(event!.event_data.items.map((i) => i.order_line_id)).toEqual(['ORD-1-1', 'ORD-1-2']);
  });
});

describe('Klevu plan and request', () => {
  const config = () => klevuConfigSchema().parse({ apiKey: 'klevu-123', attributionDays: 9 });
  const plan = (shopper: Order['shopper'], uuid?: string) =>
    klevu.plan({ order: withShopper(shopper), config: config(), click: (key) => (key === 'klevu.uuid' ? uuid : undefined), random: () => 0 });

  it('reports every order with a shopper IP, with the uuid when one is live', () => {
    expect(plan({ ip: '203.0.113.7' })).toEqual({ deliver: true, context: {} });
    expect(plan({ ip: '203.0.113.7' }, 'u1')).toEqual({ deliver: true, context: { uuid: 'u1' } });
    expect(plan({ ip: '203.0.113.7' }, '')).toEqual({ deliver: true, context: {} });
  });

  it('skips an order without a shopper IP', () => {
    expect(plan(undefined)).toEqual({ deliver: false, reason: 'missing shopper IP: Klevu requires user_profile.ip_address for server-to-server calls' });
    expect(plan({ ip: ' \t' }).deliver).toBe(false);
  });

  it('attributes the uuid the shop passes as identifiers.klevu.uuid, for the configured days', () => {
    expect(klevu.clickIds(config())).toEqual([{ source: { identifier: { vendor: 'klevu', field: 'uuid' } }, windowSeconds: 9 * 86_400 }]);
  });

  it('POSTs one JSON event to the configured endpoint', () => {
    const [request, ...rest] = klevu.buildRequests({ order, config: config(), context: {} });
    expect(rest).toEqual([]);
    expect(request).toMatchObject({ key: 'order_purchase', method: 'POST', url: config().endpoint, headers: { 'Content-Type': 'application/json' } });
    expect(JSON.parse(request!.body!)).toEqual(toKlevuPayload(order, config(), {}));
  });

  it('rejects a blank API key and accepts no unknown fields', () => {
    expect(klevuConfigSchema().safeParse({ apiKey: '   ' }).success).toBe(false);
    expect(klevuConfigSchema().safeParse({ apiKey: 'k', extra: 1 }).success).toBe(false);
    expect(klevuConfigSchema().parse({ apiKey: ' k ' })).toEqual({ apiKey: 'k', endpoint: config().endpoint, sendEmail: false, attributionDays: 30 });
  });
});
