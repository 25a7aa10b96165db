import { ConfigurationError } from '../../../lambdas/core/errors';
import { parseConfigInput } from '../../../lambdas/core/validation';
import { clickmeter } from '../../../lambdas/vendors/clickmeter/adapter';
import { fixtures } from '../../../lambdas/vendors/clickmeter/fixtures';
import { formatAmount } from '../../../lambdas/vendors/clickmeter/mapping';
import { buildFromFixture, describeVendorFixtures } from '../../support/vendor-fixtures';

describeVendorFixtures(clickmeter, fixtures);

const base = { conversionId: 'A531F18FCECC4DEB9B2C3994556FBF41', clickIdParam: 's1' };
const fixture = (id: string) => fixtures.requests.find((f) => f.id === id)!;
const queryOf = (url: string) => new URL(url).searchParams;

/** The fields a configuration error names, as the service reports them (`vendors.clickmeter.<field>`). */
function rejectedFields(config: unknown): string[] {
  try {
    parseConfigInput(clickmeter.configSchema(), config, 'vendors.clickmeter.');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).details.map((d) => d.field);
  }
  throw new Error('configuration was accepted');
}

describe('ClickMeter configuration', () => {
  it('applies the documented defaults', () => {
    expect(clickmeter.configSchema().parse(base)).toEqual({
      ...base,
      commission: 0,
      value: 'orderValue',
      endpoint: 'http://conversions.clickmeter.com/s2s',
      attributionDays: 30,
    });
  });

  it('rejects a percentage next to a non-zero commission, naming commissionPercent', () => {
    const result = clickmeter.configSchema().safeParse({ ...base, commission: 2, commissionPercent: 10 });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['commissionPercent'], message: expect.stringContaining('only when com is 0') }),
    ]);
    expect(rejectedFields({ ...base, commission: 2, commissionPercent: 10 })).toEqual(['vendors.clickmeter.commissionPercent']);
    // Even a 0 % is a contradiction when an amount is configured: the merchant must say which one is meant.
    expect(rejectedFields({ ...base, commission: 2, commissionPercent: 0 })).toEqual(['vendors.clickmeter.commissionPercent']);
  });

  it.each([
    [{ ...base, conversionId: 'A531F18F&val=<insert>' }, 'conversionId'],
    [{ ...base, conversionId: '' }, 'conversionId'],
    [{ ...base, clickIdParam: 's1=[s2sidentifier]' }, 'clickIdParam'],
    [{ ...base, clickIdParam: 'raptor.coid' }, 'clickIdParam'],
    [{ ...base, commission: -1 }, 'commission'],
    [{ ...base, commissionPercent: 101 }, 'commissionPercent'],
    [{ ...base, param: 'clk={clickId}' }, 'param'],
    [{ ...base, param: 'sku={item.productId}' }, 'param'],
    [{ ...base, param: '' }, 'param'],
    [{ ...base, value: 'grossValue' }, 'value'],
    [{ ...base, endpoint: 'ftp://conversions.clickmeter.com/s2s' }, 'endpoint'],
    [{ ...base, attributionDays: 0 }, 'attributionDays'],
  ])('rejects %j naming %s', (config, field) => {
    expect(rejectedFields(config)).toContain(`vendors.clickmeter.${field}`);
  });

  it("rejects the document's parameter names in place of the configuration's, naming them", () => {
    const result = clickmeter.configSchema().safeParse({ ...base, com: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('"com"');
  });

  it('keeps the conversion id exactly as ClickMeter wrote it', () => {
    expect(clickmeter.configSchema().parse({ ...base, conversionId: 'a531f18fcecc4deb9b2c3994556fbf41' }).conversionId).toBe(
      'a531f18fcecc4deb9b2c3994556fbf41',
    );
  });
});

