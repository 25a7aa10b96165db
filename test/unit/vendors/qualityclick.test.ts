import fc from 'fast-check';
import { SECONDS_PER_DAY } from '../../../lambdas/core/time';
import { qualityclick } from '../../../lambdas/vendors/qualityclick/adapter';
import { qualityclickConfigSchema } from '../../../lambdas/vendors/qualityclick/config';
import { fixtures } from '../../../lambdas/vendors/qualityclick/fixtures';
import { formatUmsatz } from '../../../lambdas/vendors/qualityclick/mapping';
import { describeVendorFixtures, buildFromFixture } from '../../support/vendor-fixtures';

describeVendorFixtures(qualityclick, fixtures);

const example = fixtures.requests.find((f) => f.id === 'qualityclick-document-call')!;

function build(overrides: { config?: Record<string, unknown>; orderId?: string; netValue?: number } = {}) {
  const input = {
    ...example.input,
    config: { ...(example.input.config as object), ...overrides.config },
    order: {
      ...example.input.order,
      ...(overrides.orderId !== undefined ? { orderId: overrides.orderId } : {}),
      ...(overrides.netValue !== undefined ? { netValue: overrides.netValue } : {}),
    },
  };
  const { requests } = buildFromFixture(qualityclick, input);
  expect(requests).toHaveLength(1);
  return requests[0]!;
}

function inspectUrl(query: string, method = 'GET') {
  return qualityclick.inspect({ method, url: `/get_trans.cgi?${query}`, headers: {}, body: '' });
}

const VALID_QUERY = 'cpid=1&tid=ORD-2026-001&clickid=QC423840809685489623456289367&produkt=Sale&umsatz=95.50';

describe('QUALITYCLICK request', () => {
  it('never sends pid, subid or wmid, whatever the order, and always sends the five documented parameters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.double({ min: 0, max: 1e7, noNaN: true }), fc.boolean(), (orderId, netValue, nocheck) => {
        const url = new URL(build({ orderId, netValue, config: { nocheck } }).url);
        for (const name of ['pid', 'subid', 'wmid']) expect(url.searchParams.has(name)).toBe(false);
        expect([...url.searchParams.keys()]).toEqual(['cpid', 'tid', 'clickid', 'produkt', 'umsatz', ...(nocheck ? ['nocheck'] : [])]);
        expect(url.searchParams.get('tid')).toBe(orderId);
        expect(url.searchParams.get('umsatz')).toBe(formatUmsatz(netValue));
        expect(qualityclick.inspect({ method: 'GET', url: url.pathname + url.search, headers: {}, body: '' })).toEqual([]);
      }),
    );
  });

  it('asks for a timeout of at most 5 s (the document: 3–5 s)', () => {
    const request = build();
    expect(request.timeoutMs).toBeDefined();
    expect(request.timeoutMs!).toBeLessThanOrEqual(5000);
    expect(request.timeoutMs!).toBeGreaterThanOrEqual(3000);
  });

  it('sends nocheck=1 only when configured', () => {
    expect(new URL(build().url).searchParams.has('nocheck')).toBe(false);
    expect(new URL(build({ config: { nocheck: false } }).url).searchParams.has('nocheck')).toBe(false);
    expect(new URL(build({ config: { nocheck: true } }).url).searchParams.get('nocheck')).toBe('1');
  });

  it('reports the net value, not the gross order value', () => {
    expect(example.input.order.orderValue).not.toBe(example.input.order.netValue);
    expect(new URL(build().url).searchParams.get('umsatz')).toBe('95.50');
  });

  it('resends the same call on every build (retries are de-duplicated on tid)', () => {
    expect(build().url).toBe(build().url);
  });

  it('skips a negative net value with a reason instead of sending it', () => {
    const { plan } = buildFromFixture(qualityclick, { ...example.input, order: { ...example.input.order, netValue: -1 } });
    expect(plan).toEqual({ deliver: false, reason: expect.stringContaining('negative') });
  });

  it('attributes on the configured parameter within the configured window', () => {
    const config = qualityclickConfigSchema().parse({ ...(example.input.config as object), clickIdParam: 'affiliate_click', attributionDays: 7 });
    expect(qualityclick.clickIds(config)).toEqual([{ source: { query: 'affiliate_click' }, windowSeconds: 7 * SECONDS_PER_DAY }]);
  });
});

describe('QUALITYCLICK umsatz', () => {
  it.each([
    [95.5, '95.50'],
    [0, '0.00'],
    [30, '30.00'],
    [0.1 + 0.2, '0.30'],
    [1.005, '1.01'],
    [1234567.891, '1234567.89'],
    [0.004, '0.00'],
    [1e-7, '0.00'],
    [-2.5, '-2.50'],
  ])('formats %p as %s', (amount, expected) => {
    expect(formatUmsatz(amount)).toBe(expected);
  });
});

