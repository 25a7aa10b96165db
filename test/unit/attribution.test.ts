/**
 * Attribution.resolve (lambdas/core/attribution.ts): the newest click wins, equal times are settled by value so that
 * the choice never depends on the order storage returned the records in, expired records never count, and a value
 * given with the conversion replaces the stored ones.
 */
import fc from 'fast-check';
import { Attribution, SKEW_MS, StoredClick } from '../../lambdas/core/attribution';
import { ClickIdCatalogue } from '../../lambdas/core/click-ids';

const at = new Date('2026-11-29T10:00:00.000Z');
const now = new Date('2026-11-29T12:00:00.000Z');
const catalogue: ClickIdCatalogue = new Map([['kk', { key: 'kk', source: { query: 'kk' }, windows: { kelkoo: 3600 }, retentionSeconds: 3600 }]]);
const click = (value: string, occurredAt: string, expiresAt = 2_000_000_000): StoredClick => ({ key: 'kk', value, occurredAt, expiresAt });

function permutations<T>(items: T[]): T[][] {
  return items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('Attribution.resolve', () => {
  it('picks the same value of equally new clicks whatever the storage order: the greatest', () => {
    const time = '2026-11-29T09:30:00.000Z';
    for (const values of [['aaa', 'bbb'], ['aaa', 'bbb', 'ccc'], ['b', 'a', 'b', 'c']]) {
      for (const stored of permutations(values.map((v) => click(v, time)))) {
        const attribution = Attribution.resolve(stored, [], catalogue, at, now);
        expect(attribution.forDestination('kelkoo')('kk')).toBe([...values].sort().at(-1));
      }
    }
  });

  it('prefers the newest live click, whatever the values and the storage order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 3599 }), { minLength: 1, maxLength: 6 }), fc.array(fc.string(), { minLength: 6, maxLength: 6 }), (ages, values) => {
        const stored = ages.map((age, i) => click(values[i]!, new Date(at.getTime() - age * 1000).toISOString()));
        const newest = ages.indexOf(Math.min(...ages));
        expect(Attribution.resolve(stored, [], catalogue, at, now).live('kk', 3600)?.value).toBe(values[newest]);
        expect(Attribution.resolve([...stored].reverse(), [], catalogue, at, now).live('kk', 3600)?.value).toBe(values[newest]);
      }),
    );
  });

  it('ignores expired records and lets a value given with the conversion replace the stored ones', () => {
    const stored = [click('old', '2026-11-29T09:01:00.000Z'), click('expired', '2026-11-29T09:59:00.000Z', Math.floor(now.getTime() / 1000))];
    expect(Attribution.resolve(stored, [], catalogue, at, now).forDestination('kelkoo')('kk')).toBe('old');
    const override = { entry: catalogue.get('kk')!, value: 'given' };
    const attribution = Attribution.resolve(stored, [override], catalogue, at, now);
    expect(attribution.live('kk', 1)).toEqual({ value: 'given', occurredAt: at });
    expect(attribution.forDestination('other')('kk')).toBeUndefined();
  });

  it('counts a click up to the skew after the order, and within the window before it', () => {
    const resolve = (occurredAt: Date) => Attribution.resolve([click('v', occurredAt.toISOString())], [], catalogue, at, now).live('kk', 3600)?.value;
    expect(resolve(new Date(at.getTime() + SKEW_MS))).toBe('v');
    expect(resolve(new Date(at.getTime() + SKEW_MS + 1))).toBeUndefined();
    expect(resolve(new Date(at.getTime() - 3600_000 + 1))).toBe('v');
    expect(resolve(new Date(at.getTime() - 3600_000))).toBeUndefined();
  });
});