describe('ClickMeter postback', () => {
  it('attributes on the configured landing-page parameter within the attribution window', () => {
    const config = clickmeter.configSchema().parse({ ...base, clickIdParam: 'cm_id', attributionDays: 7 });
    expect(clickmeter.clickIds(config)).toEqual([{ source: { query: 'cm_id' }, windowSeconds: 7 * 86_400 }]);
  });

  it('never sends comperc next to a non-zero com', () => {
    for (const f of fixtures.requests) {
      for (const request of buildFromFixture(clickmeter, f.input).requests) {
        const query = queryOf(request.url);
        if (query.has('comperc')) expect(Number(query.get('com'))).toBe(0);
      }
    }
    const withAmount = buildFromFixture(clickmeter, fixture('clickmeter-param-template-net-value').input).requests[0]!;
    expect(queryOf(withAmount.url).get('com')).toBe('12.50');
    expect(queryOf(withAmount.url).has('comperc')).toBe(false);
  });

  it('fills the param template from the order and encodes it as one value', () => {
    const { requests } = buildFromFixture(clickmeter, fixture('clickmeter-param-template-net-value').input);
    const url = requests[0]!.url;
    expect(queryOf(url).get('param')).toBe('order=A&B=C?D#E%F+G/H I;currency=EUR');
    // One parameter: nothing from the order id leaks out as a parameter of its own.
    expect([...queryOf(url).keys()]).toEqual(['clickId', 'id', 'val', 'com', 'param']);
  });

  it('leaves param out when its template fills to nothing for this order', () => {
    const input = fixture('clickmeter-commission-percent').input;
    const { requests } = buildFromFixture(clickmeter, {
      ...input,
      order: { ...input.order, country: undefined },
      config: { ...(input.config as object), param: '{order.country}' },
    });
    expect(queryOf(requests[0]!.url).has('param')).toBe(false);
  });

  it('sends val=0.00 for an order without value', () => {
    const input = fixture('clickmeter-commission-percent').input;
    const { requests } = buildFromFixture(clickmeter, { ...input, order: { ...input.order, orderValue: 0 } });
    expect(queryOf(requests[0]!.url).get('val')).toBe('0.00');
  });

  it('writes amounts in plain decimal notation', () => {
    expect(formatAmount(609.07)).toBe('609.07');
    expect(formatAmount(0)).toBe('0');
    expect(formatAmount(1e-7)).toBe('0.0000001');
    expect(formatAmount(1e21)).toBe('1000000000000000000000');
  });
});

describe('ClickMeter sandbox check', () => {
  const inspect = (url: string, method = 'GET') => clickmeter.inspect({ method, url, headers: {}, body: '' });

  it('accepts the document postback', () => {
    expect(inspect('/s2s?clickId=abc&id=A531F18FCECC4DEB9B2C3994556FBF41&val=1&com=0.5&param=myCustomParam%3Dxyz')).toEqual([]);
  });

  it('flags missing mandatory parameters (val and com are mandatory even when 0)', () => {
    expect(inspect('/s2s?id=A531F18FCECC4DEB9B2C3994556FBF41')).toEqual(
      expect.arrayContaining(['missing mandatory parameter clickId', 'missing mandatory parameter val', 'missing mandatory parameter com']),
    );
  });

  it('flags non-numeric amounts, comperc beside a non-zero com, bad encodings and unfilled placeholders', () => {
    const violations = inspect('/s2s?clickId=%5Bs2sidentifier%5D&id=A531&val=1,5&com=0.5&comperc=ten&param=a b', 'POST');
    expect(violations).toEqual(
      expect.arrayContaining([
        'method must be GET, got POST',
        'val must be a number, got "1,5"',
        'comperc must be a number, got "ten"',
        'parameter param is not URL-encoded',
        'clickId is the document\'s placeholder "[s2sidentifier]", not a value',
      ]),
    );
    expect(inspect('/s2s?clickId=abc&id=A531&val=20&com=2&comperc=10')).toEqual(['comperc can be used only if com is set to 0']);
    expect(inspect('/s2s?clickId=abc&id=A531&val=20&com=0.00&comperc=10')).toEqual([]);
  });
});
