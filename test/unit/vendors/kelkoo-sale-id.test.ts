/**
 * Issue #21, point 5: Kelkoo's `saleId` ("a randomly generated number between 0 and 1") is seeded by the account's
 * `comId` and the order id (SPEC §5): the same on every plan of one sale – retries and a shop's repeated report
 * resend it – and different for the same order number under two accounts (two countries, two merchants).
 */
import type { Order } from '../../../lambdas/core/order';
import { kelkoo } from '../../../lambdas/vendors/kelkoo/adapter';
import { kelkooConfigSchema } from '../../../lambdas/vendors/kelkoo/config';

const order = (orderId: string, country?: string): Order => ({
  orderId,
  currency: 'EUR',
  orderValue: 12,
  netValue: 10,
  occurredAt: '2026-11-21T10:00:00.000Z',
  ...(country === undefined ? {} : { country }),
  items: [{ productId: 'P1', name: 'Lamp', unitPrice: 12, quantity: 1 }],
});
const single = (comId: string) => kelkooConfigSchema().parse({ country: 'fr', comId, referer: 'https://www.shop.example' });
const byCountry = () =>
  kelkooConfigSchema().parse({ referer: 'https://www.shop.example', defaultCountry: 'fr', accounts: { fr: { comId: '100475501' }, be: { comId: '100503562' } } });

/** The saleId planned for `o` under `config`; `random` is what the caller's randomness would draw. */
function saleIdOf(o: Order, config: ReturnType<typeof single>, random = 0.5): string {
  const plan = kelkoo.plan({ order: o, config, click: (key) => (key === 'kk' ? 'K' : undefined), random: () => random });
  if (!plan.deliver) throw new Error(plan.reason);
  return plan.context.saleId;
}

describe('Kelkoo saleId', () => {
  it('differs between two merchants reporting the same order number', () => {
    expect(saleIdOf(order('1001'), single('100475501'))).not.toBe(saleIdOf(order('1001'), single('100475502')));
  });

  it("differs between two countries' accounts of one merchant for the same order number", () => {
    expect(saleIdOf(order('1001', 'fr'), byCountry())).not.toBe(saleIdOf(order('1001', 'be'), byCountry()));
  });

  it('is the same on every plan of one sale, whatever else the caller draws', () => {
    const first = saleIdOf(order('1001'), single('100475501'), 0.25);
    expect(saleIdOf(order('1001'), single('100475501'), 0.75)).toBe(first);
    expect(saleIdOf(order('1001'), single('100475501'), 0.25)).toBe(first);
  });

  it('differs between two orders of one account', () => {
    expect(saleIdOf(order('1001'), single('100475501'))).not.toBe(saleIdOf(order('1002'), single('100475501')));
  });

  it('is a decimal number in [0, 1), as the document asks', () => {
    for (const id of ['1', '1001', 'ORD-2026-001', 'A&B=C?D#E%F+G/H I', 'é'.repeat(128)]) {
      const saleId = saleIdOf(order(id), single('100475501'));
      expect(saleId).toMatch(/^0\.\d+$/);
      expect(Number(saleId)).toBeGreaterThanOrEqual(0);
      expect(Number(saleId)).toBeLessThan(1);
    }
  });

  it('does not mistake one (comId, order id) pair for another that reads the same when joined', () => {
    const config12 = single('12');
    const config1 = single('1');
    expect(saleIdOf(order('3'), config12)).not.toBe(saleIdOf(order('23'), config1));
  });
});
