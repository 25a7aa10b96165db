/**
 * The currencies an order may be priced in: the codes of ISO 4217 that have a minor unit, each known to the money
 * formatter. A code outside them (`XYZ`) is refused by the API, naming `currency`, rather than formatted with a
 * guessed precision.
 */
import { conversionSchema } from '../../lambdas/api/conversion';
import { currencyMinorUnits, formatMoney, isCurrency, minorUnits } from '../../lambdas/core/money';

const order = (currency: string) => ({
  orderId: 'C-1',
  visitor: { sessionId: 's' },
  currency,
  orderValue: 10,
  items: [{ productId: 'p', name: 'n', unitPrice: 10, quantity: 1 }],
});

/** Codes ISO 4217 lists without a minor unit: no order is priced in them. */
const NO_MINOR_UNIT = ['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX'];

describe('currencies an order may be priced in', () => {
  it('the formatter knows the minor units of every currency the API accepts: 0, 2, 3 or 4', () => {
    for (const [code, digits] of currencyMinorUnits()) {
      expect({ code, accepted: conversionSchema.safeParse(order(code)).success, digits }).toEqual({ code, accepted: true, digits: minorUnits(code) });
      expect([0, 2, 3, 4]).toContain(digits);
      expect(formatMoney(1, code)).toBe(digits === 0 ? '1' : `1.${'0'.repeat(digits)}`);
    }
    expect(currencyMinorUnits().size).toBeGreaterThan(160);
  });

  it("accepts every code Node's Intl knows, except those ISO 4217 gives no minor unit", () => {
    const refused = Intl.supportedValuesOf('currency').filter((code) => !isCurrency(code));
    expect(refused.every((code) => NO_MINOR_UNIT.includes(code))).toBe(true);
  });

  it.each(['XYZ', 'ABC', 'EUX', 'QQQ', ...NO_MINOR_UNIT])('refuses %s, naming currency', (currency) => {
    const result = conversionSchema.safeParse(order(currency));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['currency', 'must be an ISO 4217 currency code with minor units, e.g. EUR'],
    ]);
  });

  it('a value that is not three letters gets the one message that says so', () => {
    expect(conversionSchema.safeParse(order('EURO')).error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['currency', 'must be a 3-letter ISO 4217 code'],
    ]);
  });

  it('a net value above the order value is refused naming netValue, once every field is valid', () => {
    const refused = (body: Record<string, unknown>) => conversionSchema.safeParse({ ...order('EUR'), ...body }).error?.issues.map((issue) => issue.path.join('.'));
    expect(refused({ orderValue: 10, netValue: 10.01 })).toEqual(['netValue']);
    expect(refused({ orderValue: 10, netValue: 10.004 })).toBeUndefined();
    expect(refused({ currency: 'XYZ', orderValue: 10, netValue: 11 })).toEqual(['currency']);
    // Never compared with a value of the wrong type (which the formatter would throw on: a 500).
    expect(refused({ orderValue: '10', netValue: 11 })).toEqual(['orderValue']);
    expect(refused({ orderValue: 10, netValue: '11' })).toEqual(['netValue']);
    expect(refused({ orderValue: 1e999, netValue: 11 })).toEqual(['orderValue']);
    expect(refused({ currency: 5, orderValue: 10, netValue: 11 })).toEqual(['currency']);
  });

  it('reads a code in any case and passes it on in upper case', () => {
    expect(conversionSchema.parse(order('eur')).currency).toBe('EUR');
    expect(isCurrency('jpy')).toBe(true);
  });
});
