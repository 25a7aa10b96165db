import { clickmeter } from '../../../lambdas/vendors/clickmeter/adapter';
import { kelkoo } from '../../../lambdas/vendors/kelkoo/adapter';
import { klevu } from '../../../lambdas/vendors/klevu/adapter';
import { qualityclick } from '../../../lambdas/vendors/qualityclick/adapter';

/** What a sender accepts as the context fixed at conversion time: the message is rejected (dead-lettered) otherwise. */
describe('delivery contexts', () => {
  const accepts = (schema: () => { safeParse(value: unknown): { success: boolean } }, value: unknown) => schema().safeParse(value).success;

  it('Kelkoo: a saleId, and any of the three ids', () => {
    expect(accepts(kelkoo.contextSchema, { saleId: '0.5' })).toBe(true);
    expect(accepts(kelkoo.contextSchema, { saleId: '0.5', kelkooId: 'K', gclid: 'G', msclkid: 'M' })).toBe(true);
    expect(accepts(kelkoo.contextSchema, { kelkooId: 'K' })).toBe(false);
    expect(accepts(kelkoo.contextSchema, { saleId: '0.5', clickId: 'K' })).toBe(false);
  });

  it('QUALITYCLICK and ClickMeter: a non-empty click id, nothing else', () => {
    for (const adapter of [qualityclick, clickmeter]) {
      expect(accepts(adapter.contextSchema, { clickId: 'C' })).toBe(true);
      expect(accepts(adapter.contextSchema, { clickId: '' })).toBe(false);
      expect(accepts(adapter.contextSchema, {})).toBe(false);
      expect(accepts(adapter.contextSchema, { clickId: 'C', saleId: '1' })).toBe(false);
    }
  });

  it('Klevu: an optional uuid', () => {
    expect(accepts(klevu.contextSchema, {})).toBe(true);
    expect(accepts(klevu.contextSchema, { uuid: 'u' })).toBe(true);
    expect(accepts(klevu.contextSchema, { uuid: 1 })).toBe(false);
    expect(accepts(klevu.contextSchema, { other: 'u' })).toBe(false);
  });
});
