import fc from 'fast-check';
import { decimalAmount, referenceRound } from '../support/money';
import { formatDecimal, formatLineMoney, formatMoney, minorUnits } from '../../lambdas/core/money';

describe('formatMoney', () => {
  it.each([
    [1e-7, 'EUR', '0.00'],
    [0.1 + 0.2, 'EUR', '0.30'],
    [1.005, 'EUR', '1.01'],
    [1.004999, 'EUR', '1.00'],
    [2.675, 'USD', '2.68'],
    [1e12, 'EUR', '1000000000000.00'],
    [30.5, 'EUR', '30.50'],
    [609.07, 'eur', '609.07'],
    [0, 'EUR', '0.00'],
    [-0, 'EUR', '0.00'],
    [-1.005, 'EUR', '-1.01'],
    [-0.001, 'EUR', '0.00'],
    [1500.5, 'JPY', '1501'],
    [1499.4999, 'JPY', '1499'],
    [1.0005, 'KWD', '1.001'],
    [1.00005, 'CLF', '1.0001'],
    [0.5, 'JPY', '1'],
    [9.995, 'EUR', '10.00'],
    [5e-324, 'EUR', '0.00'],
    [123456789012.345, 'EUR', '123456789012.35'],
  ])('formats %p %s as %s', (amount, currency, expected) => {
    expect(formatMoney(amount, currency)).toBe(expected);
  });

  it('refuses what is not a finite number', () => {
    expect(() => formatMoney(Number.NaN, 'EUR')).toThrow(RangeError);
    expect(() => formatMoney(Number.POSITIVE_INFINITY, 'EUR')).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN, 'EUR')).toThrow('An amount must be a finite number, got NaN');
    expect(() => formatDecimal(Number.NEGATIVE_INFINITY)).toThrow('An amount must be a finite number, got -Infinity');
  });

  it('rounds half away from zero on the decimal value the shop wrote, for any amount and currency precision', () => {
    fc.assert(
      fc.property(decimalAmount, fc.constantFrom('EUR', 'JPY', 'KWD', 'CLF'), (text, currency) => {
        const formatted = formatMoney(Number(text), currency);
        expect(formatted).toBe(referenceRound(text, minorUnits(currency)));
        expect(formatted).not.toMatch(/e/i);
      }),
      { numRuns: 500 },
    );
  });

  it('line values are the rounded unit price times the quantity, exactly', () => {
    expect(formatLineMoney(18.7, 2, 'EUR')).toBe('37.40');
    expect(formatLineMoney(0.1 + 0.2, 3, 'EUR')).toBe('0.90');
    expect(formatLineMoney(1.005, 1_000_000, 'EUR')).toBe('1010000.00');
    expect(formatLineMoney(1e12, 1_000_000, 'JPY')).toBe('1000000000000000000');
  });
});

describe('minorUnits', () => {
  it('follows ISO 4217', () => {
    expect([minorUnits('EUR'), minorUnits('USD'), minorUnits('JPY'), minorUnits('KWD'), minorUnits('CLF'), minorUnits('HUF'), minorUnits('IQD')]).toEqual([2, 2, 0, 3, 4, 2, 3]);
  });

  // Why the table and not Intl: ICU's currency digits are CLDR's, which differ from ISO 4217 for these codes on
  // Node 20. The test lists them so a Node upgrade that changes the data shows up here.
  it("agrees with Intl.NumberFormat's digits except for the currencies where CLDR departs from ISO 4217", () => {
    const differing = Intl.supportedValuesOf('currency').filter(
      (code) => new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits !== minorUnits(code),
    );
    expect(differing).toEqual(expect.arrayContaining(['HUF', 'IQD']));
    // Every difference is either a CLDR usage departure or a code without an ISO minor unit; none of the common ones.
    for (const common of ['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'SEK', 'DKK', 'PLN', 'CZK', 'KWD', 'BHD', 'CLP', 'KRW']) expect(differing).not.toContain(common);
  });
});

describe('formatDecimal', () => {
  it.each([
    [1e-7, '0.0000001'],
    [1e21, '1000000000000000000000'],
    [10, '10'],
    [12.5, '12.5'],
    [0, '0'],
    [-0, '0'],
    [-5, '-5'],
    [-10, '-10'],
    [-1e21, '-1000000000000000000000'],
    [-12.5, '-12.5'],
    [-1e-7, '-0.0000001'],
  ])('writes %p as %s', (value, expected) => {
    expect(formatDecimal(value)).toBe(expected);
  });
});
