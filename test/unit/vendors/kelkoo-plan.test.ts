import type { Order } from '../../../lambdas/core/order';
import { SECONDS_PER_DAY } from '../../../lambdas/core/time';
import { kelkoo } from '../../../lambdas/vendors/kelkoo/adapter';
import { kelkooConfigSchema } from '../../../lambdas/vendors/kelkoo/config';
import { kelkooSaleId } from '../../../lambdas/vendors/kelkoo/mapping';

const config = () => kelkooConfigSchema().parse({ country: 'FR', comId: 100, referer: 'https://shop.example', attributionDays: 14 });
const order: Order = {
  orderId: 'ORD-1',
  currency: 'EUR',
  orderValue: 12,
  netValue: 10,
  occurredAt: '2026-11-21T10:00:00.000Z',
  items: [{ productId: 'P1', name: 'Lamp', unitPrice: 12, quantity: 1, groupId: 'P1', variantId: 'P1' }],
};
const plan = (clicks: Record<string, string>, random = 0.25) => kelkoo.plan({ order, config: config(), click: (key) => clicks[key], random: () => random });

describe('Kelkoo click ids and plan', () => {
  it('attributes on kk, gclid and msclkid within the configured days', () => {
    expect(kelkoo.clickIds(config())).toEqual(['kk', 'gclid', 'msclkid'].map((query) => ({ source: { query }, windowSeconds: 14 * SECONDS_PER_DAY })));
  });

  it('skips a visitor with none of the three', () => {
    expect(plan({ s1: 'x' })).toEqual({ deliver: false, reason: 'no live kk, gclid or msclkid click identifier for this visitor' });
  });

  it.each([
    [{ kk: 'K' }, { kelkooId: 'K' }],
    [{ gclid: 'G' }, { gclid: 'G' }],
    [{ msclkid: 'M' }, { msclkid: 'M' }],
    [{ kk: 'K', gclid: 'G', msclkid: 'M' }, { kelkooId: 'K', gclid: 'G', msclkid: 'M' }],
  ])('reports a sale with %p, carrying exactly the ids it has', (clicks, ids) => {
    expect(plan(clicks)).toEqual({ deliver: true, context: { saleId: kelkooSaleId('100', 'ORD-1'), ...ids } });
  });

  it('fixes the saleId at planning, seeded by the comId and the order id rather than by the caller\'s randomness', () => {
    const planned = plan({ kk: 'K' }, 0.193286593627784);
    expect(planned.deliver && planned.context.saleId).toBe(kelkooSaleId('100', 'ORD-1'));
  });
});

describe('Kelkoo call', () => {
  const call = (context: Record<string, string>, o: Order = order) => kelkoo.buildRequests({ order: o, config: config(), context: { saleId: '0.5', ...context } })[0]!;

  it('sends one GET with the Referer, the ids it has and no empty ones', () => {
    const request = call({ gclid: 'G' });
    expect(request.method).toBe('GET');
    expect(request.key).toBe('sale');
    expect(request.headers).toEqual({ Referer: 'https://shop.example' });
    const query = new URL(request.url).searchParams;
    expect(query.get('gclid')).toBe('G');
    expect(query.has('kelkooId')).toBe(false);
    expect(query.has('msclkid')).toBe(false);
    expect(query.get('source')).toBe('serverToServer');
    expect(query.get('saleId')).toBe('0.5');
    expect(query.get('orderId')).toBe('ORD-1');
    expect(query.has('returningUser')).toBe(false);
  });

  it("sends the order's own country lower-case, else the configured one", () => {
    expect(new URL(call({ kelkooId: 'K' }, { ...order, country: 'FR' }).url).searchParams.get('country')).toBe('fr');
    expect(new URL(call({ kelkooId: 'K' }).url).searchParams.get('country')).toBe('fr');
  });

  it('sends the comId, the order value and the basket', () => {
    const query = new URL(call({ kelkooId: 'K' }).url).searchParams;
    expect(query.get('comId')).toBe('100');
    expect(Number(query.get('orderValue'))).toBe(12);
    expect(query.get('productsInfos')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(query.get('kelkooId')).toBe('K');
  });

  it('says whether the buyer is returning when the shop knows', () => {
    expect(new URL(call({ kelkooId: 'K' }, { ...order, returningUser: false }).url).searchParams.get('returningUser')).toBe('false');
    expect(new URL(call({ kelkooId: 'K' }, { ...order, returningUser: true }).url).searchParams.get('returningUser')).toBe('true');
  });

  it('classifies by status alone: the document describes no answer', () => {
    const request = { key: 'sale', method: 'GET' as const, url: 'https://x.example', headers: {} };
    expect(kelkoo.classify({ status: 200, headers: {}, body: 'ERROR' }, request)).toEqual({ kind: 'sent', vendorStatus: 200 });
    expect(kelkoo.classify({ status: 408, headers: {}, body: '' }, request).kind).toBe('retry');
  });
});
