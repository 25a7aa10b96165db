/**
 * Kelkoo with one account per country listing (SPEC §3 `vendors.kelkoo.accounts`): an order is reported under its own
 * country's comId and Referer, and an order from a country without an account is skipped, saying why.
 */
import type { Order } from '../../../lambdas/core/order';
import { kelkoo } from '../../../lambdas/vendors/kelkoo/adapter';
import { kelkooConfigSchema } from '../../../lambdas/vendors/kelkoo/config';
import { kelkooSaleId } from '../../../lambdas/vendors/kelkoo/mapping';
import { vendorAdapters } from '../../../lambdas/vendors/registry';

const config = () =>
  kelkooConfigSchema().parse({
    referer: 'https://www.shop.example',
    accounts: { fr: { comId: '100475501' }, BE: { comId: '100503562', referer: 'https://www.shop.be' } },
    defaultCountry: 'fr',
  });
const order = (country?: string): Order => ({
  orderId: 'ORD-7',
  currency: 'EUR',
  orderValue: 12,
  netValue: 10,
  occurredAt: '2026-11-21T10:00:00.000Z',
  ...(country === undefined ? {} : { country }),
  items: [{ productId: 'P1', name: 'Lamp', unitPrice: 12, quantity: 1, groupId: 'P1', variantId: 'P1' }],
});
const plan = (o: Order) => kelkoo.plan({ order: o, config: config(), click: (key) => (key === 'kk' ? 'K' : undefined), random: () => 0.5 });
const call = (o: Order) => kelkoo.buildRequests({ order: o, config: config(), context: { saleId: '0.5', kelkooId: 'K' } })[0]!;

describe('Kelkoo accounts by country', () => {
  it.each([
    ['BE', 'be', '100503562', 'https://www.shop.be'],
    ['fr', 'fr', '100475501', 'https://www.shop.example'],
    [undefined, 'fr', '100475501', 'https://www.shop.example'],
  ])("reports an order from %p under that listing's comId and Referer", (country, sent, comId, referer) => {
    expect(plan(order(country))).toEqual({ deliver: true, context: { saleId: kelkooSaleId(comId, 'ORD-7'), kelkooId: 'K' } });
    const request = call(order(country));
    const query = new URL(request.url).searchParams;
    expect([query.get('country'), query.get('comId')]).toEqual([sent, comId]);
    expect(request.headers).toEqual({ Referer: referer });
  });

  it.each(['DE', 'de', 'constructor', '__proto__'])('skips an order from %p, which has no account, naming the country and the accounts', (country) => {
    expect(plan(order(country))).toEqual({
      deliver: false,
      reason: `no Kelkoo account for country "${country.toLowerCase()}" (configured: fr, be)`,
    });
  });

  it('refuses to build the call for a country whose account was removed after planning', () => {
    expect(() => call(order('DE'))).toThrow(new Error('No Kelkoo account for country de in the configuration'));
  });
});

describe('Kelkoo adapter identity', () => {
  it('is registered as "kelkoo", the name deliveries carry (SPEC §2), under the document\'s company name and file', () => {
    expect(kelkoo.id).toBe('kelkoo');
    expect(vendorAdapters.kelkoo).toBe(kelkoo);
    expect(kelkoo.displayName).toBe('Kelkoo Group');
    // shared/vendor-docs/INDEX.md: 000_b3431d9b44bbb334.txt is Kelkoo Group's Sales Tracking document.
    expect(kelkoo.documentation).toBe('vendor-docs/000_b3431d9b44bbb334.txt');
  });
});