describe('QUALITYCLICK configuration', () => {
  const valid = { endpoint: 'https://partner.shop.example/get_trans.cgi', cpid: '1', product: 'Sale' };
  const errorsOf = (config: unknown) => {
    const result = qualityclickConfigSchema().safeParse(config);
    return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
  };

  it('applies the defaults and keeps cpid as digits', () => {
    expect(qualityclickConfigSchema().parse({ ...valid, cpid: 12 })).toEqual({ ...valid, cpid: '12', clickIdParam: 'qc_clickid', nocheck: false, attributionDays: 30 });
  });

  it.each([
    ['no endpoint', { ...valid, endpoint: undefined }, 'endpoint'],
    ['a non-http endpoint', { ...valid, endpoint: 'ftp://partner.shop.example/get_trans.cgi' }, 'endpoint'],
    ['an endpoint with a fragment', { ...valid, endpoint: 'https://partner.shop.example/get_trans.cgi#x' }, 'endpoint'],
    ['an endpoint that sets pid itself', { ...valid, endpoint: 'https://partner.shop.example/get_trans.cgi?pid=2' }, 'endpoint'],
    ['a non-numeric cpid', { ...valid, cpid: 'abc' }, 'cpid'],
    ['a negative cpid', { ...valid, cpid: -1 }, 'cpid'],
    ['no product', { ...valid, product: undefined }, 'product'],
    ['an empty product', { ...valid, product: '' }, 'product'],
    ['a product with a trailing space', { ...valid, product: 'Sale ' }, 'product'],
    ['a click id parameter with a space', { ...valid, clickIdParam: 'qc clickid' }, 'clickIdParam'],
    ['a click id parameter with &', { ...valid, clickIdParam: 'a&b' }, 'clickIdParam'],
    ['an empty click id parameter', { ...valid, clickIdParam: '' }, 'clickIdParam'],
    ['a non-boolean nocheck', { ...valid, nocheck: 1 }, 'nocheck'],
    ['attributionDays 0', { ...valid, attributionDays: 0 }, 'attributionDays'],
    ['attributionDays 366', { ...valid, attributionDays: 366 }, 'attributionDays'],
    ['an unknown field', { ...valid, subid: 'x' }, ''],
  ])('rejects %s', (_, config, field) => {
    expect(errorsOf(config)).toContain(field);
  });

  it('keeps the product exactly as spelled', () => {
    expect(qualityclickConfigSchema().parse({ ...valid, product: 'Lead Neukunde' }).product).toBe('Lead Neukunde');
  });
});

describe('QUALITYCLICK sandbox checks', () => {
  it('accepts the document call', () => {
    expect(inspectUrl(VALID_QUERY)).toEqual([]);
    expect(inspectUrl(`${VALID_QUERY}&nocheck=1`)).toEqual([]);
  });

  it.each(['pid', 'subid', 'wmid'])('notes %s, which would override the ClickID, as a warning', (name) => {
    expect(inspectUrl(`${VALID_QUERY}&${name}=2`)).toEqual([`warning: ${name}=2 overrides the ${name} QUALITYCLICK resolves from the ClickID`]);
  });

  it('flags missing mandatory parameters', () => {
    expect(inspectUrl('cpid=1&clickid=QC1')).toEqual(
      expect.arrayContaining(['missing mandatory parameter tid', 'missing mandatory parameter produkt (only nocheck=1 skips the check of the commission product)']),
    );
  });

  it('flags a non-numeric umsatz, a decimal comma and a nocheck other than 1', () => {
    expect(inspectUrl(VALID_QUERY.replace('95.50', 'abc'))).toContain('umsatz must be a non-negative decimal number with a point, e.g. 95.50');
    expect(inspectUrl(VALID_QUERY.replace('95.50', '95%2C50'))).toContain('umsatz must be a non-negative decimal number with a point, e.g. 95.50');
    expect(inspectUrl(`${VALID_QUERY}&nocheck=0`)).toContain('nocheck must be absent or 1');
  });

  it('flags a method other than GET, unencoded values and repeated parameters', () => {
    expect(inspectUrl(VALID_QUERY, 'POST')).toContain('method must be GET, got POST');
    expect(inspectUrl(VALID_QUERY.replace('ORD-2026-001', 'A B"'))).toContain('parameter tid is not URL-encoded');
    expect(inspectUrl(`${VALID_QUERY}&tid=other`)).toContain('parameter tid is given more than once');
  });
});

describe('QUALITYCLICK response', () => {
  const request = { key: 'transaction', method: 'GET' as const, url: 'https://partner.shop.example/get_trans.cgi', headers: {} };

  it('keeps the error text of a 2xx error answer for lastError', () => {
    const outcome = qualityclick.classify({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'Fehler: cpid unbekannt' }, request);
    expect(outcome).toEqual({ kind: 'retry', vendorStatus: 200, error: expect.stringContaining('Fehler: cpid unbekannt') });
  });

  it('never reads an image as an error report', () => {
    expect(qualityclick.classify({ status: 200, headers: { 'content-type': 'image/png' }, body: '\ufffdPNG error' }, request).kind).toBe('sent');
  });

  it('passes Retry-After on for throttling', () => {
    expect(qualityclick.classify({ status: 429, headers: { 'retry-after': '7' }, body: '' }, request)).toMatchObject({ kind: 'retry', retryAfterSeconds: 7 });
  });
});
